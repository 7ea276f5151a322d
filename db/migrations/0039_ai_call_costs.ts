// The cost of an AI agent's inbound call that never reached a conversation (issue 20 item 5): the
// caller hung up before ConversationRelay's `setup`, so no ai_conversations row carries its
// telephony minutes. The cost settler (server/ai/analytics/settle.ts) prices such a call on the
// call itself, telephony only:
//
// - calls.ai_cost / ai_cost_breakdown: its cost by component (only telephony is non-zero);
// - calls.ai_priced_at: set once for every ended call of an agent — with a cost when the call is
//   priced here, without one when its conversation or its AI outbound call carries the cost — so
//   that the settler's partial index holds only the calls it has still to look at.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE calls
      ADD COLUMN ai_cost numeric(12, 4),
      ADD COLUMN ai_cost_breakdown jsonb,
      ADD COLUMN ai_priced_at timestamptz;
    CREATE INDEX calls_ai_unpriced_idx ON calls (ended_at) WHERE ai_agent_id IS NOT NULL AND ai_priced_at IS NULL AND ended_at IS NOT NULL;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX calls_ai_unpriced_idx;
    ALTER TABLE calls DROP COLUMN ai_priced_at, DROP COLUMN ai_cost_breakdown, DROP COLUMN ai_cost;
  `.execute(db);
}
