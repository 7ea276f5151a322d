// calls.source gains 'exotel' (issue 20 item 6): a call Exotel told us about through seed 004's
// incoming webhook (/api/webhooks/exotel/incoming) says so, instead of passing for a Twilio call.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE calls DROP CONSTRAINT calls_source_check;
    ALTER TABLE calls ADD CONSTRAINT calls_source_check CHECK (source IN ('twilio', 'manual', 'simulator', 'exotel'));
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DELETE FROM calls WHERE source = 'exotel';
    ALTER TABLE calls DROP CONSTRAINT calls_source_check;
    ALTER TABLE calls ADD CONSTRAINT calls_source_check CHECK (source IN ('twilio', 'manual', 'simulator'));
  `.execute(db);
}
