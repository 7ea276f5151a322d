// Outbound calls in the simulator (issue 18 item 3): placeCall refuses what Twilio's adapter
// refuses and records the call; the called number's last digits choose what it does; the simulated
// carrier plays Twilio's part — status callbacks in order, the answer webhook, asynchronous AMD,
// a redirect by call control (a voicemail drop) — signed, through an HTTP server's real routes.
import Fastify, { type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackground } from '../../server/platform/common/background.js';
import type { CarrierIo, Step } from '../../server/simulator/carrier.js';
import { playOutbound } from '../../server/simulator/outbound-carrier.js';
import { simulatedOutboundRunner } from '../../server/simulator/outbound-runner.js';
import { createSimulatorTelephony, outboundBehaviour, type SimulatedOutboundCall } from '../../server/telephony/simulator/simulator.js';
import { TelephonyError, type PlaceCallInput } from '../../server/telephony/types.js';

const BASE = 'http://127.0.0.1:4000';
const input = (to: string, extra: Partial<PlaceCallInput> = {}): PlaceCallInput => ({
  to,
  from: '+13105550100',
  answerUrl: `${BASE}/answer`,
  statusCallbackUrl: `${BASE}/status`,
  ...extra,
});

describe('what the called number does', () => {
  it('follows the documented patterns of its last four digits', () => {
    expect(outboundBehaviour('+14155550001')).toEqual({ kind: 'busy' });
    expect(outboundBehaviour('+14155550002')).toEqual({ kind: 'no-answer' });
    expect(outboundBehaviour('+14155550003')).toEqual({ kind: 'failed' });
    expect(outboundBehaviour('+14155550004')).toMatchObject({ kind: 'machine', answerAfterSec: 3, greetingSec: 8 });
    expect(outboundBehaviour('+14155550107')).toMatchObject({ kind: 'person', answerAfterSec: 7, talkSec: 30 });
    expect(outboundBehaviour('+14155550100')).toMatchObject({ kind: 'person', answerAfterSec: 0 });
    expect(outboundBehaviour('+442079460958')).toMatchObject({ kind: 'person', answerAfterSec: 3 });
  });
});

describe('placeCall in the simulator', () => {
  it('refuses what the Twilio adapter refuses, before anything is recorded', async () => {
    const placed: SimulatedOutboundCall[] = [];
    const sim = createSimulatorTelephony({ onPlaceCall: (call) => placed.push(call) });
    for (const bad of [
      input('4155550100'),
      input('+14155550100', { from: 'me' }),
      input('+14155550100', { answerUrl: 'ftp://x/answer' }),
      input('+14155550100', { timeoutSeconds: 2 }),
      input('+14155550100', { machineDetection: { mode: 'Sometimes' as never, statusCallbackUrl: `${BASE}/amd` } }),
      input('+14155550100', { machineDetection: { mode: 'Enable', statusCallbackUrl: `${BASE}/amd`, timeoutSeconds: 60 } }),
      input('+14155550100', { statusEvents: ['hello' as never] }),
    ]) {
      const err = await sim.placeCall(bad).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(TelephonyError);
      expect((err as TelephonyError).kind).toBe('invalid');
    }
    expect(placed).toEqual([]);
    expect(sim.actions()).toEqual([]);
  });

  it('records the call (call control works on it) and the parameters Twilio would get', async () => {
    const placed: SimulatedOutboundCall[] = [];
    const sim = createSimulatorTelephony({ onPlaceCall: (call) => placed.push(call) });
    const { callSid } = await sim.placeCall(input('+14155550004', { machineDetection: { mode: 'DetectMessageEnd', statusCallbackUrl: `${BASE}/amd` } }));
    expect(callSid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(placed).toEqual([expect.objectContaining({ callSid, behaviour: expect.objectContaining({ kind: 'machine' }) })]);
    expect(sim.actions()[0]).toMatchObject({ operation: 'place_call', callSid, details: { To: '+14155550004', MachineDetection: 'DetectMessageEnd', StatusCallbackEvent: 'initiated ringing answered completed' } });
    expect(sim.callState(callSid)).toMatchObject({ status: 'in-progress' });
    await sim.hangupCall(callSid);
    expect(sim.callState(callSid)).toMatchObject({ status: 'completed' });
  });
});

/** A carrier io that answers each webhook with the TwiML `answers` gives for its path. */
function fakeIo(answers: Record<string, string>) {
  const requests: Array<{ path: string; params: Record<string, string> }> = [];
  let clock = 0;
  const io: CarrierIo = {
    async post(url, params) {
      const path = url.slice(BASE.length);
      requests.push({ path, params });
      return { status: 200, body: answers[path] ?? '' };
    },
    async wait(seconds) {
      clock += seconds;
    },
    onStep: (_step: Step) => {},
  };
  return { io, requests, clock: () => clock };
}

const call = (to: string, extra: Partial<PlaceCallInput> = {}): SimulatedOutboundCall => ({
  callSid: 'CA0123456789abcdef0123456789abcdef',
  input: input(to, extra),
  behaviour: outboundBehaviour(to),
});

describe('the simulated carrier plays an outbound call', () => {
  it('busy: initiated, ringing, then busy with no duration; the answer webhook is never asked', async () => {
    const { io, requests } = fakeIo({});
    const played = await playOutbound(call('+14155550001'), { base: BASE }, io);
    expect(played).toEqual({ status: 'busy', durationSec: 0, answeredBy: null });
    expect(requests.map((r) => [r.path, r.params.CallStatus, r.params.SequenceNumber])).toEqual([
      ['/status', 'initiated', '0'],
      ['/status', 'ringing', '1'],
      ['/status', 'busy', '2'],
    ]);
    expect(requests[0]!.params).toMatchObject({ Direction: 'outbound-api', To: '+14155550001', From: '+13105550100', CallbackSource: 'call-progress-events' });
  });

  it('no answer rings for the call\'s timeout; only the events asked for are sent', async () => {
    const { io, requests, clock } = fakeIo({});
    const played = await playOutbound(call('+14155550002', { timeoutSeconds: 25, statusEvents: ['completed'] }), { base: BASE }, io);
    expect(played.status).toBe('no-answer');
    expect(clock()).toBe(25);
    expect(requests.map((r) => r.params.CallStatus)).toEqual(['no-answer']);
  });

  it('a person: the answer webhook, AMD says human after 2 s, the conference lasts until they hang up', async () => {
    const { io, requests, clock } = fakeIo({ '/answer': '<Response><Dial><Conference>room-1</Conference></Dial></Response>' });
    const played = await playOutbound(call('+14155550105', { machineDetection: { mode: 'DetectMessageEnd', statusCallbackUrl: `${BASE}/amd` } }), { base: BASE }, io);
    expect(played).toEqual({ status: 'completed', durationSec: 30, answeredBy: 'human' });
    expect(clock()).toBe(5 + 30);
    expect(requests.map((r) => `${r.path} ${r.params.CallStatus ?? ''}${r.params.AnsweredBy ?? ''}`)).toEqual([
      '/status initiated',
      '/status ringing',
      '/answer in-progress',
      '/status in-progress',
      '/amd human',
      '/status completed',
    ]);
    expect(requests.find((r) => r.path === '/amd')!.params.MachineDetectionDuration).toBe('2000');
    expect(requests.at(-1)!.params.CallDuration).toBe('30');
  });

  it('a machine: the beep after its greeting, then the voicemail drop our redirect asks for, then hang-up', async () => {
    const { io, requests } = fakeIo({
      '/answer': '<Response><Pause length="60"/></Response>',
      '/drop': '<Response><Play>https://example.com/vm.mp3</Play><Hangup/></Response>',
    });
    let redirectedTo: string | null = null;
    // The dialer's AMD webhook would redirect the call (resumeCall) when it hears the beep.
    const control = async () => {
      if (redirectedTo === null && requests.some((r) => r.path === '/amd')) redirectedTo = `${BASE}/drop`;
      return { redirectedTo, ended: false };
    };
    const played = await playOutbound(call('+14155550004', { machineDetection: { mode: 'DetectMessageEnd', statusCallbackUrl: `${BASE}/amd` } }), { base: BASE }, io, control);
    expect(played).toEqual({ status: 'completed', durationSec: 8 + 3, answeredBy: 'machine_end_beep' });
    expect(requests.map((r) => `${r.path} ${r.params.CallStatus ?? ''}${r.params.AnsweredBy ?? ''}`)).toEqual([
      '/status initiated',
      '/status ringing',
      '/answer in-progress',
      '/status in-progress',
      '/amd machine_end_beep',
      '/drop in-progress',
      '/status completed',
    ]);
  });

  it('a hang-up by call control ends the call at once', async () => {
    const { io, requests } = fakeIo({ '/answer': '<Response><Pause length="20"/><Say>never heard</Say></Response>' });
    let checks = 0;
    const played = await playOutbound(call('+14155550100'), { base: BASE }, io, async () => ({ redirectedTo: null, ended: ++checks > 1 }));
    expect(played.status).toBe('completed');
    expect(requests.at(-1)!.params).toMatchObject({ CallStatus: 'completed' });
    expect(requests.filter((r) => r.path === '/answer')).toHaveLength(1);
  });
});

describe('the runner: signed webhooks over real routes', () => {
  const TOKEN = 'outbound-test-token-0123456789abcdef';
  let server: FastifyInstance;
  const received: Array<{ path: string; params: Record<string, string>; signed: boolean }> = [];

  beforeAll(async () => {
    server = Fastify();
    await server.register(formbody);
    for (const path of ['/answer', '/status', '/amd']) {
      server.post(path, async (req, reply) => {
        const params = req.body as Record<string, string>;
        const signed = twilio.validateRequest(TOKEN, String(req.headers['x-twilio-signature']), `${BASE}${path}`, params);
        received.push({ path, params, signed });
        return reply.type('text/xml').send(path === '/answer' ? '<Response><Say>Hello</Say></Response>' : '<Response/>');
      });
    }
    await server.ready();
  });
  afterAll(async () => server.close());

  it('plays a placed call in the background, every request signed, and ends the call', async () => {
    const background = createBackground();
    let runner: ((call: SimulatedOutboundCall) => void) | undefined;
    const sim = createSimulatorTelephony({ onPlaceCall: (c) => runner?.(c) });
    runner = simulatedOutboundRunner({ app: server, telephony: sim, base: BASE, webhookToken: TOKEN, background, speedup: 1000 });
    const { callSid } = await sim.placeCall(input('+14155550100', { machineDetection: { mode: 'Enable', statusCallbackUrl: `${BASE}/amd` } }));
    const deadline = Date.now() + 10_000;
    while (background.size() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(background.size()).toBe(0);
    expect(received.length).toBeGreaterThanOrEqual(5);
    expect(received.every((r) => r.signed && r.params.CallSid === callSid)).toBe(true);
    expect(received.map((r) => r.path)).toEqual(['/status', '/status', '/answer', '/status', '/amd', '/status']);
    expect(received.at(-1)!.params).toMatchObject({ CallStatus: 'completed', CallDuration: '3' });
    expect(sim.callState(callSid)).toMatchObject({ status: 'completed' });
    await background.close();
  });
});
