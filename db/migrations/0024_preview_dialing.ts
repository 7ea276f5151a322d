// Preview dialing and agents' capacity (issue 18, DESIGN.md 9.2; seed 002's `preview` mode).
//
// - leads: `previewing` — a lead an agent of a preview campaign is looking at before deciding to
//   call it or skip it, held for that agent (`preview_agent_id`) until `dial_lease_until`; a hold
//   that lapses gives the lead back to the queue like a lapsed dial claim.
// - calls: the open calls of each agent, read when an agent is claimed for a call (its
//   maxConcurrentCalls) without walking its finished calls.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE leads DROP CONSTRAINT leads_dial_status_check;
    ALTER TABLE leads ADD CONSTRAINT leads_dial_status_check
      CHECK (dial_status IN ('pending', 'queued', 'previewing', 'calling', 'completed', 'failed', 'dnc'));
    ALTER TABLE leads ADD COLUMN preview_agent_id uuid REFERENCES agents (id) ON DELETE SET NULL;
    CREATE INDEX leads_previewing_idx ON leads (preview_agent_id, dial_lease_until) WHERE dial_status = 'previewing';
    CREATE INDEX calls_agent_open_idx ON calls (agent_id) WHERE agent_id IS NOT NULL AND status_rank < 4;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX calls_agent_open_idx;
    UPDATE leads SET dial_status = 'queued', dial_lease_until = NULL WHERE dial_status = 'previewing';
    ALTER TABLE leads DROP COLUMN preview_agent_id;
    ALTER TABLE leads DROP CONSTRAINT leads_dial_status_check;
    ALTER TABLE leads ADD CONSTRAINT leads_dial_status_check
      CHECK (dial_status IN ('pending', 'queued', 'calling', 'completed', 'failed', 'dnc'));
  `.execute(db);
}
