// The Twilio webhooks (HTTP glue). The signature was checked before validation (routes.ts);
// answers are TwiML (text/xml) or 204 for status callbacks.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CallSidConflictError } from '../calls/queries/index.js';
import { ERRORS } from '../../platform/errors.js';
import type { Deps, HandlerGroup } from '../../handler-types.js';
import { parseIntId } from '../../platform/common/ids.js';
import { answerDialStatus, answerFlowStep, answerResume, answerVoicemail, applyRecordingStatus, applyStatusCallback } from './callbacks.js';
import type { RouteDeps } from './route-call.js';
import { webhookUrls } from './urls.js';
import { answerVoice } from './voice.js';

type WebhookOps =
  | 'voiceWebhook'
  | 'poolVoiceWebhook'
  | 'callStatusWebhook'
  | 'callStatusWebhookLegacy'
  | 'dialStatusWebhook'
  | 'flowStepWebhook'
  | 'resumeWebhook'
  | 'voicemailWebhook'
  | 'recordingStatusWebhook';

function twiml(reply: FastifyReply, xml: string): { status: 200; body: string } {
  void reply.type('text/xml; charset=utf-8');
  return { status: 200, body: xml };
}

async function guardCallSid<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    // Twilio CallSids are unique across accounts: the same sid on another organisation's number is bad input.
    if (err instanceof CallSidConflictError) throw ERRORS.validation({ CallSid: 'is already recorded for another number' });
    throw err;
  }
}

export function createWebhookHandlers({ db, rtb, bidRows, config, routeCache, telephony, audioUrls }: Deps): HandlerGroup<WebhookOps> {
  const callSource = telephony.kind === 'simulator' ? 'simulator' : 'twilio';
  const route: RouteDeps = { db, rtb, bidRows, urls: webhookUrls(config.publicBaseUrl, (id) => audioUrls.playUrl(id)), cache: routeCache, callSource };
  // The request's logger reports a failure to queue tracking pixels (the answer goes out anyway).
  const withLog = (req: FastifyRequest): RouteDeps => ({ ...route, log: req.log });
  const status = async (req: FastifyRequest, body: Parameters<typeof applyStatusCallback>[1]) => {
    await applyStatusCallback(withLog(req), body);
    return { status: 204 as const, body: undefined };
  };
  return {
    async voiceWebhook(ctx) {
      return twiml(ctx.reply, await guardCallSid(answerVoice(withLog(ctx.req), ctx.body)));
    },
    async poolVoiceWebhook(ctx) {
      // A malformed or unknown pool id is a number we do not know: the polite message, recorded.
      return twiml(ctx.reply, await guardCallSid(answerVoice(withLog(ctx.req), ctx.body, parseIntId(ctx.params.poolId))));
    },
    callStatusWebhook: (ctx) => status(ctx.req, ctx.body),
    callStatusWebhookLegacy: (ctx) => status(ctx.req, ctx.body),
    async dialStatusWebhook(ctx) {
      const query = { attempt: ctx.query.attempt ?? 1, route: ctx.query.route ?? 'auto', flowId: ctx.query.flowId, next: ctx.query.next };
      return twiml(ctx.reply, await answerDialStatus(withLog(ctx.req), query, ctx.body));
    },
    async flowStepWebhook(ctx) {
      return twiml(ctx.reply, await answerFlowStep(route, ctx.query, ctx.body));
    },
    async voicemailWebhook(ctx) {
      return twiml(ctx.reply, await answerVoicemail(route, ctx.body));
    },
    async recordingStatusWebhook(ctx) {
      await applyRecordingStatus(route, ctx.body);
      return { status: 204 as const, body: undefined };
    },
    async resumeWebhook(ctx) {
      return twiml(ctx.reply, await answerResume(route, ctx.body));
    },
  };
}
