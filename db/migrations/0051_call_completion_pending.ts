// A call's completion events (the `call_completed` pixel and conversion event, the `call.completed`
// event webhook) carry its revenue. Twilio may deliver the call's final status before the <Dial>
// outcome that qualifies that revenue; the events then wait for the outcome
// (server/inbound/calls/completion.ts). `completion_pending` marks a call whose events wait, so that
// the sweep (server/inbound/calls/completion-sweep.ts) records them if the outcome never comes.
// A constant default: adding the column rewrites nothing; every call recorded before it has had its
// events.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE calls ADD COLUMN completion_pending boolean NOT NULL DEFAULT false`.execute(db);
  await sql`CREATE INDEX calls_completion_pending_idx ON calls (ended_at) WHERE completion_pending`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE calls DROP COLUMN completion_pending`.execute(db);
}
