// AI outbound calls (issue 20, server/ai/outbound): the carrier's CallSid of an attempt, stored as
// soon as the carrier has the call (and by its first webhook, should the worker have stopped
// before storing it). A claim whose lease lapsed is placed again only when it has no CallSid: a
// call the carrier already has is never dialled twice.
//
// lead_imports.kind: the CSV import machinery (server/crm/imports) runs a second kind of import,
// AI outbound calls (seed 004 /bulk/import): `leads` (every import so far) or `ai_calls`, whose
// rows become ai_outbound_calls (their import_id). Each worker claims its own kind.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE ai_outbound_calls ADD COLUMN call_sid text;
    CREATE UNIQUE INDEX ai_outbound_calls_sid_idx ON ai_outbound_calls (call_sid) WHERE call_sid IS NOT NULL;
    CREATE INDEX ai_outbound_calls_lease_idx ON ai_outbound_calls (locked_until) WHERE status IN ('queued', 'in-progress');
    CREATE INDEX ai_outbound_calls_retry_idx ON ai_outbound_calls (org_id, scheduled_for) WHERE status = 'scheduled' AND attempt > 1;
    ALTER TABLE lead_imports ADD COLUMN kind text NOT NULL DEFAULT 'leads' CHECK (kind IN ('leads', 'ai_calls'));
    CREATE INDEX ai_outbound_calls_import_idx ON ai_outbound_calls (import_id) WHERE import_id IS NOT NULL;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX ai_outbound_calls_import_idx;
    ALTER TABLE lead_imports DROP COLUMN kind;
    DROP INDEX ai_outbound_calls_retry_idx;
    DROP INDEX ai_outbound_calls_lease_idx;
    DROP INDEX ai_outbound_calls_sid_idx;
    ALTER TABLE ai_outbound_calls DROP COLUMN call_sid;
  `.execute(db);
}
