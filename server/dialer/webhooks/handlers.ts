// The outbound dialer's Twilio webhooks (HTTP glue). The signature was checked before validation
// (routes.ts); answers are TwiML or 204. A webhook names our call (`callId`); one whose CallSid
// belongs to another call is a 404 (see calls.ts).
import type { FastifyReply } from 'fastify';
import type { Deps, HandlerGroup } from '../../handler-types.js';
import { ERRORS } from '../../platform/errors.js';
import { answerAgent, answerOutbound, type OutboundWebhookDeps } from './answer.js';
import { releaseAgent } from './agent-claim.js';
import { agentLegEnded } from './agent-leg.js';
import { keepRecording, markProgress, outboundCall } from './calls.js';
import { finishCall } from './finish.js';
import { outboundUrls } from './urls.js';
import type { FinalCallStatus } from '../loop/outcome.js';

type OutboundWebhookOps =
  | 'outboundAnswerWebhook'
  | 'outboundStatusWebhook'
  | 'outboundAmdWebhook'
  | 'outboundAgentAnswerWebhook'
  | 'outboundAgentStatusWebhook'
  | 'outboundConferenceStatusWebhook'
  | 'outboundRecordingWebhook';

const FINAL: ReadonlySet<string> = new Set<FinalCallStatus>(['completed', 'busy', 'no-answer', 'failed', 'canceled']);

function twiml(reply: FastifyReply, xml: string): { status: 200; body: string } {
  void reply.type('text/xml; charset=utf-8');
  return { status: 200, body: xml };
}

const done = { status: 204 as const, body: undefined };

export function createOutboundWebhookHandlers({ db, config, telephony, audioUrls }: Deps): HandlerGroup<OutboundWebhookOps> {
  const deps: OutboundWebhookDeps = { db, telephony, urls: outboundUrls(config.publicBaseUrl), audioUrl: (id) => audioUrls.playUrl(id) };

  async function callOf(callId: number, callSid: string) {
    const call = await outboundCall(db, callId, callSid);
    if (!call) throw ERRORS.notFound('Outbound call', callId);
    return call;
  }

  /** The call an agent's leg belongs to (the agent's CallSid is not the call's). */
  async function agentCallOf(callId: number, agentId: string) {
    const call = await db.selectFrom('calls').selectAll().where('id', '=', callId).where('direction', '=', 'outbound').where('agent_id', '=', agentId).executeTakeFirst();
    if (!call) throw ERRORS.notFound('Outbound call', callId);
    return call;
  }

  return {
    async outboundAnswerWebhook(ctx) {
      const call = await callOf(ctx.query.callId, ctx.body.CallSid);
      return twiml(ctx.reply, await answerOutbound({ ...deps, log: ctx.req.log }, call, { callId: call.id, poll: ctx.query.poll ?? 0, agentWait: ctx.query.agentWait ?? 0 }));
    },

    async outboundStatusWebhook(ctx) {
      const call = await callOf(ctx.query.callId, ctx.body.CallSid);
      const status = ctx.body.CallStatus;
      if (FINAL.has(status)) {
        await finishCall(db, call.id, { status: status as FinalCallStatus, durationSec: Number(ctx.body.CallDuration ?? 0), price: ctx.body.Price }, new Date());
      } else if (status === 'initiated' || status === 'ringing' || status === 'in-progress' || status === 'queued') {
        await markProgress(db, call.id, status);
      }
      return done;
    },

    async outboundAmdWebhook(ctx) {
      const call = await callOf(ctx.query.callId, ctx.body.CallSid);
      await db.updateTable('calls').set({ answered_by: ctx.body.AnsweredBy }).where('id', '=', call.id).where('answered_by', 'is', null).execute();
      return done;
    },

    async outboundAgentAnswerWebhook(ctx) {
      const call = await agentCallOf(ctx.query.callId, ctx.query.agentId);
      return twiml(ctx.reply, await answerAgent(deps, call, ctx.query.agentId));
    },

    async outboundAgentStatusWebhook(ctx) {
      const call = await db.selectFrom('calls').selectAll().where('id', '=', ctx.query.callId).where('direction', '=', 'outbound').executeTakeFirst();
      // A call abandoned because this agent never answered has no agent any more: a repeated delivery changes nothing.
      if (call && call.agent_id === null && call.disposition === 'abandoned') return done;
      if (!call || call.agent_id !== ctx.query.agentId) throw ERRORS.notFound('Outbound call', ctx.query.callId);
      if (FINAL.has(ctx.body.CallStatus)) await agentLegEnded({ db, telephony, abandonUrl: (id) => deps.urls.answer(id), log: ctx.req.log }, call, ctx.query.agentId, ctx.body.CallStatus);
      return done;
    },

    async outboundConferenceStatusWebhook(ctx) {
      const call = await db.selectFrom('calls').selectAll().where('id', '=', ctx.query.callId).where('direction', '=', 'outbound').executeTakeFirst();
      if (!call) throw ERRORS.notFound('Outbound call', ctx.query.callId);
      // The agent's leg left (the lead's own leg is the call's CallSid): the agent is free again.
      if (ctx.body.StatusCallbackEvent === 'participant-leave' && ctx.body.CallSid !== call.call_sid && call.agent_id && call.org_id) {
        await releaseAgent(db, call.org_id, call.agent_id, call.id);
      }
      return done;
    },

    async outboundRecordingWebhook(ctx) {
      const call = await callOf(ctx.query.callId, ctx.body.CallSid);
      if (ctx.body.RecordingStatus === 'completed') await keepRecording(db, call.id, ctx.body.RecordingSid, ctx.body.RecordingUrl);
      return done;
    },
  };
}
