// follow_ups by lead, whatever the task's state. 0019 indexed lead_id only for open tasks (what the
// lead's next_follow_up_at reads), so a lead's timeline — which lists done and cancelled tasks too
// (server/crm/activity/queries.ts) — and the cascade when a lead is deleted scanned every task of
// the organisation, or the whole table. One index on (lead_id, due_at) serves all three: the
// soonest open task is the first open one in due order among the lead's few.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE INDEX follow_ups_lead_idx ON follow_ups (lead_id, due_at);
    DROP INDEX follow_ups_lead_due_idx;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE INDEX follow_ups_lead_due_idx ON follow_ups (lead_id, due_at) WHERE status = 'open';
    DROP INDEX follow_ups_lead_idx;
  `.execute(db);
}
