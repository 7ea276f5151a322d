// AI voice agents (issue 20): what a conversation has to write since its last write — new turns,
// a barge-in's cut of a turn already spoken, the usage counted so far — in one call and one round
// trip (server/ai/runtime/turn-writes.ts). Before, each was a statement of its own: three round
// trips per turn, each built by the query builder on the runtime's event loop, which the
// conversations share (docs/benchmarks.md, "AI voice agents").
//
// In order: the turns are inserted (a seq already stored is left as it is: a text session resumed
// twice at once), then the cuts are applied — they may name a turn inserted by this same call —
// then the usage is added.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION record_ai_turn_writes(p_conversation_id uuid, p_turns jsonb, p_cuts jsonb, p_usage jsonb)
    RETURNS void LANGUAGE plpgsql VOLATILE AS $fn$
    BEGIN
      IF jsonb_array_length(p_turns) > 0 THEN
        INSERT INTO ai_turns (conversation_id, seq, role, content, tool_name, tool_call_id, tool_arguments, interrupted,
          started_at, ended_at, first_token_ms, model_first_token_ms)
        SELECT p_conversation_id, t.seq, t.role, t.content, t.tool_name, t.tool_call_id, t.tool_arguments, t.interrupted,
          t.started_at, t.ended_at, t.first_token_ms, t.model_first_token_ms
        FROM jsonb_to_recordset(p_turns) AS t(seq integer, role text, content text, tool_name text, tool_call_id text,
          tool_arguments jsonb, interrupted boolean, started_at timestamptz, ended_at timestamptz, first_token_ms integer,
          model_first_token_ms integer)
        ORDER BY t.seq
        ON CONFLICT (conversation_id, seq) DO NOTHING;
      END IF;
      IF jsonb_array_length(p_cuts) > 0 THEN
        UPDATE ai_turns a SET content = c.spoken, interrupted = true
        FROM jsonb_to_recordset(p_cuts) AS c(seq integer, spoken text)
        WHERE a.conversation_id = p_conversation_id AND a.seq = c.seq;
      END IF;
      IF p_usage IS NOT NULL THEN
        UPDATE ai_conversations SET
          prompt_tokens = prompt_tokens + (p_usage->>'promptTokens')::integer,
          completion_tokens = completion_tokens + (p_usage->>'completionTokens')::integer,
          stt_seconds = stt_seconds + (p_usage->>'sttSeconds')::numeric,
          tts_characters = tts_characters + (p_usage->>'ttsCharacters')::integer
        WHERE id = p_conversation_id;
      END IF;
    END
    $fn$
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP FUNCTION record_ai_turn_writes(uuid, jsonb, jsonb, jsonb)`.execute(db);
}
