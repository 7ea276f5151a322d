// The organisation's RedTrack postback secret: conversions and quality reports (they carry money)
// are applied only when their postback URL carries it. Only its SHA-256 is stored; a new one
// replaces the old at once.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../../db/types.js';

const PREFIX = 'rtps_';

function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** A new secret for the organisation (returned once), replacing any previous one. */
export async function rotatePostbackSecret(db: Db, orgId: string, now: Date = new Date()): Promise<{ secret: string; rotatedAt: Date }> {
  const secret = PREFIX + randomBytes(32).toString('base64url');
  await db
    .updateTable('organizations')
    .set({ redtrack_secret_hash: hashSecret(secret).toString('hex'), redtrack_secret_rotated_at: now })
    .where('id', '=', orgId)
    .execute();
  return { secret, rotatedAt: now };
}

/** Whether `secret` is the organisation's current postback secret (false when it has none). */
export async function isPostbackSecret(db: Db, orgId: string, secret: string | undefined): Promise<boolean> {
  if (secret === undefined) return false;
  const row = await db.selectFrom('organizations').select('redtrack_secret_hash').where('id', '=', orgId).executeTakeFirst();
  if (!row?.redtrack_secret_hash) return false;
  return timingSafeEqual(Buffer.from(row.redtrack_secret_hash, 'hex'), hashSecret(secret));
}
