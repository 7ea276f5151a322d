// A conversation as the API answers it (pure).
import type { components } from '../../../client/schema.js';
import type { AiConversationRow } from '../../../db/types/ai.js';
import { iso, isoOrNull } from '../../platform/common/dates.js';

type AiConversation = components['schemas']['AiConversation'];

export function presentConversation(row: AiConversationRow): AiConversation {
  return {
    id: row.id,
    agentId: row.agent_id,
    agentVersion: row.agent_version,
    channel: row.channel,
    mode: row.mode,
    status: row.status,
    callId: row.call_id,
    outboundCallId: row.outbound_call_id,
    endReason: row.end_reason,
    handoff: row.handoff,
    summary: row.summary,
    outcome: row.outcome,
    usage: {
      promptTokens: row.prompt_tokens,
      completionTokens: row.completion_tokens,
      sttSeconds: Number(row.stt_seconds),
      ttsCharacters: row.tts_characters,
    },
    startedAt: iso(row.started_at),
    endedAt: isoOrNull(row.ended_at),
  };
}
