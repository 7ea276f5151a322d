// What the model is given (pure): the system message (the agent's prompt, plus what the runtime
// knows of the conversation) and the history rebuilt from stored turns when a text conversation
// goes on in a later request.
import type { ChatCompletionAssistantMessageParam, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { AgentSettings } from '../agents/settings.js';

export interface PromptContext {
  channel: 'voice' | 'text';
  /** The person on the other end of a call (the caller, or whom the agent called). */
  personPhone: string | null;
  /** Set when the agent placed the call: the outbound call's context. */
  outboundContext: string | null;
  outbound: boolean;
  now: Date;
}

export function systemMessage(settings: AgentSettings, context: PromptContext): string {
  const lines = [settings.systemPrompt.trim()];
  lines.push(
    context.channel === 'voice'
      ? 'You are speaking with a person on a phone call: answer in short spoken sentences, without lists, markdown or emoji.'
      : 'This is a text test of a phone agent: answer exactly as you would on the phone.',
  );
  if (context.outbound) lines.push('You placed this call.');
  if (context.outboundContext) lines.push(`Context of the call: ${context.outboundContext}`);
  if (context.personPhone) lines.push(`The other person's phone number is ${context.personPhone}.`);
  lines.push(`The current date and time is ${context.now.toISOString()} (UTC).`);
  return lines.filter(Boolean).join('\n\n');
}

export interface StoredTurn {
  role: 'user' | 'assistant' | 'tool';
  content: string;
  tool_name: string | null;
  tool_call_id: string | null;
  /** A tool turn's call arguments (null: not stored, as before migration 0036 — sent as `{}`). */
  tool_arguments?: Record<string, unknown> | null;
}

/**
 * The messages of stored turns, in order. A tool turn answers a call the model made: the call is
 * put back, with the arguments it was made with, on the assistant message before it, or on an
 * assistant message of its own.
 */
export function historyFromTurns(turns: readonly StoredTurn[]): ChatCompletionMessageParam[] {
  const messages: ChatCompletionMessageParam[] = [];
  for (const turn of turns) {
    if (turn.role === 'user') messages.push({ role: 'user', content: turn.content });
    else if (turn.role === 'assistant') messages.push({ role: 'assistant', content: turn.content });
    else {
      const id = turn.tool_call_id ?? `call_${messages.length}`;
      const call = { id, type: 'function' as const, function: { name: turn.tool_name ?? 'tool', arguments: JSON.stringify(turn.tool_arguments ?? {}) } };
      const last = messages[messages.length - 1];
      if (last?.role === 'assistant') {
        const assistant = last as ChatCompletionAssistantMessageParam;
        assistant.tool_calls = [...(assistant.tool_calls ?? []), call];
      } else if (last?.role === 'tool') {
        // another call of the same round: on the assistant message the previous tool answered
        for (let i = messages.length - 1; i >= 0; i -= 1) {
          const m = messages[i]!;
          if (m.role === 'assistant') {
            (m as ChatCompletionAssistantMessageParam).tool_calls = [...((m as ChatCompletionAssistantMessageParam).tool_calls ?? []), call];
            break;
          }
        }
      } else messages.push({ role: 'assistant', content: null, tool_calls: [call] });
      messages.push({ role: 'tool', tool_call_id: id, content: turn.content });
    }
  }
  return messages;
}
