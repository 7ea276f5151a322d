// Executing a tool the model called: the knowledge-base search, a callback booked as an AI
// outbound call, the end of the conversation (end_call, a transfer: the session ends with
// handoffData), or something the caller hears (play_audio, send_digits: the session passes it to
// its channel as ConversationRelay's `play` / `sendDigits`). A tool that cannot do what was asked
// answers the model with why (never throws at it).
import type { Db } from '../../../db/types.js';
import type { Embedder } from '../knowledge/embedder.js';
import { findPassages } from '../knowledge/hybrid-search.js';
import { insertCallback } from './call-queries.js';
import type { EndReason } from './outcome.js';
import { type BoundTool, callbackTime, DIGITS, transferHandoff, zoneOfOffset } from './tools.js';

export interface ToolScope {
  orgId: string;
  agentId: string;
  agentVersion: number;
  conversationId: string;
  /** Whom a callback calls (null in a text session: the model must give `phoneNumber`). */
  personPhone: string | null;
  /** The person's IANA time zone when known (an outbound call's); else the callback time's offset tells it. */
  personTimeZone: string | null;
}

/** What the channel is asked to do for a tool (ConversationRelay's `play` and `sendDigits`). */
export type ChannelAction = { kind: 'play'; source: string } | { kind: 'sendDigits'; digits: string };

export interface ToolOutcome {
  result: string;
  /** Set when the tool ends the conversation. */
  end: { reason: EndReason; handoff: Record<string, unknown> } | null;
  action?: ChannelAction;
}

const E164 = /^\+[1-9][0-9]{6,14}$/;
const MAX_QUERY = 500;

export async function runTool(db: Db, embedder: Embedder | null, scope: ToolScope, bound: BoundTool, args: Record<string, unknown>, now: Date): Promise<ToolOutcome> {
  const { tool } = bound;
  switch (tool.type) {
    case 'search_knowledge_base': {
      const query = typeof args.query === 'string' ? args.query.trim().slice(0, MAX_QUERY) : '';
      if (!query) return { result: 'The search needs a query.', end: null };
      const { passages } = await findPassages(db, scope.orgId, { text: query, agentId: scope.agentId, limit: 3 }, embedder);
      if (passages.length === 0) return { result: `Nothing in the knowledge base matches "${query}".`, end: null };
      return { result: JSON.stringify(passages.map((p) => ({ documentTitle: p.documentTitle, content: p.content, score: p.score }))), end: null };
    }
    case 'schedule_callback': {
      const when = callbackTime(args.scheduledFor, now);
      if (!when.ok) return { result: `No callback booked: ${when.reason}.`, end: null };
      const given = typeof args.phoneNumber === 'string' ? args.phoneNumber.trim() : null;
      const toPhone = scope.personPhone ?? given;
      if (!toPhone || !E164.test(toPhone)) return { result: 'No callback booked: no phone number in E.164 form (e.g. +12125551234) to call back.', end: null };
      const reason = typeof args.reason === 'string' && args.reason.trim() ? args.reason.trim().slice(0, 500) : null;
      // The worker places it within the legal calling hours of this zone: the person's, not UTC's.
      const timeZone = scope.personTimeZone ?? zoneOfOffset(String(args.scheduledFor)) ?? 'UTC';
      const id = await insertCallback(db, { ...scope, toPhone, scheduledFor: when.at, timeZone, reason });
      if (!id) return { result: 'No callback booked: this agent no longer places calls (it was archived or deactivated).', end: null };
      return { result: `Callback booked for ${when.at.toISOString()} to ${toPhone} (call ${id}).`, end: null };
    }
    case 'end_call':
      return { result: 'The call is ending.', end: { reason: 'ended_by_agent', handoff: { reason: 'end_call' } } };
    case 'play_audio':
      return { result: 'The recording is playing to the caller.', end: null, action: { kind: 'play', source: tool.audioUrl } };
    case 'send_digits': {
      const digits = typeof args.digits === 'string' ? args.digits.trim() : '';
      if (!DIGITS.test(digits)) return { result: 'No keys pressed: digits must be 1 to 32 of 0-9, *, # and w (a pause).', end: null };
      return { result: `Pressed ${digits}.`, end: null, action: { kind: 'sendDigits', digits } };
    }
    default: {
      const handoff = transferHandoff(tool, args.reason);
      if (!handoff) return { result: `Unknown tool ${bound.name}.`, end: null };
      return { result: 'Transferring the call.', end: { reason: 'transferred', handoff } };
    }
  }
}
