// Every call update the simulated carrier must act on, numbered (issue: a hold or a transfer of a
// simulated call was never played, and a second resume to the same URL went unnoticed):
// - update_seq: how many call updates (a redirect to a URL, or new TwiML) the call has had; the
//   carrier acts on each new one, also when it names the same URL as the one before.
// - update_twiml: the TwiML of the last update when it sent TwiML (a transfer, a hold), else null
//   (then redirected_to is the URL to fetch).
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE simulator_calls
      ADD COLUMN update_seq integer NOT NULL DEFAULT 0,
      ADD COLUMN update_twiml text;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE simulator_calls DROP COLUMN update_twiml, DROP COLUMN update_seq`.execute(db);
}
