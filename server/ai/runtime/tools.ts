// An agent's tools as the model sees them (pure): each AgentTool becomes one function definition
// (named by its type; a second tool of the same type gets `_2`, …), and a call's arguments are
// read and checked here before the runtime executes it (tool-runner.ts).
import { DateTime } from 'luxon';
import type { ChatCompletionFunctionTool } from 'openai/resources/chat/completions';
import type { AgentTool } from '../agents/settings.js';
import { storableValue } from './storable.js';

export interface BoundTool {
  name: string;
  tool: AgentTool;
  definition: ChatCompletionFunctionTool;
}

const DESCRIPTIONS: Record<AgentTool['type'], string> = {
  transfer_to_person: 'Transfer the caller to a human agent when they ask for a person or you cannot help.',
  transfer_to_number: 'Transfer the call to another phone number when the caller needs that department.',
  transfer_to_campaign: 'Hand the call to a campaign (its own routing takes it).',
  end_call: 'End the call once the conversation is over (say goodbye first).',
  search_knowledge_base: "Search the organisation's knowledge base for facts to answer the caller.",
  schedule_callback: 'Book a call back to the caller at a given time.',
  play_audio: 'Play the prepared recording to the caller.',
  send_digits: 'Press keys on the phone keypad, e.g. to choose an option in a phone menu.',
};

/** Keys ConversationRelay's sendDigits takes: digits, * and #, w for a half-second pause. */
export const DIGITS = /^[0-9*#w]{1,32}$/;

function parametersOf(type: AgentTool['type']): Record<string, unknown> {
  switch (type) {
    case 'search_knowledge_base':
      return { type: 'object', properties: { query: { type: 'string', description: 'What to look for.' } }, required: ['query'] };
    case 'schedule_callback':
      return {
        type: 'object',
        properties: {
          scheduledFor: { type: 'string', description: 'When to call back: ISO 8601 date and time with its offset, e.g. 2025-11-03T15:00:00-05:00.' },
          reason: { type: 'string', description: 'Why, in a few words.' },
          phoneNumber: { type: 'string', description: 'Only when the caller has no number (a text conversation, a withheld caller ID): whom to call, E.164.' },
        },
        required: ['scheduledFor'],
      };
    case 'send_digits':
      return {
        type: 'object',
        properties: { digits: { type: 'string', pattern: DIGITS.source, description: 'The keys to press in order: 0-9, * and #; w waits half a second.' } },
        required: ['digits'],
      };
    default:
      return { type: 'object', properties: { reason: { type: 'string', description: 'Why, in a few words.' } } };
  }
}

/** The function definitions of an agent's tools, with the tool each name stands for. */
export function bindTools(tools: readonly AgentTool[]): BoundTool[] {
  const seen = new Map<string, number>();
  return tools.map((tool) => {
    const count = (seen.get(tool.type) ?? 0) + 1;
    seen.set(tool.type, count);
    const name = count === 1 ? tool.type : `${tool.type}_${count}`;
    return {
      name,
      tool,
      definition: { type: 'function', function: { name, description: tool.description || DESCRIPTIONS[tool.type], parameters: parametersOf(tool.type) } },
    };
  });
}

/** A call's arguments as an object (the model sends a JSON string; anything else is `{}`), its text storable (storable.ts). */
export function parseArguments(raw: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(raw || '{}');
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? storableValue(value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Where a transfer tool sends the call: the `end` message's handoffData (read back by relay-end.ts). */
export function transferHandoff(tool: AgentTool, reason: unknown): Record<string, unknown> | null {
  const why = typeof reason === 'string' && reason.trim() ? { note: reason.trim().slice(0, 500) } : {};
  switch (tool.type) {
    case 'transfer_to_number':
      return { reason: 'transfer', type: tool.type, phoneNumber: tool.phoneNumber, ...why };
    case 'transfer_to_person':
      return { reason: 'transfer', type: tool.type, humanAgentId: tool.humanAgentId, ...why };
    case 'transfer_to_campaign':
      return { reason: 'transfer', type: tool.type, campaignId: tool.campaignId, ...why };
    default:
      return null;
  }
}

/** The latest a callback may be booked, from now. */
export const MAX_CALLBACK_DAYS = 90;
const OFFSET_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** schedule_callback's time: an ISO date-time with an offset, in the future, within MAX_CALLBACK_DAYS. */
export function callbackTime(raw: unknown, now: Date): { ok: true; at: Date } | { ok: false; reason: string } {
  if (typeof raw !== 'string' || !OFFSET_DATE_TIME.test(raw.trim())) {
    return { ok: false, reason: 'scheduledFor must be an ISO 8601 date and time with an offset, e.g. 2025-11-03T15:00:00-05:00' };
  }
  // Date rolls a day the month does not have into the next month (30 February → 2 March): luxon does not.
  const at = new Date(raw.trim());
  if (Number.isNaN(at.getTime()) || !DateTime.fromISO(raw.trim(), { setZone: true }).isValid) return { ok: false, reason: 'scheduledFor is not a real date and time' };
  if (at.getTime() <= now.getTime()) return { ok: false, reason: 'scheduledFor must be in the future' };
  if (at.getTime() > now.getTime() + MAX_CALLBACK_DAYS * 86_400_000) return { ok: false, reason: `scheduledFor must be within ${MAX_CALLBACK_DAYS} days` };
  return { ok: true, at };
}

/**
 * The IANA zone of a date-time's whole-hour offset (`-05:00` → `Etc/GMT+5`: POSIX signs are
 * inverted), or null for `Z` / `+00:00` and offsets no Etc zone names (half hours).
 */
export function zoneOfOffset(raw: string): string | null {
  const match = /([+-])(\d{2}):(\d{2})$/.exec(raw.trim());
  if (!match || match[3] !== '00') return null;
  const hours = Number(match[2]);
  if (hours === 0) return null;
  if (match[1] === '-' ? hours > 12 : hours > 14) return null;
  return `Etc/GMT${match[1] === '-' ? '+' : '-'}${hours}`;
}
