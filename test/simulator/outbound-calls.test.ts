// Outbound calls in the simulator (issue 18 item 3): placeCall refuses what Twilio's adapter
// refuses and records the call; the called number's last digits choose what it does; the simulated
// carrier plays Twilio's part — status callbacks in order, the answer webhook, asynchronous AMD,
// a redirect by call control (a voicemail drop) — signed, through an HTTP server's real routes.
import Fastify, { type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackground } from '../../server/platform/common/background.js';
import { SimulatedConferences } from '../../server/simulator/conferences.js';
import { playOutbound } from '../../server/simulator/outbound-carrier.js';
import { describeVerb, readTwiml } from '../../server/simulator/twiml-reader.js';
import { dialTwiml } from '../../server/inbound/webhooks/twiml.js';
import { simulatedOutboundRunner } from '../../server/simulator/outbound-runner.js';
import { createSimulatorTelephony, outboundBehaviour, type SimulatedOutboundCall } from '../../server/telephony/simulator/simulator.js';
import { TelephonyError, type PlaceCallInput } from '../../server/telephony/types.js';
import { fakeCarrierIo } from './fake-carrier-io.js';

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

describe('the calls the simulator keeps in memory', () => {
  it('forgets a call an hour after it ended (not before, and never a live one), so a long-running simulator stays bounded', async () => {
    let clock = new Date('2026-01-01T00:00:00Z');
    const later = (ms: number) => (clock = new Date(clock.getTime() + ms));
    const sim = createSimulatorTelephony({ callsNow: () => clock });
    const ended: string[] = [];
    for (let i = 0; i < 200; i += 1) {
      const { callSid } = await sim.placeCall(input('+14155550100'));
      await sim.hangupCall(callSid);
      ended.push(callSid);
    }
    const live = (await sim.placeCall(input('+14155550100'))).callSid;
    later(59 * 60 * 1000);
    // Within the hour: still known (call control says it has ended, lookups see it).
    const recent = (await sim.placeCall(input('+14155550100'))).callSid;
    expect(sim.callState(ended[0]!)).toMatchObject({ status: 'completed' });
    await expect(sim.holdCall(ended[0]!)).rejects.toMatchObject({ kind: 'conflict' });
    later(2 * 60 * 1000);
    await sim.hangupCall(recent);
    await sim.placeCall(input('+14155550100')); // the simulator goes on working: old records are dropped
    for (const callSid of ended) expect(sim.callState(callSid)).toBeUndefined();
    await expect(sim.hangupCall(ended[0]!)).rejects.toMatchObject({ kind: 'not_found' });
    // A live call is never forgotten, however old; one that has just ended is kept.
    expect(sim.callState(live)).toMatchObject({ status: 'in-progress' });
    expect(sim.callState(recent)).toMatchObject({ status: 'completed' });

    const short = createSimulatorTelephony({ callsNow: () => clock, endedCallRetentionMs: 1000 });
    const first = (await short.placeCall(input('+14155550100'))).callSid;
    short.endCall(first);
    later(1000);
    await short.placeCall(input('+14155550100'));
    expect(short.callState(first)).toBeUndefined();
  });
});

/** A carrier io that answers each webhook with the TwiML `answers` gives for its path. */
const fakeIo = (answers: Record<string, string>) => fakeCarrierIo(BASE, (path) => ({ status: 200, body: answers[path] ?? '' }));

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

  it('failed (unreachable): initiated, then failed — a call that failed to start never rings', async () => {
    const { io, requests } = fakeIo({});
    const played = await playOutbound(call('+14155550003'), { base: BASE }, io);
    expect(played).toEqual({ status: 'failed', durationSec: 0, answeredBy: null });
    expect(requests.map((r) => [r.path, r.params.CallStatus, r.params.SequenceNumber])).toEqual([
      ['/status', 'initiated', '0'],
      ['/status', 'failed', '1'],
    ]);
    expect(requests.at(-1)!.params).toMatchObject({ CallDuration: '0' });
    // Asked only for ringing and completed: only the final status comes.
    const only = fakeIo({});
    await playOutbound(call('+14155550003', { statusEvents: ['ringing', 'completed'] }), { base: BASE }, only.io);
    expect(only.requests.map((r) => [r.params.CallStatus, r.params.SequenceNumber])).toEqual([['failed', '0']]);
  });

  it('no answer rings for the call\'s timeout; only the events asked for are sent', async () => {
    const { io, requests, clock } = fakeIo({});
    const played = await playOutbound(call('+14155550002', { timeoutSeconds: 25, statusEvents: ['completed'] }), { base: BASE }, io);
    expect(played.status).toBe('no-answer');
    expect(clock()).toBe(25);
    expect(requests.map((r) => r.params.CallStatus)).toEqual(['no-answer']);
  });

  it('a person who would pick up only after the call\'s timeout is no answer at the timeout, as with Twilio', async () => {
    const { io, requests, clock } = fakeIo({ '/answer': '<Response><Dial><Conference>room-late</Conference></Dial></Response>' });
    // …0145 answers after 45 s; the dialer lets a call ring for 30 s.
    const played = await playOutbound(call('+14155550145', { timeoutSeconds: 30 }), { base: BASE }, io);
    expect(played).toEqual({ status: 'no-answer', durationSec: 0, answeredBy: null });
    expect(clock()).toBe(30);
    expect(requests.map((r) => [r.path, r.params.CallStatus])).toEqual([
      ['/status', 'initiated'],
      ['/status', 'ringing'],
      ['/status', 'no-answer'],
    ]);
    // Without a timeout Twilio rings for 60 s: …0199 is no answer after 60 s; …0159 answers.
    const late = fakeIo({});
    expect((await playOutbound(call('+14155550199'), { base: BASE }, late.io)).status).toBe('no-answer');
    expect(late.clock()).toBe(60);
    expect((await playOutbound(call('+14155550159'), { base: BASE }, fakeIo({}).io)).status).toBe('completed');
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

  it('a redirect while the person is in a conference takes effect within a simulated second (the abandon message)', async () => {
    const { io, requests, clock } = fakeIo({
      '/answer': '<Response><Dial><Conference>room-2</Conference></Dial></Response>',
      '/abandon': '<Response><Say>Sorry, all of our agents are busy.</Say><Hangup/></Response>',
    });
    // The dialer redirects the person 20 s into the conference (their agent never answered); …0100 answers at once.
    const control = async () => ({ redirectedTo: clock() >= 20 ? `${BASE}/abandon` : null, ended: false });
    const played = await playOutbound(call('+14155550100'), { base: BASE }, io, control);
    // Redirected at 20 s (not after the 30 s the person would talk), then the message (3 s), then the hang-up.
    expect(played).toEqual({ status: 'completed', durationSec: 20 + 3, answeredBy: null });
    expect(requests.map((r) => r.path)).toEqual(['/status', '/status', '/answer', '/status', '/abandon', '/status']);
  });

  it('a recorded call (Record=true) posts its recording status callback once it ends; an unanswered one has no recording', async () => {
    const recorded = { recordingStatusCallbackUrl: `${BASE}/recording` };
    const { io, requests } = fakeIo({ '/answer': '<Response><Dial><Conference>room-rec</Conference></Dial></Response>' });
    const played = await playOutbound(call('+14155550100', recorded), { base: BASE }, io);
    expect(played.status).toBe('completed');
    expect(requests.map((r) => r.path)).toEqual(['/status', '/status', '/answer', '/status', '/status', '/recording']);
    expect(requests.at(-1)!.params).toMatchObject({
      AccountSid: expect.stringMatching(/^AC/),
      CallSid: 'CA0123456789abcdef0123456789abcdef',
      RecordingSid: expect.stringMatching(/^RE[0-9a-f]{32}$/),
      RecordingUrl: expect.stringMatching(/^https:\/\//),
      RecordingStatus: 'completed',
      RecordingDuration: '30',
      RecordingSource: 'OutboundAPI',
    });

    const busy = fakeIo({});
    await playOutbound(call('+14155550001', recorded), { base: BASE }, busy.io);
    expect(busy.requests.map((r) => r.path)).toEqual(['/status', '/status', '/status']);
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

describe('conferences in the simulator', () => {
  const CONF = (endOnExit: boolean, whisper = '') =>
    `<Response>${whisper}<Dial><Conference endConferenceOnExit="${endOnExit}" startConferenceOnEnter="true" statusCallback="${BASE}/conf" statusCallbackEvent="join leave" statusCallbackMethod="POST">room-7</Conference></Dial></Response>`;

  it('reads <Dial><Conference> with the attributes it acts on', () => {
    expect(readTwiml(CONF(true))).toEqual([
      { verb: 'Conference', name: 'room-7', statusCallback: `${BASE}/conf`, events: ['join', 'leave'], endOnExit: true, startOnEnter: true },
    ]);
  });

  it('reads the destination of a <Dial> to a SIP URI (an RTB winner\'s) as it reads a <Number>', () => {
    const [dial] = readTwiml(dialTwiml('sip:buyer@sip.example.com', `${BASE}/dial-status`, 30));
    expect(dial).toEqual({ verb: 'Dial', numbers: ['sip:buyer@sip.example.com'], action: `${BASE}/dial-status`, timeoutSec: 30 });
    expect(describeVerb(dial!)).toBe('Dial sip:buyer@sip.example.com');
  });

  it('join and leave callbacks with Twilio\'s parameters; an endConferenceOnExit participant leaving ends the others', () => {
    const room = new SimulatedConferences();
    const lead = { callSid: 'CA' + 'a'.repeat(32), endOnExit: false, startOnEnter: true, statusCallback: `${BASE}/conf`, events: ['start', 'join', 'leave', 'end'] };
    const agent = { ...lead, callSid: 'CA' + 'b'.repeat(32), endOnExit: true, statusCallback: `${BASE}/other`, events: ['join'] };
    const joined = [...room.join('room-7', lead), ...room.join('room-7', agent)];
    // The first participant set the callback and its events; the agent's own attributes are not used.
    expect(joined.map((c) => [c.url, c.params.StatusCallbackEvent, c.params.CallSid ?? '', c.params.SequenceNumber])).toEqual([
      [`${BASE}/conf`, 'conference-start', '', '1'],
      [`${BASE}/conf`, 'participant-join', lead.callSid, '2'],
      [`${BASE}/conf`, 'participant-join', agent.callSid, '3'],
    ]);
    expect(joined[2]!.params).toMatchObject({ FriendlyName: 'room-7', Muted: 'false', Hold: 'false', Coaching: 'false', EndConferenceOnExit: 'true', StartConferenceOnEnter: 'true' });
    expect(joined[0]!.params.ConferenceSid).toMatch(/^CF[0-9a-f]{32}$/);
    expect(new Set(joined.map((c) => c.params.ConferenceSid)).size).toBe(1);
    expect(room.participants('room-7')).toEqual([lead.callSid, agent.callSid]);

    const left = room.leave('room-7', agent.callSid);
    expect(left.endCalls).toEqual([lead.callSid]);
    expect(left.callbacks.map((c) => [c.params.StatusCallbackEvent, c.params.CallSid ?? c.params.CallSidEndingConference])).toEqual([
      ['participant-leave', agent.callSid],
      ['participant-leave', lead.callSid],
      ['conference-end', agent.callSid],
    ]);
    expect(left.callbacks.at(-1)!.params.ReasonConferenceEnded).toBe('participant-with-end-conference-on-exit-left');
    expect(room.participants('room-7')).toEqual([]);
    // The taken-out call's own leave changes nothing more.
    expect(room.leave('room-7', lead.callSid)).toEqual({ callbacks: [], endCalls: [] });
  });

  it('the last participant leaving ends the conference; a later join starts a new one', () => {
    const room = new SimulatedConferences();
    const one = { callSid: 'CA' + 'c'.repeat(32), endOnExit: false, startOnEnter: true, statusCallback: `${BASE}/conf`, events: ['leave', 'end'] };
    const first = room.join('room-8', one);
    expect(first).toEqual([]);
    const left = room.leave('room-8', one.callSid);
    expect(left.callbacks.map((c) => [c.params.StatusCallbackEvent, c.params.ReasonConferenceEnded ?? ''])).toEqual([
      ['participant-leave', ''],
      ['conference-end', 'last-participant-left'],
    ]);
    const again = room.join('room-8', { ...one, events: ['join'] });
    expect(again).toHaveLength(1);
    expect(again[0]!.params.ConferenceSid).not.toBe(left.callbacks[0]!.params.ConferenceSid);
  });

  it('the carrier posts the conference callbacks and ends a call taken out of an ended conference', async () => {
    const room = new SimulatedConferences();
    const hungUp: string[] = [];
    const conferences = { room, hangUp: (sid: string) => hungUp.push(sid) };
    // The lead joins first (stays until hung up: it is taken out when the agent leaves).
    const leadIo = fakeIo({ '/answer': CONF(false) });
    const ended = new Set<string>();
    // The lead's 30 s in the conference last until the test lets them pass (after the agent left).
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const leadCall = { ...call('+14155550100'), callSid: 'CA' + 'd'.repeat(32) };
    leadIo.io.wait = async () => (room.participants('room-7').includes(leadCall.callSid) ? gate : undefined);
    const leadPlay = playOutbound(leadCall, { base: BASE }, leadIo.io, async () => ({ redirectedTo: null, ended: ended.has(leadCall.callSid) }), conferences);
    for (let i = 0; i < 20 && room.participants('room-7').length === 0; i += 1) await new Promise((r) => setTimeout(r, 0));
    expect(room.participants('room-7')).toEqual([leadCall.callSid]);
    const agentIo = fakeIo({ '/answer': CONF(true, '<Say>Call with Sara</Say>') });
    const agentCall = { ...call('+13125550100'), callSid: 'CA' + 'e'.repeat(32), behaviour: { kind: 'person' as const, answerAfterSec: 0, talkSec: 10 } };
    await playOutbound(agentCall, { base: BASE }, agentIo.io, async () => ({ redirectedTo: null, ended: false }), conferences);
    expect(hungUp).toEqual([leadCall.callSid]);
    ended.add(leadCall.callSid);
    release();
    await leadPlay;
    const confRequests = [...leadIo.requests, ...agentIo.requests].filter((r) => r.path === '/conf');
    expect(confRequests.map((r) => [r.params.StatusCallbackEvent, r.params.CallSid])).toEqual(
      expect.arrayContaining([
        ['participant-join', leadCall.callSid],
        ['participant-join', agentCall.callSid],
        ['participant-leave', agentCall.callSid],
        ['participant-leave', leadCall.callSid],
      ]),
    );
    // Conference callbacks carry the conference's parameters, not the call's To / From.
    expect(confRequests.every((r) => r.params.To === undefined && /^CF/.test(r.params.ConferenceSid!))).toBe(true);
    expect(leadIo.requests.at(-1)!.params).toMatchObject({ CallStatus: 'completed' });
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
