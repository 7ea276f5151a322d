// RedTrack conversions and quality reports are applied only with the organisation's postback
// secret (issue 15): its SHA-256 and when it was made. NULL: no secret yet, nothing verifies.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE organizations ADD COLUMN redtrack_secret_hash text, ADD COLUMN redtrack_secret_rotated_at timestamptz`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE organizations DROP COLUMN redtrack_secret_hash, DROP COLUMN redtrack_secret_rotated_at`.execute(db);
}
