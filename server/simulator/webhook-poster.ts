// How the simulated carrier reaches our webhooks: as Twilio does — a form POST signed with the
// webhook token over the absolute URL (twilio.getExpectedTwilioSignature) — but injected into this
// server (no network, no dependence on PUBLIC_BASE_URL being reachable from here). The request goes
// through the whole pipeline: signature check, validation, handler. Like Twilio, it waits at most
// WEBHOOK_TIMEOUT_MS for the answer: a webhook still busy then counts as failed (status 0, error
// 11205), and the call goes on as Twilio's would (carrier.ts: the application-error message).
import type { FastifyInstance } from 'fastify';
import twilio from 'twilio';
import type { CarrierIo } from './carrier.js';

/** Twilio's time-out for a voice webhook (15 s). */
export const WEBHOOK_TIMEOUT_MS = 15_000;

export function webhookPoster(server: FastifyInstance, base: string, token: string, timeoutMs = WEBHOOK_TIMEOUT_MS): CarrierIo['post'] {
  return async (url, params) => {
    const signature = twilio.getExpectedTwilioSignature(token, url, params);
    const response = server.inject({
      method: 'POST',
      url: url.slice(base.length),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature, 'user-agent': 'TwilioProxy/1.1 (CallCenter Pro simulator)' },
      payload: new URLSearchParams(params).toString(),
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), timeoutMs);
    });
    try {
      const answered = await Promise.race([response, timedOut]);
      if (answered === null) {
        response.catch(() => {}); // answered too late: nobody listens any more
        return { status: 0, body: '' };
      }
      return { status: answered.statusCode, body: answered.body };
    } finally {
      clearTimeout(timer);
    }
  };
}
