// When one of our webhooks fails a simulated call — an HTTP error, no answer within Twilio's
// time-out, an answer that is not TwiML — the simulator does what Twilio does (error 11200): the
// caller hears the application-error message, the call ends, and the final status callback still
// comes, so the call does not stay live in our records.
import Fastify, { type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPLICATION_ERROR_SEC, answer, type CallScript, type CarrierUrls, ring } from '../../server/simulator/carrier.js';
import { playOutbound } from '../../server/simulator/outbound-carrier.js';
import { webhookPoster } from '../../server/simulator/webhook-poster.js';
import { outboundBehaviour } from '../../server/telephony/simulator/simulator.js';
import { fakeCarrierIo } from './fake-carrier-io.js';

const BASE = 'http://127.0.0.1:4000';
const urls: CarrierUrls = { voiceUrl: `${BASE}/voice`, statusCallbackUrl: `${BASE}/call-status`, base: BASE };

/** A carrier io answering each path with `answers[path]` (status and body), or 204; time passes on a fake clock. */
const fakeIo = (answers: Record<string, { status: number; body: string }>) => fakeCarrierIo(BASE, (path) => answers[path] ?? { status: 204, body: '' });

const script: CallScript = {
  callSid: 'CA0123456789abcdef0123456789abcdef',
  to: '+13125550100',
  from: '+13105550123',
  dialOutcomes: [],
  outcome: 'answered',
  durationSec: 60,
  ringSec: 3,
  digits: [],
};

async function inbound(answers: Record<string, { status: number; body: string }>) {
  const fake = fakeIo(answers);
  const first = await ring(script, urls, fake.io);
  await answer(script, urls, fake.io, first);
  return fake;
}

describe('a simulated inbound call whose voice webhook fails', () => {
  for (const [what, reply] of [
    ['a 500', { status: 500, body: '{"error":"boom"}' }],
    ['a 404', { status: 404, body: '' }],
    ['no answer in time (status 0)', { status: 0, body: '' }],
    ['an answer that is not TwiML', { status: 200, body: 'not xml at all' }],
    ['XML that is not a <Response>', { status: 200, body: '<Hello/>' }],
  ] as const) {
    it(`${what}: the application-error message, then the final status callback (completed)`, async () => {
      const { requests, clock } = await inbound({ '/voice': reply });
      expect(requests.map((r) => [r.path, r.params.CallStatus])).toEqual([
        ['/voice', 'ringing'],
        ['/call-status', 'completed'],
      ]);
      expect(requests[1]!.params).toMatchObject({ CallSid: script.callSid, CallDuration: String(APPLICATION_ERROR_SEC), Direction: 'inbound' });
      expect(clock()).toBe(APPLICATION_ERROR_SEC);
    });
  }

  it('an empty <Response/> is TwiML: the call just ends, with no error message', async () => {
    const { requests, clock } = await inbound({ '/voice': { status: 200, body: '<Response/>' } });
    expect(requests.map((r) => [r.path, r.params.CallStatus, r.params.CallDuration])).toEqual([
      ['/voice', 'ringing', undefined],
      ['/call-status', 'completed', '0'],
    ]);
    expect(clock()).toBe(0);
  });

  it('a failing action URL mid-call: the message after the <Dial>, then the status callback with the whole duration', async () => {
    const { requests } = await inbound({
      '/voice': { status: 200, body: `<Response><Dial action="${BASE}/dial-status" timeout="30">+13125550199</Dial></Response>` },
      '/dial-status': { status: 503, body: '' },
    });
    expect(requests.map((r) => r.path)).toEqual(['/voice', '/dial-status', '/call-status']);
    expect(requests[2]!.params).toMatchObject({ CallStatus: 'completed', CallDuration: String(3 + 60 + APPLICATION_ERROR_SEC) });
  });
});

describe('a simulated outbound call whose answer webhook fails', () => {
  it('is answered, hears the application-error message and ends completed', async () => {
    const to = '+14155550100'; // answers at once
    const fake = fakeIo({ '/answer': { status: 500, body: '' } });
    const played = await playOutbound(
      { callSid: script.callSid, input: { to, from: '+13105550100', answerUrl: `${BASE}/answer`, statusCallbackUrl: `${BASE}/status` }, behaviour: outboundBehaviour(to) },
      { base: BASE },
      fake.io,
    );
    expect(played).toEqual({ status: 'completed', durationSec: APPLICATION_ERROR_SEC, answeredBy: null });
    expect(fake.requests.map((r) => [r.path, r.params.CallStatus])).toEqual([
      ['/status', 'initiated'],
      ['/status', 'ringing'],
      ['/answer', 'in-progress'],
      ['/status', 'in-progress'],
      ['/status', 'completed'],
    ]);
    expect(fake.requests.at(-1)!.params.CallDuration).toBe(String(APPLICATION_ERROR_SEC));
  });
});

describe('the webhook poster waits as long as Twilio does', () => {
  let server: FastifyInstance;
  let release!: () => void;
  const slow = new Promise<void>((resolve) => (release = resolve));

  beforeAll(async () => {
    server = Fastify();
    await server.register(formbody);
    server.post('/slow', async (_req, reply) => {
      await slow;
      return reply.type('text/xml').send('<Response/>');
    });
    server.post('/fast', async (_req, reply) => reply.type('text/xml').send('<Response><Hangup/></Response>'));
    await server.ready();
  });
  afterAll(async () => {
    release();
    await server.close();
  });

  it('a webhook still busy at the time-out counts as failed (status 0); one in time is answered', async () => {
    const post = webhookPoster(server, BASE, 'poster-test-token-0123456789abcdef', 100);
    const started = Date.now();
    expect(await post(`${BASE}/slow`, { CallSid: script.callSid })).toEqual({ status: 0, body: '' });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await post(`${BASE}/fast`, { CallSid: script.callSid })).toEqual({ status: 200, body: '<Response><Hangup/></Response>' });
  });
});
