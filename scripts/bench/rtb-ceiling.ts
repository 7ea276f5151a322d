// The ceiling of the RTB-overhead rows of scripts/bench/webhook.ts: the least any RTB answer path
// on this machine does — a bare Fastify app (the same form parsing) whose voice route holds the
// real auction (runAuction, the guarded keep-alive transport, p-limit, as the API's) over the same
// stub bidders and answers a <Dial> to the winner. No signature check, no database, no audit, no
// durable answer: what is left between it and the API's figure is what the API does to make the
// call, its bids and its price durable. Used by the benchmark only.
import type { AddressInfo } from 'node:net';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import pLimit from 'p-limit';
import { createGuardedDispatcher } from '../../server/platform/http/outbound/guarded-client.js';
import { createOutboundPolicy } from '../../server/platform/http/outbound/url-policy.js';
import { runAuction } from '../../server/rtb/engine/auction.js';
import { createBidTransport } from '../../server/rtb/engine/transport.js';
import type { AuctionSettings, RtbTargetConfig } from '../../server/rtb/engine/types.js';
import { makeTarget } from '../../test/rtb/engine/helpers.js';

export interface RtbCeiling {
  app: FastifyInstance;
  port: number;
}

function stubTarget(id: number, port: number, deadlineMs: number): RtbTargetConfig {
  // As the benchmark seeds the API's targets: no auth, bids 1–100, the default paths.
  return makeTarget({ id, name: `stub ${port}`, endpointUrl: `http://127.0.0.1:${port}/bid`, timeoutMs: deadlineMs });
}

/** `campaigns`: the called number → the bidders' ports of its auction. */
export async function startRtbCeiling(campaigns: ReadonlyMap<string, readonly number[]>, deadlineMs: number): Promise<RtbCeiling> {
  const policy = createOutboundPolicy(['127.0.0.1']);
  const send = createBidTransport({ dispatcher: createGuardedDispatcher(policy), policy });
  const limit = pLimit(512);
  const settings: AuctionSettings = { biddingTimeoutMs: deadlineMs, minBiddersRequired: 1, callerIdRequired: false, auctionType: 'second_price' };
  const targetsOf = new Map([...campaigns].map(([to, ports]) => [to, ports.map((port, i) => stubTarget(i + 1, port, deadlineMs))]));
  let seq = 0;

  const app = Fastify({ logger: false });
  await app.register(formbody);
  app.post('/api/webhooks/voice', async (req, reply) => {
    const form = req.body as Record<string, string>;
    const targets = targetsOf.get(form.To ?? '') ?? [];
    const result = await runAuction({
      context: { requestId: `ceiling_${++seq}`, campaignId: 'ceiling', callerId: form.From ?? null, callerState: null, callerZip: null, callStartTime: new Date() },
      targets,
      settings,
      send,
      limit,
    });
    const twiml = result.winner
      ? `<?xml version="1.0" encoding="UTF-8"?><Response><Dial><Number>${result.winner.destination}</Number></Dial></Response>`
      : '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>';
    return reply.type('text/xml; charset=utf-8').send(twiml);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, port: (app.server.address() as AddressInfo).port };
}
