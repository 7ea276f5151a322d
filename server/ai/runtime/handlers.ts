// server/ai/runtime (issue 20): talking to an agent by text through the same runtime as a call
// (POST /api/ai-agents/{id}/test), conversations and their transcripts, and the webhook Twilio
// posts when a ConversationRelay session ends (its TwiML continues the call). Scoped by
// organisation: another organisation's agent or conversation is a 404.
import type { FastifyReply } from 'fastify';
import type { Deps, HandlerGroup } from '../../handler-types.js';
import { parseUuid } from '../../platform/common/ids.js';
import { ERRORS } from '../../platform/errors.js';
import { findCall } from './call-queries.js';
import { presentConversation } from './mapping.js';
import { findConversation, listConversations, releaseConversation } from './queries.js';
import { continueCall } from './relay-end.js';
import { aiRuntime, openTextSession } from './runtime.js';
import type { TurnSink } from './session.js';
import { transcriptOf } from './transcript.js';
import { performance } from 'node:perf_hooks';

type RuntimeOps = 'testAiAgent' | 'listAiConversations' | 'getAiConversation' | 'aiRelayEndWebhook';

function twiml(reply: FastifyReply, xml: string): { status: 200; body: string } {
  void reply.type('text/xml; charset=utf-8');
  return { status: 200, body: xml };
}

export function createAiRuntimeHandlers(deps: Deps): HandlerGroup<RuntimeOps> {
  const { db } = deps;

  return {
    async testAiAgent(ctx) {
      const { orgId } = ctx.principal();
      const receivedAt = performance.now();
      const agentId = parseUuid(ctx.params.id);
      if (!agentId) throw ERRORS.notFound('AI agent', ctx.params.id);
      const runtime = aiRuntime(deps);
      const opened = await openTextSession(runtime, ctx.req.log, orgId, agentId, ctx.body.conversationId?.toLowerCase());
      if (!opened.ok) {
        if (opened.status === 409) throw ERRORS.conflict({ conversationId: opened.reason });
        if (opened.reason === 'agent') throw ERRORS.notFound('AI agent', ctx.params.id);
        throw ERRORS.notFound('AI conversation', ctx.body.conversationId ?? '');
      }
      const { session } = opened;
      const sink: TurnSink = { text: () => {}, end: () => {}, act: () => {} };
      let result: Awaited<ReturnType<typeof session.respond>>;
      try {
        result = await session.respond({ text: ctx.body.message, kind: 'text', receivedAt }, sink);
        await session.flush();
        if (result.ended) await session.finish('ended_by_agent');
      } finally {
        // The next message of the conversation may come (held since openTextSession).
        await releaseConversation(db, orgId, session.info.conversationId);
      }
      return {
        status: 200,
        body: {
          conversationId: session.info.conversationId,
          reply: result.reply,
          mode: session.info.mode,
          toolCalls: result.toolCalls,
          ended: result.ended,
          handoff: result.handoff,
        },
      };
    },

    async listAiConversations(ctx) {
      const { orgId } = ctx.principal();
      const limit = ctx.query.limit ?? 50;
      const page = ctx.query.page ?? 1;
      const { rows, total } = await listConversations(db, orgId, { agentId: ctx.query.agentId?.toLowerCase(), channel: ctx.query.channel, limit, offset: (page - 1) * limit });
      return { status: 200, body: { conversations: rows.map(presentConversation), pagination: { page, limit, total, totalPages: Math.ceil(total / limit) } } };
    },

    async getAiConversation(ctx) {
      const { orgId } = ctx.principal();
      const id = parseUuid(ctx.params.id);
      const row = id ? await findConversation(db, orgId, id) : undefined;
      if (!row) throw ERRORS.notFound('AI conversation', ctx.params.id);
      return { status: 200, body: { ...presentConversation(row), transcript: await transcriptOf(db, row.id) } };
    },

    async aiRelayEndWebhook(ctx) {
      const call = await findCall(db, ctx.query.callId);
      if (!call?.orgId || call.callSid !== ctx.body.CallSid) throw ERRORS.notFound('Call', ctx.query.callId);
      const next = await continueCall(db, {
        orgId: call.orgId,
        callStatus: ctx.body.CallStatus,
        sessionStatus: ctx.body.SessionStatus,
        handoffData: ctx.body.HandoffData,
      });
      ctx.req.log.info({ callId: call.id, target: next.target.kind, dialled: next.dialled !== null }, 'ConversationRelay session ended');
      return twiml(ctx.reply, next.twiml);
    },
  };
}
