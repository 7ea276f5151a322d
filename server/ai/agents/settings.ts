// An AI agent's settings as one value (pure): what a version stores (ai_agent_versions.settings)
// and what a conversation or an outbound call runs with. Written by agents/ when an agent is
// created or changed; read by the runtime and the outbound worker through versions.ts.
import type { RetryPolicy } from '../../dialer/schedule/retry-policy.js';

/**
 * The tools an agent may be given (DESIGN.md 9.4). The model sees each as a function; the
 * runtime executes it: a transfer ends the ConversationRelay session with `handoffData` naming
 * where the call goes, `end_call` ends it, `search_knowledge_base` answers with passages of the
 * agent's documents, `schedule_callback` books an AI outbound call, `play_audio` has
 * ConversationRelay play a recording (`play`), `send_digits` presses keys (`sendDigits`).
 */
export type AgentTool =
  | { type: 'transfer_to_person'; description?: string | undefined; humanAgentId: string }
  | { type: 'transfer_to_number'; description?: string | undefined; phoneNumber: string }
  | { type: 'transfer_to_campaign'; description?: string | undefined; campaignId: string }
  | { type: 'end_call'; description?: string | undefined }
  | { type: 'search_knowledge_base'; description?: string | undefined }
  | { type: 'schedule_callback'; description?: string | undefined }
  | { type: 'play_audio'; description?: string | undefined; audioUrl: string }
  | { type: 'send_digits'; description?: string | undefined };

export type AgentToolType = AgentTool['type'];

export interface AgentSettings {
  name: string;
  systemPrompt: string;
  /** Said when a call connects (ConversationRelay's welcomeGreeting); null: the caller speaks first. */
  firstMessage: string | null;
  voice: string | null;
  /** BCP 47, e.g. en-US. */
  language: string;
  model: string;
  temperature: number;
  maxTokens: number;
  tools: AgentTool[];
  /** The dialer's retry model (server/dialer/schedule/retry-policy.ts); shown in seed 004's shape. */
  retryPolicy: RetryPolicy;
  isActive: boolean;
}

/** A version of an agent: the settings a call or conversation ran with. */
export interface AgentVersion {
  agentId: string;
  orgId: string;
  version: number;
  settings: AgentSettings;
  createdAt: Date;
}
