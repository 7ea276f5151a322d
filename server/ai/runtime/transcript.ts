// A conversation's transcript, turn by turn (ai_turns), in seed 004's shape plus our timings.
// Read by the conversations API and by AI outbound calls' details. Functions take `db` first.
import type { Db } from '../../../db/types.js';
import { iso } from '../../platform/common/dates.js';

export interface TranscriptTurn {
  role: 'user' | 'assistant' | 'tool';
  content: string;
  /** When the turn began (ISO 8601). */
  timestamp: string;
  /** An assistant turn cut by the caller (barge-in): `content` is what was said before it. */
  interrupted: boolean;
  toolName: string | null;
  /** A tool turn: what the model asked of the tool. */
  toolArguments: Record<string, unknown> | null;
  /** From the caller's words to our first token, and the model's own first-token time (ms). */
  firstTokenMs: number | null;
  modelFirstTokenMs: number | null;
}

/** The turns of a conversation, in order. The caller has checked the conversation is the organisation's. */
export async function transcriptOf(db: Db, conversationId: string): Promise<TranscriptTurn[]> {
  const rows = await db
    .selectFrom('ai_turns')
    .select(['role', 'content', 'started_at', 'interrupted', 'tool_name', 'tool_arguments', 'first_token_ms', 'model_first_token_ms'])
    .where('conversation_id', '=', conversationId)
    .orderBy('seq')
    .execute();
  return rows.map((r) => ({
    role: r.role,
    content: r.content,
    timestamp: iso(r.started_at),
    interrupted: r.interrupted,
    toolName: r.tool_name,
    toolArguments: r.tool_arguments,
    firstTokenMs: r.first_token_ms,
    modelFirstTokenMs: r.model_first_token_ms,
  }));
}
