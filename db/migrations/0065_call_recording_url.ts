// The recording of a call started through call control (found by review on 7 December).
//
// POST /api/calls/{callSid}/recording/start asked Twilio for a recording without a recording status
// callback, so the recording's URL never reached us: once stopped, nothing on the call said where it
// was. Now the recording is started with the callback /api/webhooks/recording-status, which keeps the
// URL of the call's last completed recording here (GET /api/calls/{id} `recordingUrl`).
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE calls ADD COLUMN recording_url text CHECK (length(recording_url) <= 2048)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE calls DROP COLUMN recording_url`.execute(db);
}
