// AI outbound calls (issue 20, server/ai/outbound): the carrier's CallSid of an attempt, stored as
// soon as the carrier has the call (and by its first webhook, should the worker have stopped
// before storing it). A claim whose lease lapsed is placed again only when it has no CallSid: a
// call the carrier already has is never dialled twice.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE ai_outbound_calls ADD COLUMN call_sid text;
    CREATE UNIQUE INDEX ai_outbound_calls_sid_idx ON ai_outbound_calls (call_sid) WHERE call_sid IS NOT NULL;
    CREATE INDEX ai_outbound_calls_lease_idx ON ai_outbound_calls (locked_until) WHERE status IN ('queued', 'in-progress');
    CREATE INDEX ai_outbound_calls_retry_idx ON ai_outbound_calls (org_id, scheduled_for) WHERE status = 'scheduled' AND attempt > 1;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX ai_outbound_calls_retry_idx;
    DROP INDEX ai_outbound_calls_lease_idx;
    DROP INDEX ai_outbound_calls_sid_idx;
    ALTER TABLE ai_outbound_calls DROP COLUMN call_sid;
  `.execute(db);
}
