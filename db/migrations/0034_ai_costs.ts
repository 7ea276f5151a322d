// AI call costs and analytics (issue 20, server/ai/analytics).
//
// - ai_conversations.cost / cost_breakdown / priced_at: what a conversation that is not part of an
//   AI outbound call cost (an inbound call to an agent, or a text test session), priced once by
//   the cost settler after it ends. A conversation of an outbound call is priced with that call
//   (ai_outbound_calls.cost): it gets `priced_at` and no cost of its own, so nothing is counted
//   twice.
// - Indexes: the settler's "ended, not yet priced" look-ups (partial, so they stay small), and the
//   analytics ranges: outbound AI calls by the time they were placed, inbound calls taken by an
//   agent by the time they came in (partial on calls: the organisation's other calls are not in it).
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE ai_conversations
      ADD COLUMN cost numeric(12, 4),
      ADD COLUMN cost_breakdown jsonb,
      ADD COLUMN priced_at timestamptz;

    CREATE INDEX ai_conversations_unpriced_idx ON ai_conversations (ended_at) WHERE priced_at IS NULL AND ended_at IS NOT NULL;
    CREATE INDEX ai_conversations_outbound_idx ON ai_conversations (outbound_call_id) WHERE outbound_call_id IS NOT NULL;
    CREATE INDEX ai_outbound_calls_unpriced_idx ON ai_outbound_calls (ended_at) WHERE cost IS NULL AND ended_at IS NOT NULL;
    CREATE INDEX ai_outbound_calls_started_idx ON ai_outbound_calls (org_id, started_at) WHERE started_at IS NOT NULL;
    CREATE INDEX calls_ai_org_created_idx ON calls (org_id, created_at) WHERE ai_agent_id IS NOT NULL;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX calls_ai_org_created_idx;
    DROP INDEX ai_outbound_calls_started_idx;
    DROP INDEX ai_outbound_calls_unpriced_idx;
    DROP INDEX ai_conversations_outbound_idx;
    DROP INDEX ai_conversations_unpriced_idx;
    ALTER TABLE ai_conversations DROP COLUMN priced_at, DROP COLUMN cost_breakdown, DROP COLUMN cost;
  `.execute(db);
}
