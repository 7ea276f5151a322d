// At start-up: seal the secret values still stored in the clear (rows written before secrets were
// encrypted at rest), and prove every sealed one opens with this SECRETS_KEY, so a wrong key
// stops the start with a clear message instead of failing bids and pixels later. This is
// maintenance over every organisation's rows, by design (it is not a request).
import { type Kysely, sql } from 'kysely';
import type { DB } from '../../../db/types.js';
import { SEALED_PREFIX, type SecretBox } from './secret-box.js';
import { SecretColumnsPlugin } from './secret-columns.js';

export interface SealReport {
  /** Plaintext values sealed now, per table. */
  sealed: Record<'rtb_targets' | 'tracking_pixels', number>;
}

export async function sealStoredSecrets(rawDb: Kysely<DB>, box: SecretBox): Promise<SealReport> {
  const db = rawDb.withPlugin(new SecretColumnsPlugin(box));
  const pattern = `${SEALED_PREFIX}%`;
  return db.transaction().execute(async (trx) => {
    const targets = await trx
      .selectFrom('rtb_targets')
      .select(['id', 'auth_token'])
      .where('auth_token', 'is not', null)
      .where('auth_token', '!=', '')
      .where(sql<boolean>`auth_token NOT LIKE ${pattern}`)
      .forUpdate()
      .execute();
    for (const row of targets) await trx.updateTable('rtb_targets').set({ auth_token: row.auth_token }).where('id', '=', row.id).execute();
    const pixels = await trx
      .selectFrom('tracking_pixels')
      .select(['id', 'signing_secret'])
      .where('signing_secret', 'is not', null)
      .where('signing_secret', '!=', '')
      .where(sql<boolean>`signing_secret NOT LIKE ${pattern}`)
      .forUpdate()
      .execute();
    for (const row of pixels) await trx.updateTable('tracking_pixels').set({ signing_secret: row.signing_secret }).where('id', '=', row.id).execute();
    // Opening (the plugin does it on read) throws SecretKeyError for a value this key cannot open.
    await trx.selectFrom('rtb_targets').select('auth_token').where(sql<boolean>`auth_token LIKE ${pattern}`).execute();
    await trx.selectFrom('tracking_pixels').select('signing_secret').where(sql<boolean>`signing_secret LIKE ${pattern}`).execute();
    // Event webhook secrets were sealed from the start (migration 0025): only checked.
    await trx.selectFrom('webhook_endpoints').select('signing_secret').execute();
    return { sealed: { rtb_targets: targets.length, tracking_pixels: pixels.length } };
  });
}
