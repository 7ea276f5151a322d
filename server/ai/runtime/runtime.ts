// The runtime shared by the ConversationRelay socket and the text test endpoint: the model client
// (null in the local mode) and how a session is opened — for a call from the `setup` message's
// custom parameters (answer.ts), or for a text conversation by the user's organisation.
import type { FastifyBaseLogger } from 'fastify';
import type { Deps } from '../../handler-types.js';
import type { AgentVersion } from '../agents/settings.js';
import { agentVersion, currentAgentVersion } from '../agents/versions.js';
import { findCall, findOutboundCall } from './call-queries.js';
import { createModelClient } from './model-client.js';
import { findConversation, findConversationOfCall, holdConversation, insertConversation, turnsOf } from './queries.js';
import type { SetupMessage } from './relay-protocol.js';
import { ConversationSession, MAX_TOOL_ROUNDS, type SessionContext } from './session.js';
import { VOICE_HOLD_SEC } from './voice-hold.js';

export interface AiRuntime {
  context(log: FastifyBaseLogger): SessionContext;
  mode: 'model' | 'local';
  /** An agent's version (immutable rows: kept once read, so a call's `setup` costs fewer queries). */
  version(db: SessionContext['db'], orgId: string, agentId: string, version: number): Promise<AgentVersion | undefined>;
}

/** How many versions are kept (the oldest read goes first). */
const VERSION_CACHE_SIZE = 1000;

const runtimes = new WeakMap<Deps, AiRuntime>();

/** One runtime per app (its handlers and its socket share the model client). */
export function aiRuntime(deps: Deps): AiRuntime {
  let runtime = runtimes.get(deps);
  if (!runtime) {
    const model = createModelClient(deps.config);
    const versions = new Map<string, AgentVersion>();
    runtime = {
      mode: model ? 'model' : 'local',
      context: (log) => ({ db: deps.db, config: deps.config, model, embedder: deps.embedder, log }),
      async version(db, orgId, agentId, number) {
        const key = `${orgId}/${agentId}/${number}`;
        const known = versions.get(key);
        if (known) return known;
        const found = await agentVersion(db, orgId, agentId, number);
        if (found) {
          if (versions.size >= VERSION_CACHE_SIZE) versions.delete(versions.keys().next().value!);
          versions.set(key, found);
        }
        return found;
      },
    };
    runtimes.set(deps, runtime);
  }
  return runtime;
}

export type OpenResult = { ok: true; session: ConversationSession; resumed: boolean } | { ok: false; reason: string };

const POSITIVE_INT = /^[1-9][0-9]{0,9}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const E164 = /^\+[1-9][0-9]{6,14}$/;

/**
 * A call's session, from `setup`: the call (`callId`, its CallSid the one Twilio names), the agent's
 * version it runs, and the outbound call it belongs to. The conversation is held by the socket
 * (voice-hold.ts): a second socket for the call while it is held is refused; one that comes after
 * the holder died (its hold lapsed) goes on with the call's conversation.
 */
export async function openVoiceSession(runtime: AiRuntime, log: FastifyBaseLogger, setup: SetupMessage): Promise<OpenResult> {
  const ctx = runtime.context(log);
  const p = setup.customParameters;
  if (!p.callId || !POSITIVE_INT.test(p.callId) || Number(p.callId) > 2_147_483_647) return { ok: false, reason: 'setup: callId missing or malformed' };
  if (!p.agentId || !UUID.test(p.agentId)) return { ok: false, reason: 'setup: agentId missing or malformed' };
  if (!p.agentVersion || !POSITIVE_INT.test(p.agentVersion)) return { ok: false, reason: 'setup: agentVersion missing or malformed' };
  const call = await findCall(ctx.db, Number(p.callId));
  if (!call?.orgId) return { ok: false, reason: 'setup: no such call' };
  if (call.callSid !== setup.callSid) return { ok: false, reason: 'setup: callSid is not the call’s' };
  const orgId = call.orgId;
  const version = await runtime.version(ctx.db, orgId, p.agentId.toLowerCase(), Number(p.agentVersion));
  if (!version) return { ok: false, reason: 'setup: no such agent version' };
  let outbound: Awaited<ReturnType<typeof findOutboundCall>>;
  if (p.outboundCallId) {
    outbound = UUID.test(p.outboundCallId) ? await findOutboundCall(ctx.db, orgId, p.outboundCallId.toLowerCase()) : undefined;
    if (!outbound) return { ok: false, reason: 'setup: no such outbound call' };
  }
  // A caller without caller ID (withheld: `anonymous`; a SIP or client address) has no number: a
  // callback then goes to the number they give (schedule_callback's phoneNumber).
  const personPhone = outbound ? outbound.toPhone : E164.test(setup.from) ? setup.from : null;
  const info = (conversationId: string, mode: 'model' | 'local') => ({
    conversationId,
    orgId,
    version,
    channel: 'voice' as const,
    mode,
    personPhone,
    personTimeZone: outbound?.timeZone ?? null,
    outboundContext: outbound?.context ?? null,
    outbound: outbound !== undefined,
  });
  const existing = await findConversationOfCall(ctx.db, orgId, call.id);
  if (existing) {
    if (existing.status !== 'active') return { ok: false, reason: 'setup: the call’s conversation has ended' };
    // Another socket still runs it (voice-hold.ts): it keeps it; after a server died, its hold lapsed.
    const held = await holdConversation(ctx.db, orgId, existing.id, VOICE_HOLD_SEC);
    if (!held) return { ok: false, reason: (await findConversation(ctx.db, orgId, existing.id))?.status === 'active' ? 'setup: the call already has a session' : 'setup: the call’s conversation has ended' };
    return { ok: true, resumed: true, session: new ConversationSession(ctx, info(held.id, held.mode), await turnsOf(ctx.db, held.id)) };
  }
  try {
    const row = await insertConversation(ctx.db, { orgId, agentId: version.agentId, agentVersion: version.version, channel: 'voice', mode: runtime.mode, callId: call.id, outboundCallId: outbound?.id ?? null, holdSec: VOICE_HOLD_SEC });
    const session = new ConversationSession(ctx, info(row.id, runtime.mode));
    // Twilio says the welcome greeting (the agent's first message) as the call connects.
    if (version.settings.firstMessage) session.greet(version.settings.firstMessage);
    return { ok: true, resumed: false, session };
  } catch (err) {
    // Two sockets for one call at once: the other one holds the conversation.
    if ((err as { code?: string }).code === '23505') return { ok: false, reason: 'setup: the call already has a session' };
    throw err;
  }
}

export type TextOpenResult = { ok: true; session: ConversationSession } | { ok: false; status: 404 | 409; reason: string };

/**
 * How long one message may hold a text conversation (seconds): every model request it can make
 * (its rounds of tool calls, the answer, a summary) at the response timeout, and a margin.
 */
export function textHoldSec(aiResponseTimeoutMs: number): number {
  return Math.ceil((aiResponseTimeoutMs * (MAX_TOOL_ROUNDS + 2)) / 1000) + 30;
}

export const CONVERSATION_BUSY = 'Another message of this conversation is being answered; send this one when it is answered.';

/** A text conversation with the agent's current version: a new one, or one of this agent's still active. */
export async function openTextSession(runtime: AiRuntime, log: FastifyBaseLogger, orgId: string, agentId: string, conversationId: string | undefined): Promise<TextOpenResult> {
  const ctx = runtime.context(log);
  const current = await currentAgentVersion(ctx.db, orgId, agentId);
  if (!current) return { ok: false, status: 404, reason: 'agent' };
  const info = (id: string, mode: 'model' | 'local', version = current) => ({
    conversationId: id,
    orgId,
    version,
    channel: 'text' as const,
    mode,
    personPhone: null,
    outboundContext: null,
    outbound: false,
  });
  if (conversationId === undefined) {
    const holdSec = textHoldSec(ctx.config.aiResponseTimeoutMs);
    const row = await insertConversation(ctx.db, { orgId, agentId, agentVersion: current.version, channel: 'text', mode: runtime.mode, callId: null, outboundCallId: null, holdSec });
    const session = new ConversationSession(ctx, info(row.id, runtime.mode));
    if (current.settings.firstMessage) session.greet(current.settings.firstMessage);
    return { ok: true, session };
  }
  const found = await findConversation(ctx.db, orgId, conversationId);
  if (!found || found.agent_id !== agentId || found.channel !== 'text') return { ok: false, status: 404, reason: 'conversation' };
  const ended = { ok: false, status: 409, reason: 'The conversation has ended; start a new one.' } as const;
  if (found.status !== 'active') return ended;
  // One message at a time: two answered from the same transcript would write the same turns.
  const row = await holdConversation(ctx.db, orgId, found.id, textHoldSec(ctx.config.aiResponseTimeoutMs));
  if (!row) return (await findConversation(ctx.db, orgId, found.id))?.status === 'active' ? { ok: false, status: 409, reason: CONVERSATION_BUSY } : ended;
  // The conversation goes on with the version it started with.
  const version = (await agentVersion(ctx.db, orgId, agentId, row.agent_version)) ?? current;
  return { ok: true, session: new ConversationSession(ctx, info(row.id, row.mode, version), await turnsOf(ctx.db, row.id)) };
}
