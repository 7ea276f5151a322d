// The local telephony simulator: every operation, fictional labelled numbers, Twilio's rules for
// call control (not_found for unknown calls, not_supported for muting a <Dial><Number> bridge),
// the action log, and determinism given a clock and a random source.
import { describe, expect, it } from 'vitest';
import { createTelephony } from '../../server/telephony/factory.js';
import {
  SIMULATOR_LABEL,
  createSimulatorTelephony,
  type SimulatorOptions,
  type SimulatorTelephony,
} from '../../server/telephony/simulator/simulator.js';
import { DEFAULT_HOLD_MUSIC_URL, TelephonyError, isTelephonyError } from '../../server/telephony/types.js';
import { ACTION_LOG_LIMIT } from '../../server/telephony/simulator/log.js';

const XML = '<?xml version="1.0" encoding="UTF-8"?>';
const WEBHOOKS = {
  voiceUrl: 'http://127.0.0.1:3000/api/webhooks/voice',
  statusCallbackUrl: 'http://127.0.0.1:3000/api/webhooks/call-status',
};
const CALL = 'CA55555555555555555555555555555555';
const FICTIONAL = [/^\+1[2-9]\d{2}55501\d{2}$/, /^\+442079460\d{3}$/, /^\+447700900\d{3}$/, /^\+448081570\d{3}$/];

/** A small seeded PRNG (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fixedClock(start = Date.UTC(2026, 0, 15, 12, 0, 0)): () => Date {
  let tick = 0;
  return () => new Date(start + 1000 * tick++);
}

function simulator(options: SimulatorOptions = {}): SimulatorTelephony {
  return createSimulatorTelephony({ now: fixedClock(), random: seeded(42), ...options });
}

async function rejection(promise: Promise<unknown>): Promise<TelephonyError> {
  const err = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TelephonyError);
  return err as TelephonyError;
}

describe('labelling', () => {
  it('says what it is', () => {
    const sim = simulator();
    expect(sim.kind).toBe('simulator');
    expect(sim.label).toBe(SIMULATOR_LABEL);
    expect(sim.label).toMatch(/simulator/i);
    expect(sim.label).toMatch(/no real calls/);
  });

  it('offers only numbers in reserved fictional ranges, each named "(simulator)"', async () => {
    const sim = simulator();
    const searches = [
      { country: 'US', type: 'local' as const, limit: 1000 },
      { country: 'US', type: 'local' as const, areaCode: '555', limit: 100 },
      { country: 'US', type: 'tollFree' as const, limit: 1000 },
      { country: 'CA', type: 'local' as const, limit: 1000 },
      { country: 'GB', type: 'local' as const, limit: 1000 },
      { country: 'GB', type: 'mobile' as const, limit: 1000 },
      { country: 'GB', type: 'tollFree' as const, limit: 1000 },
    ];
    let total = 0;
    for (const search of searches) {
      const numbers = await sim.searchNumbers(search);
      expect(numbers.length).toBeGreaterThan(0);
      total += numbers.length;
      for (const n of numbers) {
        expect(FICTIONAL.some((range) => range.test(n.phoneNumber)), n.phoneNumber).toBe(true);
        expect(n.friendlyName.endsWith('(simulator)')).toBe(true);
        expect(n.isoCountry).toBe(search.country);
      }
    }
    expect(total).toBeGreaterThan(3000);
  });
});

describe('searchNumbers', () => {
  it('US local in an area code: 555-01XX in order, with region and capabilities (seed 000 shape)', async () => {
    const sim = simulator();
    expect(await sim.searchNumbers({ country: 'US', type: 'local', areaCode: '415', limit: 3 })).toEqual([
      { phoneNumber: '+14155550100', friendlyName: '(415) 555-0100 (simulator)', region: 'CA', isoCountry: 'US', capabilities: { voice: true, SMS: true, MMS: true } },
      { phoneNumber: '+14155550101', friendlyName: '(415) 555-0101 (simulator)', region: 'CA', isoCountry: 'US', capabilities: { voice: true, SMS: true, MMS: true } },
      { phoneNumber: '+14155550102', friendlyName: '(415) 555-0102 (simulator)', region: 'CA', isoCountry: 'US', capabilities: { voice: true, SMS: true, MMS: true } },
    ]);
  });

  it('the seed’s example search (areaCode 555, limit 10) answers ten numbers in +1 555 555-01XX', async () => {
    const numbers = await simulator().searchNumbers({ country: 'US', type: 'local', areaCode: '555', limit: 10 });
    expect(numbers.map((n) => n.phoneNumber)).toEqual(Array.from({ length: 10 }, (_, i) => `+1555555010${i}`));
    expect(numbers.every((n) => n.region === null)).toBe(true);
  });

  it('toll-free, GB ranges; nothing for US mobile, foreign area codes or other countries', async () => {
    const sim = simulator();
    expect(await sim.searchNumbers({ country: 'US', type: 'tollFree', limit: 1 })).toEqual([
      { phoneNumber: '+18005550100', friendlyName: '(800) 555-0100 (simulator)', region: null, isoCountry: 'US', capabilities: { voice: true, SMS: true, MMS: false } },
    ]);
    expect((await sim.searchNumbers({ country: 'US', type: 'tollFree', areaCode: '888', limit: 1 }))[0]?.phoneNumber).toBe('+18885550100');
    expect((await sim.searchNumbers({ country: 'GB', type: 'mobile', limit: 1 }))[0]).toEqual({
      phoneNumber: '+447700900000',
      friendlyName: '+44 7700 900000 (simulator)',
      region: null,
      isoCountry: 'GB',
      capabilities: { voice: true, SMS: true, MMS: false },
    });
    expect((await sim.searchNumbers({ country: 'GB', type: 'local', limit: 1 }))[0]?.phoneNumber).toBe('+442079460000');
    expect((await sim.searchNumbers({ country: 'gb', type: 'tollFree', limit: 1 }))[0]?.phoneNumber).toBe('+448081570000');
    expect((await sim.searchNumbers({ country: 'CA', type: 'local', limit: 1 }))[0]?.phoneNumber).toBe('+14165550100');
    expect(await sim.searchNumbers({ country: 'US', type: 'mobile', limit: 10 })).toEqual([]);
    expect(await sim.searchNumbers({ country: 'US', type: 'local', areaCode: '416', limit: 10 })).toEqual([]);
    expect(await sim.searchNumbers({ country: 'US', type: 'local', areaCode: '800', limit: 10 })).toEqual([]);
    expect(await sim.searchNumbers({ country: 'FR', type: 'local', limit: 10 })).toEqual([]);
  });

  it('contains follows Twilio’s pattern: substring, * one digit, % any run, + anchors the start, $ the end', async () => {
    const sim = simulator();
    const search = (contains: string, areaCode?: string) =>
      sim
        .searchNumbers({ country: 'US', type: 'local', contains, limit: 1000, ...(areaCode ? { areaCode } : {}) })
        .then((ns) => ns.map((n) => n.phoneNumber));
    expect(await search('0142', '415')).toEqual(['+14155550142']);
    expect(await search('+1212')).toHaveLength(100);
    expect((await search('+1212')).every((n) => n.startsWith('+1212'))).toBe(true);
    expect(await search('0*99$', '312')).toEqual(['+13125550199']);
    expect(await search('55%99$', '617')).toEqual(['+16175550199']);
    expect(await search('JKL', '415')).toEqual(Array.from({ length: 100 }, (_, i) => `+1415555${String(100 + i).padStart(4, '0')}`)); // 555 on the keypad
  });

  it('refuses the same bad input as the Twilio adapter', async () => {
    const sim = simulator();
    for (const input of [
      { country: 'USA', type: 'local' as const, limit: 5 },
      { country: 'US', type: 'local' as const, limit: 0 },
      { country: 'US', type: 'local' as const, limit: 1.5 },
      { country: 'US', type: 'local' as const, areaCode: '055', limit: 5 },
      { country: 'GB', type: 'local' as const, areaCode: '415', limit: 5 },
      { country: 'US', type: 'local' as const, contains: 'a b', limit: 5 },
    ]) {
      expect((await rejection(sim.searchNumbers(input))).kind).toBe('invalid');
    }
    expect(sim.actions()).toEqual([]);
  });
});

describe('numbers: purchase, configure, release', () => {
  it('purchase labels the name, keeps our webhooks, costs nothing, and takes the number off the market', async () => {
    const sim = simulator();
    const purchased = await sim.purchaseNumber({ phoneNumber: '+14155550100', friendlyName: 'Main Campaign Line', ...WEBHOOKS });
    expect(purchased).toEqual({
      sid: expect.stringMatching(/^PNsim[0-9a-f]{29}$/),
      phoneNumber: '+14155550100',
      friendlyName: 'Main Campaign Line (simulator)',
      capabilities: { voice: true, SMS: true, MMS: true },
      monthlyFee: '0.0000',
    });
    expect(purchased.sid).toHaveLength(34);
    expect(sim.numbers()).toEqual([
      {
        sid: purchased.sid,
        phoneNumber: '+14155550100',
        friendlyName: 'Main Campaign Line (simulator)',
        capabilities: { voice: true, SMS: true, MMS: true },
        voiceUrl: WEBHOOKS.voiceUrl,
        statusCallbackUrl: WEBHOOKS.statusCallbackUrl,
      },
    ]);
    const next = await sim.searchNumbers({ country: 'US', type: 'local', areaCode: '415', limit: 1 });
    expect(next[0]?.phoneNumber).toBe('+14155550101');
    const again = await rejection(sim.purchaseNumber({ phoneNumber: '+14155550100', ...WEBHOOKS }));
    expect(again.kind).toBe('conflict');
  });

  it('without a friendly name the number’s labelled one is used', async () => {
    const sim = simulator();
    const purchased = await sim.purchaseNumber({ phoneNumber: '+447700900123', ...WEBHOOKS });
    expect(purchased.friendlyName).toBe('+44 7700 900123 (simulator)');
    expect(purchased.capabilities).toEqual({ voice: true, SMS: true, MMS: false });
    const named = await sim.purchaseNumber({ phoneNumber: '+18005550100', friendlyName: 'Toll line (simulator)', ...WEBHOOKS });
    expect(named.friendlyName).toBe('Toll line (simulator)');
  });

  it('refuses real-looking numbers, bad numbers and bad webhook URLs', async () => {
    const sim = simulator();
    const real = await rejection(sim.purchaseNumber({ phoneNumber: '+14155551234', ...WEBHOOKS }));
    expect(real.kind).toBe('invalid');
    expect(real.message).toContain('fictional');
    expect((await rejection(sim.purchaseNumber({ phoneNumber: '4155550100', ...WEBHOOKS }))).kind).toBe('invalid');
    expect((await rejection(sim.purchaseNumber({ phoneNumber: '+14155550100', ...WEBHOOKS, voiceUrl: 'ftp://x' }))).kind).toBe('invalid');
    expect((await rejection(sim.purchaseNumber({ phoneNumber: '+14155550100', ...WEBHOOKS, friendlyName: 'x'.repeat(65) }))).kind).toBe('invalid');
    expect(sim.numbers()).toEqual([]);
    expect(sim.actions()).toEqual([]);
  });

  it('configure and release; unknown sids are not_found; a released number is offered again', async () => {
    const sim = simulator();
    const { sid } = await sim.purchaseNumber({ phoneNumber: '+14155550100', ...WEBHOOKS });
    await sim.configureNumber(sid, { voiceUrl: 'http://127.0.0.1:3000/api/webhooks/pool/3/voice', statusCallbackUrl: WEBHOOKS.statusCallbackUrl });
    expect(sim.numbers()[0]?.voiceUrl).toBe('http://127.0.0.1:3000/api/webhooks/pool/3/voice');
    expect((await rejection(sim.configureNumber('PNsim-unknown', WEBHOOKS))).kind).toBe('not_found');
    expect((await rejection(sim.configureNumber(sid, { ...WEBHOOKS, statusCallbackUrl: 'nope' }))).kind).toBe('invalid');
    await sim.releaseNumber(sid);
    expect(sim.numbers()).toEqual([]);
    expect((await rejection(sim.releaseNumber(sid))).kind).toBe('not_found');
    expect((await sim.searchNumbers({ country: 'US', type: 'local', areaCode: '415', limit: 1 }))[0]?.phoneNumber).toBe('+14155550100');
  });

  it('registerNumber makes a number owned before a restart known again', async () => {
    const sim = simulator();
    sim.registerNumber({ sid: 'PNsim0000000000000000000000000abc', phoneNumber: '+13125550150', ...WEBHOOKS });
    expect(sim.numbers()[0]?.friendlyName).toBe('(312) 555-0150 (simulator)');
    expect((await sim.searchNumbers({ country: 'US', type: 'local', contains: '0150', areaCode: '312', limit: 5 }))).toEqual([]);
    await sim.releaseNumber('PNsim0000000000000000000000000abc');
    expect(sim.actions().map((a) => a.operation)).toEqual(['search_numbers', 'release_number']);
  });
});

describe('call control', () => {
  it('unknown calls are not_found for every operation, and nothing is recorded', async () => {
    const sim = simulator();
    sim.registerCall(CALL);
    const unknown = 'CAffffffffffffffffffffffffffffffff';
    const attempts = [
      sim.transferCall(unknown, '+14155550142'),
      sim.holdCall(unknown),
      sim.resumeCall(unknown, 'http://127.0.0.1:3000/resume'),
      sim.muteCall(unknown),
      sim.unmuteCall(unknown),
      sim.startRecording(unknown),
      sim.stopRecording(unknown, 'REsim0'),
      sim.hangupCall(unknown),
      sim.redirectCall(unknown, 'http://127.0.0.1:3000/next'),
    ];
    for (const attempt of attempts) expect((await rejection(attempt)).kind).toBe('not_found');
    expect(sim.actions()).toEqual([]);
    expect(() => sim.endCall(unknown)).toThrow(TelephonyError);
    expect(sim.callState(unknown)).toBeUndefined();
  });

  it('transfer records the <Dial><Number> TwiML Twilio would get and drops the current leg', async () => {
    const sim = simulator();
    sim.registerCall(CALL, { bridgedTo: '+12125550199' });
    await sim.transferCall(CALL, '+14155550142', { actionUrl: 'http://127.0.0.1:3000/api/webhooks/dial-status' });
    expect(sim.actions()).toEqual([
      {
        seq: 1,
        at: '2026-01-15T12:00:00.000Z',
        operation: 'transfer',
        callSid: CALL,
        twiml: `${XML}<Response><Dial action="http://127.0.0.1:3000/api/webhooks/dial-status" method="POST"><Number>+14155550142</Number></Dial></Response>`,
        details: { to: '+14155550142', droppedLeg: '+12125550199', via: 'call_update' },
      },
    ]);
    expect(sim.callState(CALL)).toMatchObject({ status: 'in-progress', bridgedTo: '+14155550142', onHold: false });
    expect((await rejection(sim.transferCall(CALL, '14155550142'))).kind).toBe('invalid');
  });

  it('hold of a <Dial><Number> call parks the caller with hold music and ends the bridged leg; resume redirects', async () => {
    const sim = simulator();
    sim.registerCall(CALL, { bridgedTo: '+12125550199' });
    await expect(sim.holdCall(CALL)).resolves.toEqual({ via: 'call_update' });
    expect(sim.callState(CALL)).toMatchObject({ onHold: true, bridgedTo: null });
    await expect(sim.resumeCall(CALL, 'http://127.0.0.1:3000/api/webhooks/resume?callSid=1')).resolves.toEqual({ via: 'call_update' });
    expect(sim.callState(CALL)).toMatchObject({ onHold: false, redirectedTo: 'http://127.0.0.1:3000/api/webhooks/resume?callSid=1' });
    const [hold, resume] = sim.actions();
    expect(hold).toMatchObject({
      operation: 'hold',
      twiml: `${XML}<Response><Play loop="0">${DEFAULT_HOLD_MUSIC_URL}</Play></Response>`,
      details: { via: 'call_update', droppedLeg: '+12125550199' },
    });
    expect(resume).toMatchObject({ operation: 'resume', details: { via: 'call_update', url: 'http://127.0.0.1:3000/api/webhooks/resume?callSid=1', method: 'POST' } });
    expect(resume?.twiml).toBeUndefined();
    expect((await rejection(sim.resumeCall(CALL, 'not a url'))).kind).toBe('invalid');
    expect((await rejection(sim.holdCall(CALL, { holdMusicUrl: 'x' }))).kind).toBe('invalid');
  });

  it('mute of a two-party <Dial><Number> call is not_supported, honestly, and changes nothing', async () => {
    const sim = simulator();
    sim.registerCall(CALL, { bridgedTo: '+12125550199' });
    for (const op of [sim.muteCall(CALL), sim.unmuteCall(CALL)]) {
      const err = await rejection(op);
      expect(err.kind).toBe('not_supported');
      expect(err.message).toMatch(/conference/);
      expect(isTelephonyError(err, 'not_supported')).toBe(true);
    }
    expect(sim.callState(CALL)).toMatchObject({ muted: false, bridgedTo: '+12125550199' });
    expect(sim.actions()).toEqual([]);
  });

  it('a conference participant can be muted, unmuted, held and resumed in place', async () => {
    const sim = simulator();
    sim.registerCall(CALL, { inConference: true });
    await sim.muteCall(CALL);
    expect(sim.callState(CALL)?.muted).toBe(true);
    await sim.unmuteCall(CALL);
    expect(sim.callState(CALL)?.muted).toBe(false);
    await expect(sim.holdCall(CALL)).resolves.toEqual({ via: 'conference_participant' });
    expect(sim.callState(CALL)).toMatchObject({ onHold: true, inConference: true });
    await expect(sim.resumeCall(CALL, 'http://127.0.0.1:3000/unused')).resolves.toEqual({ via: 'conference_participant' });
    expect(sim.callState(CALL)).toMatchObject({ onHold: false, redirectedTo: null });
    expect(sim.actions().map((a) => [a.operation, a.details.via, a.twiml])).toEqual([
      ['mute', 'conference_participant', undefined],
      ['unmute', 'conference_participant', undefined],
      ['hold', 'conference_participant', undefined],
      ['resume', 'conference_participant', undefined],
    ]);
    // A transfer takes the call out of the conference: mute is then no longer possible.
    await sim.transferCall(CALL, '+14155550142');
    expect((await rejection(sim.muteCall(CALL))).kind).toBe('not_supported');
  });

  it('a redirect takes the call out of its conference or bridge to new TwiML; a bad URL is invalid; an ended call a conflict', async () => {
    const sim = simulator();
    sim.registerCall(CALL, { inConference: true });
    expect((await rejection(sim.redirectCall(CALL, 'not a url'))).kind).toBe('invalid');
    await sim.redirectCall(CALL, 'http://127.0.0.1:3000/api/webhooks/outbound/answer?callId=1');
    expect(sim.callState(CALL)).toMatchObject({ inConference: false, onHold: false, bridgedTo: null, redirectedTo: 'http://127.0.0.1:3000/api/webhooks/outbound/answer?callId=1' });
    expect(sim.actions().map((a) => [a.operation, a.details])).toEqual([
      ['redirect', { via: 'call_update', url: 'http://127.0.0.1:3000/api/webhooks/outbound/answer?callId=1', method: 'POST', droppedLeg: null }],
    ]);
    await sim.hangupCall(CALL);
    expect((await rejection(sim.redirectCall(CALL, 'http://127.0.0.1:3000/next'))).kind).toBe('conflict');
  });

  it('recordings start and stop; unknown recordings are not_found, stopping twice a conflict', async () => {
    const sim = simulator();
    sim.registerCall(CALL);
    const { recordingSid } = await sim.startRecording(CALL, { statusCallbackUrl: 'http://127.0.0.1:3000/api/webhooks/recording' });
    expect(recordingSid).toMatch(/^REsim[0-9a-f]{29}$/);
    const second = await sim.startRecording(CALL);
    expect(second.recordingSid).not.toBe(recordingSid);
    await sim.stopRecording(CALL, recordingSid);
    expect((await rejection(sim.stopRecording(CALL, recordingSid))).kind).toBe('conflict');
    expect((await rejection(sim.stopRecording(CALL, 'REsim-unknown'))).kind).toBe('not_found');
    expect((await rejection(sim.startRecording(CALL, { statusCallbackUrl: '/relative' }))).kind).toBe('invalid');
    expect(sim.callState(CALL)?.recordings).toEqual([
      { sid: recordingSid, status: 'stopped' },
      { sid: second.recordingSid, status: 'in-progress' },
    ]);
    expect(sim.actions().map((a) => [a.operation, a.recordingSid])).toEqual([
      ['start_recording', recordingSid],
      ['start_recording', second.recordingSid],
      ['stop_recording', recordingSid],
    ]);
    expect(sim.actions()[0]?.details).toEqual({ recordingStatusCallback: 'http://127.0.0.1:3000/api/webhooks/recording' });
  });

  it('hangup ends the call and its recordings; a second hangup is a no-op; control of an ended call is a conflict', async () => {
    const sim = simulator();
    sim.registerCall(CALL, { bridgedTo: '+12125550199' });
    const { recordingSid } = await sim.startRecording(CALL);
    await sim.hangupCall(CALL);
    await sim.hangupCall(CALL);
    expect(sim.callState(CALL)).toMatchObject({ status: 'completed', bridgedTo: null, recordings: [{ sid: recordingSid, status: 'stopped' }] });
    expect(sim.actions().map((a) => a.operation)).toEqual(['start_recording', 'hangup']);
    expect(sim.actions()[1]?.details).toEqual({ status: 'completed', droppedLeg: '+12125550199' });
    for (const op of [
      sim.transferCall(CALL, '+14155550142'),
      sim.holdCall(CALL),
      sim.resumeCall(CALL, 'http://127.0.0.1:3000/r'),
      sim.muteCall(CALL),
      sim.startRecording(CALL),
      sim.stopRecording(CALL, recordingSid),
    ]) {
      expect((await rejection(op)).kind).toBe('conflict');
    }
  });

  it('a call the far end hung up (endCall) cannot be controlled; registerCall is idempotent', async () => {
    const sim = simulator();
    sim.registerCall(CALL, { inConference: true });
    sim.registerCall(CALL); // a retried webhook: nothing changes
    expect(sim.callState(CALL)?.inConference).toBe(true);
    sim.endCall(CALL);
    sim.registerCall(CALL);
    expect(sim.callState(CALL)?.status).toBe('completed');
    expect((await rejection(sim.holdCall(CALL))).kind).toBe('conflict');
    expect(() => sim.registerCall('')).toThrow(TelephonyError);
    expect(() => sim.registerCall('CA9', { bridgedTo: 'nope' })).toThrow(TelephonyError);
  });
});

describe('action log and determinism', () => {
  it('keeps only the latest ACTION_LOG_LIMIT actions (a long-running demo server does not grow without end), numbered on', async () => {
    const sim = simulator();
    for (let i = 0; i < ACTION_LOG_LIMIT + 5; i += 1) await sim.searchNumbers({ country: 'US', type: 'local', limit: 1 });
    const actions = sim.actions();
    expect(actions).toHaveLength(ACTION_LOG_LIMIT);
    expect(actions[0]!.seq).toBe(6);
    expect(actions.at(-1)!.seq).toBe(ACTION_LOG_LIMIT + 5);
  });

  async function script(sim: SimulatorTelephony) {
    const found = await sim.searchNumbers({ country: 'US', type: 'local', areaCode: '212', limit: 2 });
    const bought = await sim.purchaseNumber({ phoneNumber: found[1]!.phoneNumber, friendlyName: 'Demo', ...WEBHOOKS });
    await sim.configureNumber(bought.sid, WEBHOOKS);
    sim.registerCall(CALL, { bridgedTo: '+12125550199' });
    const rec = await sim.startRecording(CALL);
    await sim.transferCall(CALL, '+14155550142');
    await sim.holdCall(CALL);
    await sim.resumeCall(CALL, 'http://127.0.0.1:3000/resume');
    await sim.stopRecording(CALL, rec.recordingSid);
    await sim.hangupCall(CALL);
    await sim.releaseNumber(bought.sid);
    return { found, bought, rec };
  }

  it('records every action in order, with timestamps from the clock', async () => {
    const sim = simulator();
    const { bought, rec } = await script(sim);
    const actions = sim.actions();
    expect(actions.map((a) => a.operation)).toEqual([
      'search_numbers',
      'purchase_number',
      'configure_number',
      'start_recording',
      'transfer',
      'hold',
      'resume',
      'stop_recording',
      'hangup',
      'release_number',
    ]);
    expect(actions.map((a) => a.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(actions[0]?.at).toBe('2026-01-15T12:00:00.000Z');
    expect(actions[9]?.at).toBe('2026-01-15T12:00:09.000Z');
    expect(actions[0]?.details).toEqual({ country: 'US', type: 'local', areaCode: '212', contains: null, limit: 2, found: 2 });
    expect(actions[1]).toMatchObject({
      numberSid: bought.sid,
      details: {
        phoneNumber: '+12125550101',
        friendlyName: 'Demo (simulator)',
        voiceUrl: WEBHOOKS.voiceUrl,
        voiceMethod: 'POST',
        statusCallback: WEBHOOKS.statusCallbackUrl,
        statusCallbackMethod: 'POST',
      },
    });
    expect(actions[3]?.recordingSid).toBe(rec.recordingSid);
    expect(actions[9]).toMatchObject({ numberSid: bought.sid, details: { phoneNumber: '+12125550101' } });
  });

  it('actions() is a copy of frozen entries', async () => {
    const sim = simulator();
    await sim.searchNumbers({ country: 'US', type: 'local', limit: 1 });
    const copy = sim.actions();
    copy.length = 0;
    expect(sim.actions()).toHaveLength(1);
    const [action] = sim.actions();
    expect(Object.isFrozen(action)).toBe(true);
    expect(Object.isFrozen(action?.details)).toBe(true);
  });

  it('the same clock and random source give the same answers and the same log', async () => {
    const a = simulator({ random: seeded(7) });
    const b = simulator({ random: seeded(7) });
    const ra = await script(a);
    const rb = await script(b);
    expect(ra).toEqual(rb);
    expect(a.actions()).toEqual(b.actions());
    const c = simulator({ random: seeded(8) });
    const rc = await script(c);
    expect(rc.found).toEqual(ra.found); // what is offered never depends on randomness
    expect(rc.bought.sid).not.toBe(ra.bought.sid);
  });

  it('without options, sids still have the simulator shape and differ between instances', async () => {
    const x = createSimulatorTelephony();
    const y = createSimulatorTelephony();
    const px = await x.purchaseNumber({ phoneNumber: '+14155550100', ...WEBHOOKS });
    const py = await y.purchaseNumber({ phoneNumber: '+14155550100', ...WEBHOOKS });
    expect(px.sid).toMatch(/^PNsim[0-9a-f]{29}$/);
    expect(py.sid).toMatch(/^PNsim[0-9a-f]{29}$/);
    expect(px.sid).not.toBe(py.sid);
    expect(Date.parse(x.actions()[0]!.at)).not.toBeNaN();
  });
});

describe('factory', () => {
  it('TELEPHONY=simulator (the default without credentials) builds the simulator', async () => {
    const telephony = createTelephony({ telephony: 'simulator', twilioAccountSid: undefined, twilioAuthToken: undefined }, { simulator: { now: fixedClock() } });
    expect(telephony.kind).toBe('simulator');
    if (telephony.kind !== 'simulator') throw new Error('unreachable');
    telephony.registerCall(CALL);
    await telephony.hangupCall(CALL);
    expect(telephony.actions()[0]).toMatchObject({ operation: 'hangup', at: '2026-01-15T12:00:00.000Z' });
  });

  it('TELEPHONY=simulator wins even when credentials are present', () => {
    const telephony = createTelephony({ telephony: 'simulator', twilioAccountSid: 'AC0123456789abcdef0123456789abcdef', twilioAuthToken: 't' });
    expect(telephony.kind).toBe('simulator');
  });

  it('TELEPHONY=twilio without credentials is refused', () => {
    expect(() => createTelephony({ telephony: 'twilio', twilioAccountSid: undefined, twilioAuthToken: undefined })).toThrow(/TWILIO_ACCOUNT_SID/);
    expect(() => createTelephony({ telephony: 'twilio', twilioAccountSid: 'AC0123456789abcdef0123456789abcdef', twilioAuthToken: undefined })).toThrow(
      /TWILIO_AUTH_TOKEN/,
    );
  });

  it('TELEPHONY=twilio with credentials builds the Twilio adapter', () => {
    const telephony = createTelephony({ telephony: 'twilio', twilioAccountSid: 'AC0123456789abcdef0123456789abcdef', twilioAuthToken: 't' });
    expect(telephony.kind).toBe('twilio');
  });
});
