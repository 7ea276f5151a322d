// The dialer takes a campaign's leads never scheduled (no next_call_at) in priority order — urgent,
// high, normal, low — then oldest first (server/dialer/loop/queries.ts claimDueLeads). This index
// serves that order with the same expression, so the claim stays one short index range scan
// however many leads wait.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE INDEX leads_fresh_priority_idx ON leads
      (campaign_id, (CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END), created_at, id)
      WHERE next_call_at IS NULL AND dial_status IN ('pending', 'queued') AND NOT do_not_call`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX leads_fresh_priority_idx`.execute(db);
}
