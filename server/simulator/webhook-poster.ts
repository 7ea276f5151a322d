// How the simulated carrier reaches our webhooks: as Twilio does — a form POST signed with the
// webhook token over the absolute URL (twilio.getExpectedTwilioSignature) — but injected into this
// server (no network, no dependence on PUBLIC_BASE_URL being reachable from here). The request goes
// through the whole pipeline: signature check, validation, handler.
import type { FastifyInstance } from 'fastify';
import twilio from 'twilio';
import type { CarrierIo } from './carrier.js';

export function webhookPoster(server: FastifyInstance, base: string, token: string): CarrierIo['post'] {
  return async (url, params) => {
    const signature = twilio.getExpectedTwilioSignature(token, url, params);
    const response = await server.inject({
      method: 'POST',
      url: url.slice(base.length),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature, 'user-agent': 'TwilioProxy/1.1 (CallCenter Pro simulator)' },
      payload: new URLSearchParams(params).toString(),
    });
    return { status: response.statusCode, body: response.body };
  };
}
