// Call control (issue 4): transfer, hold / resume, mute / unmute and recording start / stop of an
// organisation's live call, through the real server, on the local telephony simulator (which
// records what the Twilio adapter would have sent) and on a fake carrier that fails on demand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallStatusValue } from '../../../db/types.js';
import { callStatusRank } from '../../../server/inbound/calls/status.js';
import { createSimulatorTelephony, type SimulatorTelephony } from '../../../server/telephony/simulator/simulator.js';
import type { TwilioTelephony } from '../../../server/telephony/twilio.js';
import { DEFAULT_HOLD_MUSIC_URL, TelephonyError, type ControlResult, type TelephonyErrorKind } from '../../../server/telephony/types.js';
import { type Client, type Member, addMember, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { postWebhook } from '../../helpers/twilio-webhook.js';
import { newCallSid } from './db-helpers.js';

const PUBLIC_BASE_URL = 'https://calls.example.com';
const TRACKING = '+12125550100';
const BUYER = '+12125554567';
const TARGET = '+12125551234';
const XML = '<?xml version="1.0" encoding="UTF-8"?>';

type Op = 'transfer' | 'hold' | 'resume' | 'mute' | 'unmute' | 'recording/start' | 'recording/stop';
const OPS: readonly Op[] = ['transfer', 'hold', 'resume', 'mute', 'unmute', 'recording/start', 'recording/stop'];

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** One control request; `recordingSid` is sent as the body of recording/stop when given. */
async function control(client: Client, op: Op, callSid: string, recordingSid?: string): Promise<Answer> {
  const params = { path: { callSid } };
  const res = await (() => {
    switch (op) {
      case 'transfer':
        return client.POST('/api/calls/{callSid}/transfer', { params, body: { targetNumber: TARGET } });
      case 'hold':
        return client.POST('/api/calls/{callSid}/hold', { params });
      case 'resume':
        return client.POST('/api/calls/{callSid}/resume', { params });
      case 'mute':
        return client.POST('/api/calls/{callSid}/mute', { params });
      case 'unmute':
        return client.POST('/api/calls/{callSid}/unmute', { params });
      case 'recording/start':
        return client.POST('/api/calls/{callSid}/recording/start', { params });
      case 'recording/stop':
        return client.POST('/api/calls/{callSid}/recording/stop', { params, ...(recordingSid ? { body: { recordingSid } } : {}) });
    }
  })();
  return { status: res.response.status, body: (res.data ?? res.error) as Record<string, unknown> };
}

/** A call row of the organisation (live unless told otherwise). */
async function insertCall(t: TestApp, orgId: string, options: { status?: CallStatusValue; to?: string | null } = {}): Promise<string> {
  const callSid = newCallSid();
  const status = options.status ?? 'in-progress';
  await t.db
    .insertInto('calls')
    .values({
      org_id: orgId,
      call_sid: callSid,
      status,
      status_rank: callStatusRank(status),
      from_number: '+13105551234',
      to_number: options.to === undefined ? TRACKING : options.to,
    })
    .execute();
  return callSid;
}

async function storedRecordingSid(t: TestApp, callSid: string): Promise<string | null> {
  const row = await t.db.selectFrom('calls').select('recording_sid').where('call_sid', '=', callSid).executeTakeFirstOrThrow();
  return row.recording_sid;
}

function expectError(answer: Answer, status: number, code: string): void {
  expect(answer.status).toBe(status);
  expect(answer.body).toMatchObject({ code, error: expect.any(String), timestamp: expect.any(String), requestId: expect.any(String) });
  expect(answer.body).toHaveProperty('details');
}

describe('call control on the simulator', () => {
  let t: TestApp;
  let sim: SimulatorTelephony;
  let owner: Member;
  let other: Member;

  /** A call live in our table and in the simulator, bridged to the buyer. */
  async function liveCall(options: { inConference?: boolean; org?: Member } = {}): Promise<string> {
    const callSid = await insertCall(t, (options.org ?? owner).orgId);
    sim.registerCall(callSid, { bridgedTo: BUYER, inConference: options.inConference ?? false });
    return callSid;
  }

  const ok = (callSid: string, action: string, via: string | null = null, recordingSid: string | null = null) => ({
    callSid,
    action,
    via,
    recordingSid,
    simulated: true,
  });

  beforeAll(async () => {
    sim = createSimulatorTelephony();
    t = await startTestApp({ telephony: sim, env: { PUBLIC_BASE_URL } });
    owner = await registerOrg(t, 'Control Org');
    other = await registerOrg(t, 'Other Control Org');
  });
  afterAll(async () => t.close());

  it('transfers the caller: our tracking number as caller id, the buyer leg dropped', async () => {
    const callSid = await liveCall();
    const answer = await control(owner.client, 'transfer', callSid);
    expect(answer).toEqual({ status: 200, body: ok(callSid, 'transfer') });
    expect(sim.actions().at(-1)).toMatchObject({
      operation: 'transfer',
      callSid,
      twiml: `${XML}<Response><Dial callerId="${TRACKING}"><Number>${TARGET}</Number></Dial></Response>`,
      details: { to: TARGET, droppedLeg: BUYER, via: 'call_update' },
    });
    expect(sim.callState(callSid)?.bridgedTo).toBe(TARGET);
  });

  it("refuses (400 naming targetNumber) a transfer to one of the organisation's own tracking numbers, which would bring the call back in; another organisation's number stays allowed", async () => {
    const ours = await owner.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: '+12125550177' } });
    expect(ours.response.status).toBe(201);
    const theirs = await other.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: '+12125550178' } });
    expect(theirs.response.status).toBe(201);
    const callSid = await liveCall();
    const before = sim.actions().length;
    const params = { path: { callSid } };
    const looped = await owner.client.POST('/api/calls/{callSid}/transfer', { params, body: { targetNumber: '+12125550177' } });
    expect(looped.response.status).toBe(400);
    expect(looped.error).toMatchObject({ code: 'VALIDATION_ERROR' });
    expect(Object.keys(looped.error?.details as object)).toEqual(['targetNumber']);
    expect(sim.actions()).toHaveLength(before);
    expect(sim.callState(callSid)?.bridgedTo).toBe(BUYER);

    const elsewhere = await owner.client.POST('/api/calls/{callSid}/transfer', { params, body: { targetNumber: '+12125550178' } });
    expect(elsewhere.response.status).toBe(200);
    expect(sim.callState(callSid)?.bridgedTo).toBe('+12125550178');
  });

  it('transfers without a caller id when the tracking number is not E.164', async () => {
    const callSid = await insertCall(t, owner.orgId, { to: null });
    sim.registerCall(callSid);
    expect(await control(owner.client, 'transfer', callSid)).toEqual({ status: 200, body: ok(callSid, 'transfer') });
    expect(sim.actions().at(-1)).toMatchObject({
      operation: 'transfer',
      callSid,
      twiml: `${XML}<Response><Dial><Number>${TARGET}</Number></Dial></Response>`,
    });
  });

  it('holds a bridged caller by parking it (call update with hold music) and resumes through our resume webhook', async () => {
    const callSid = await liveCall();
    expect(await control(owner.client, 'hold', callSid)).toEqual({ status: 200, body: ok(callSid, 'hold', 'call_update') });
    expect(sim.actions().at(-1)).toMatchObject({
      operation: 'hold',
      callSid,
      twiml: `${XML}<Response><Play loop="0">${DEFAULT_HOLD_MUSIC_URL}</Play></Response>`,
      details: { via: 'call_update', droppedLeg: BUYER },
    });
    expect(sim.callState(callSid)).toMatchObject({ onHold: true, bridgedTo: null });

    expect(await control(owner.client, 'resume', callSid)).toEqual({ status: 200, body: ok(callSid, 'resume', 'call_update') });
    expect(sim.actions().at(-1)).toMatchObject({
      operation: 'resume',
      callSid,
      details: { via: 'call_update', url: `${PUBLIC_BASE_URL}/api/webhooks/resume`, method: 'POST' },
    });
    expect(sim.callState(callSid)).toMatchObject({ onHold: false, redirectedTo: `${PUBLIC_BASE_URL}/api/webhooks/resume` });
  });

  it('holds and resumes a conference participant in place', async () => {
    const callSid = await liveCall({ inConference: true });
    expect(await control(owner.client, 'hold', callSid)).toEqual({ status: 200, body: ok(callSid, 'hold', 'conference_participant') });
    expect(sim.actions().at(-1)).toMatchObject({ operation: 'hold', callSid, details: { via: 'conference_participant', holdUrl: null } });
    expect(await control(owner.client, 'resume', callSid)).toEqual({ status: 200, body: ok(callSid, 'resume', 'conference_participant') });
    expect(sim.actions().at(-1)).toMatchObject({ operation: 'resume', callSid, details: { via: 'conference_participant' } });
    expect(sim.callState(callSid)).toMatchObject({ onHold: false, bridgedTo: BUYER, redirectedTo: null });
  });

  it('mutes and unmutes a conference participant', async () => {
    const callSid = await liveCall({ inConference: true });
    expect(await control(owner.client, 'mute', callSid)).toEqual({ status: 200, body: ok(callSid, 'mute') });
    expect(sim.actions().at(-1)).toMatchObject({ operation: 'mute', callSid, details: { via: 'conference_participant', muted: true } });
    expect(sim.callState(callSid)?.muted).toBe(true);
    expect(await control(owner.client, 'unmute', callSid)).toEqual({ status: 200, body: ok(callSid, 'unmute') });
    expect(sim.actions().at(-1)).toMatchObject({ operation: 'unmute', callSid, details: { via: 'conference_participant', muted: false } });
    expect(sim.callState(callSid)?.muted).toBe(false);
  });

  it('answers 409 for mute / unmute of a two-party <Dial><Number> bridge, and the simulator does nothing', async () => {
    const callSid = await liveCall();
    const before = sim.actions().length;
    for (const op of ['mute', 'unmute'] as const) {
      const answer = await control(owner.client, op, callSid);
      expectError(answer, 409, 'CONFLICT');
      expect(String(answer.body.details)).toContain('conference');
      expect(String(answer.body.details)).not.toContain('simulator');
    }
    expect(sim.actions()).toHaveLength(before);
    expect(sim.callState(callSid)).toMatchObject({ muted: false, bridgedTo: BUYER });
  });

  it('starts a recording, stores its sid, and stops it without a body (the stored sid), clearing it', async () => {
    const callSid = await liveCall();
    const started = await control(owner.client, 'recording/start', callSid);
    expect(started.status).toBe(200);
    const recordingSid = started.body.recordingSid as string;
    expect(recordingSid).toMatch(/^REsim[0-9a-f]{29}$/);
    expect(started.body).toEqual(ok(callSid, 'recording_start', null, recordingSid));
    expect(sim.actions().at(-1)).toMatchObject({ operation: 'start_recording', callSid, recordingSid });
    expect(await storedRecordingSid(t, callSid)).toBe(recordingSid);

    expect(await control(owner.client, 'recording/stop', callSid)).toEqual({ status: 200, body: ok(callSid, 'recording_stop', null, recordingSid) });
    expect(sim.actions().at(-1)).toMatchObject({ operation: 'stop_recording', callSid, recordingSid, details: { status: 'stopped' } });
    expect(sim.callState(callSid)?.recordings).toEqual([{ sid: recordingSid, status: 'stopped' }]);
    expect(await storedRecordingSid(t, callSid)).toBeNull();
  });

  it('asks the carrier for the recording status callback, and stores the URL of a completed recording on the call', async () => {
    const callSid = await liveCall();
    const started = await control(owner.client, 'recording/start', callSid);
    expect(started.status).toBe(200);
    const recordingSid = started.body.recordingSid as string;
    expect(sim.actions().at(-1)).toMatchObject({
      operation: 'start_recording',
      details: { recordingStatusCallback: `${PUBLIC_BASE_URL}/api/webhooks/recording-status` },
    });
    const row = await t.db.selectFrom('calls').select('id').where('call_sid', '=', callSid).executeTakeFirstOrThrow();
    const before = await owner.client.GET('/api/calls/{id}', { params: { path: { id: String(row.id) } } });
    expect(before.data?.recordingUrl).toBeNull();

    const url = `https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/${recordingSid}`;
    const form = { CallSid: callSid, RecordingSid: recordingSid, RecordingUrl: url };
    // In progress: nothing to keep yet; completed: the URL is the call's; a duplicate changes nothing.
    expect((await postWebhook(t, '/api/webhooks/recording-status', { ...form, RecordingStatus: 'in-progress' })).status).toBe(204);
    expect((await owner.client.GET('/api/calls/{id}', { params: { path: { id: String(row.id) } } })).data?.recordingUrl).toBeNull();
    expect((await postWebhook(t, '/api/webhooks/recording-status', { ...form, RecordingStatus: 'completed' })).status).toBe(204);
    expect((await postWebhook(t, '/api/webhooks/recording-status', { ...form, RecordingStatus: 'completed' })).status).toBe(204);
    const after = await owner.client.GET('/api/calls/{id}', { params: { path: { id: String(row.id) } } });
    expect(after.data?.recordingUrl).toBe(url);

    // Unsigned: refused, nothing stored; an unknown call: 404.
    const unsigned = await postWebhook(t, '/api/webhooks/recording-status', { ...form, RecordingUrl: 'https://evil.example.com/x', RecordingStatus: 'completed' }, { signature: 'none' });
    expect(unsigned.status).toBe(403);
    expect((await owner.client.GET('/api/calls/{id}', { params: { path: { id: String(row.id) } } })).data?.recordingUrl).toBe(url);
    expect((await postWebhook(t, '/api/webhooks/recording-status', { ...form, CallSid: newCallSid(), RecordingStatus: 'completed' })).status).toBe(404);
  });

  it('stops a recording named in the body, keeping a newer stored one', async () => {
    const callSid = await liveCall();
    const first = (await control(owner.client, 'recording/start', callSid)).body.recordingSid as string;
    const second = (await control(owner.client, 'recording/start', callSid)).body.recordingSid as string;
    expect(await storedRecordingSid(t, callSid)).toBe(second);

    expect(await control(owner.client, 'recording/stop', callSid, first)).toEqual({ status: 200, body: ok(callSid, 'recording_stop', null, first) });
    expect(sim.actions().at(-1)).toMatchObject({ operation: 'stop_recording', callSid, recordingSid: first });
    expect(await storedRecordingSid(t, callSid)).toBe(second);

    expect(await control(owner.client, 'recording/stop', callSid)).toEqual({ status: 200, body: ok(callSid, 'recording_stop', null, second) });
    expect(await storedRecordingSid(t, callSid)).toBeNull();
  });

  it('answers 409 for a stop with no recording started, and 409 again for a stop of a stopped recording', async () => {
    const callSid = await liveCall();
    const before = sim.actions().length;
    const none = await control(owner.client, 'recording/stop', callSid);
    expectError(none, 409, 'CONFLICT');
    expect(String(none.body.details)).toContain('No recording was started');
    expect(sim.actions()).toHaveLength(before);

    const recordingSid = (await control(owner.client, 'recording/start', callSid)).body.recordingSid as string;
    expect((await control(owner.client, 'recording/stop', callSid)).status).toBe(200);
    const again = await control(owner.client, 'recording/stop', callSid, recordingSid);
    expectError(again, 409, 'CONFLICT');
    expect(String(again.body.details)).toContain('not in progress');
    expect(sim.actions().filter((a) => a.operation === 'stop_recording' && a.callSid === callSid)).toHaveLength(1);
  });

  it('answers 404 for a recordingSid the carrier does not know', async () => {
    const callSid = await liveCall();
    const before = sim.actions().length;
    const answer = await control(owner.client, 'recording/stop', callSid, 'RE0123456789abcdef0123456789abcdef');
    expectError(answer, 404, 'RESOURCE_NOT_FOUND');
    expect(answer.body.details).toBe("Recording with ID 'RE0123456789abcdef0123456789abcdef' not found");
    expect(sim.actions()).toHaveLength(before);
  });

  it('answers 409 for every action on a call that has ended, and the simulator records nothing', async () => {
    for (const status of ['completed', 'busy', 'no-answer', 'canceled', 'failed'] as const) {
      const callSid = await insertCall(t, owner.orgId, { status });
      sim.registerCall(callSid, { bridgedTo: BUYER }); // still live at the carrier: our record decides
      const before = sim.actions().length;
      for (const op of OPS) {
        const answer = await control(owner.client, op, callSid, op === 'recording/stop' ? 'RE0123456789abcdef0123456789abcdef' : undefined);
        expectError(answer, 409, 'CONFLICT');
        expect(answer.body.details).toBe(`The call has already ended (status: ${status}); it can no longer be controlled`);
      }
      expect(sim.actions()).toHaveLength(before);
    }
  });

  it("answers 404 (never 403) for another organisation's call, and the simulator records nothing", async () => {
    const foreign = await liveCall({ org: other });
    const before = sim.actions().length;
    for (const op of OPS) {
      const answer = await control(owner.client, op, foreign, op === 'recording/stop' ? 'RE0123456789abcdef0123456789abcdef' : undefined);
      expectError(answer, 404, 'RESOURCE_NOT_FOUND');
      expect(answer.body.details).toBe(`Call with ID '${foreign}' not found`);
    }
    expect(sim.actions()).toHaveLength(before);
    expect(sim.callState(foreign)).toMatchObject({ onHold: false, bridgedTo: BUYER, recordings: [] });
  });

  it('answers 404 for an unknown or malformed callSid', async () => {
    const before = sim.actions().length;
    for (const callSid of [newCallSid(), 'not-a-call-sid']) {
      for (const op of OPS) expectError(await control(owner.client, op, callSid), 404, 'RESOURCE_NOT_FOUND');
    }
    expect(sim.actions()).toHaveLength(before);
  });

  it('answers 404 for a call we recorded that the carrier does not know', async () => {
    const callSid = await insertCall(t, owner.orgId); // never registered with the simulator
    const answer = await control(owner.client, 'hold', callSid);
    expectError(answer, 404, 'RESOURCE_NOT_FOUND');
    expect(answer.body.details).toBe(`Call with ID '${callSid}' not found`);
  });

  it("lets an agent control its own agent's calls only (another call is a 404), and refuses a caller without a session (401)", async () => {
    const agent = await addMember(t, owner, 'agent');
    const callSid = await liveCall();
    const someoneElses = await liveCall();
    // The user is the dialer's agent of this call (calls bridged to it by the outbound dialer).
    const created = await owner.client.POST('/api/agents', { body: { name: 'Agent user', phone: '+13125550199', userId: agent.id } });
    expect(created.response.status).toBe(201);
    await t.db.updateTable('calls').set({ agent_id: created.data!.id }).where('call_sid', '=', callSid).execute();
    expect(await control(agent.client, 'hold', callSid)).toEqual({ status: 200, body: ok(callSid, 'hold', 'call_update') });
    const before = sim.actions().length;
    for (const op of OPS) expectError(await control(agent.client, op, someoneElses), 404, 'RESOURCE_NOT_FOUND');
    expect(sim.actions()).toHaveLength(before);
    const anonymous = t.client();
    for (const op of OPS) expectError(await control(anonymous, op, callSid), 401, 'UNAUTHORIZED');
    expect(sim.actions()).toHaveLength(before);
  });

  it('refuses a malformed body before anything is done (400 naming the field)', async () => {
    const callSid = await liveCall();
    const before = sim.actions().length;
    const params = { path: { callSid } };
    const transfer = await owner.client.POST('/api/calls/{callSid}/transfer', { params, body: { targetNumber: '2125551234' } });
    expect(transfer.response.status).toBe(400);
    expect(transfer.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { targetNumber: expect.any(String) } });
    const stop = await owner.client.POST('/api/calls/{callSid}/recording/stop', { params, body: { recordingSid: 'CA123' } });
    expect(stop.response.status).toBe(400);
    expect(stop.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { recordingSid: expect.any(String) } });
    expect(sim.actions()).toHaveLength(before);
  });
});

describe('call control on a carrier that fails', () => {
  const SECRET = 'connect ECONNREFUSED 10.9.8.7:443 (internal-twilio-proxy)';
  let t: TestApp;
  let org: Member;
  /** What the next control call throws (null: it succeeds). */
  let failure: unknown = null;
  const calls: Array<{ method: string; args: unknown[] }> = [];

  function recorded<T>(method: string, result: T) {
    return async (...args: unknown[]): Promise<T> => {
      calls.push({ method, args });
      if (failure !== null) throw failure;
      return result;
    };
  }
  const unused = async (): Promise<never> => {
    throw new Error('not used by call control');
  };
  const conference: ControlResult = { via: 'conference_participant' };
  const fake: TwilioTelephony = {
    kind: 'twilio',
    searchNumbers: unused,
    purchaseNumber: unused,
    configureNumber: unused,
    releaseNumber: unused,
    findOwnedNumber: unused,
    hangupCall: unused,
    redirectCall: unused,
    placeCall: unused,
    transferCall: recorded('transferCall', undefined),
    holdCall: recorded('holdCall', conference),
    resumeCall: recorded('resumeCall', conference),
    muteCall: recorded('muteCall', undefined),
    unmuteCall: recorded('unmuteCall', undefined),
    startRecording: recorded('startRecording', { recordingSid: 'RE0123456789abcdef0123456789abcdef' }),
    stopRecording: recorded('stopRecording', undefined),
  };

  beforeAll(async () => {
    t = await startTestApp({ telephony: fake, env: { PUBLIC_BASE_URL } });
    org = await registerOrg(t, 'Failing Carrier Org');
  });
  afterAll(async () => t.close());

  it('answers simulated: false on the real carrier, passing its via and arguments through', async () => {
    failure = null;
    calls.length = 0;
    const callSid = await insertCall(t, org.orgId);
    const expected: Record<Op, { action: string; via: string | null; recordingSid: string | null }> = {
      transfer: { action: 'transfer', via: null, recordingSid: null },
      hold: { action: 'hold', via: 'conference_participant', recordingSid: null },
      resume: { action: 'resume', via: 'conference_participant', recordingSid: null },
      mute: { action: 'mute', via: null, recordingSid: null },
      unmute: { action: 'unmute', via: null, recordingSid: null },
      'recording/start': { action: 'recording_start', via: null, recordingSid: 'RE0123456789abcdef0123456789abcdef' },
      'recording/stop': { action: 'recording_stop', via: null, recordingSid: 'RE0123456789abcdef0123456789abcdef' },
    };
    for (const op of OPS) {
      expect(await control(org.client, op, callSid)).toEqual({ status: 200, body: { callSid, ...expected[op], simulated: false } });
    }
    expect(calls).toEqual([
      { method: 'transferCall', args: [callSid, TARGET, { callerId: TRACKING }] },
      { method: 'holdCall', args: [callSid] },
      { method: 'resumeCall', args: [callSid, `${PUBLIC_BASE_URL}/api/webhooks/resume`] },
      { method: 'muteCall', args: [callSid] },
      { method: 'unmuteCall', args: [callSid] },
      { method: 'startRecording', args: [callSid, { statusCallbackUrl: `${PUBLIC_BASE_URL}/api/webhooks/recording-status` }] },
      { method: 'stopRecording', args: [callSid, 'RE0123456789abcdef0123456789abcdef'] },
    ]);
    expect(await storedRecordingSid(t, callSid)).toBeNull();
  });

  const kinds: Array<[string, () => unknown, number, string]> = [
    ['not_found', () => new TelephonyError('not_found', `Call not found (${SECRET})`), 404, 'RESOURCE_NOT_FOUND'],
    ['not_supported', () => new TelephonyError('not_supported', `Cannot do that (${SECRET})`), 409, 'CONFLICT'],
    ['conflict', () => new TelephonyError('conflict', `Twilio: Call is not in-progress (${SECRET})`, { providerCode: 21220 }), 409, 'CONFLICT'],
    ['provider_error', () => new TelephonyError('provider_error', `Twilio could not be reached: ${SECRET}`, { providerStatus: 503 }), 502, 'UPSTREAM_ERROR'],
    ['a plain Error', () => new Error(SECRET), 502, 'UPSTREAM_ERROR'],
    ['a thrown string', () => SECRET, 502, 'UPSTREAM_ERROR'],
  ];

  it.each(kinds)('maps %s from the carrier to %i on every action, with no internal detail', async (_name, make, status, code) => {
    const callSid = await insertCall(t, org.orgId);
    for (const op of OPS) {
      failure = make();
      const answer = await control(org.client, op, callSid, op === 'recording/stop' ? 'RE0123456789abcdef0123456789abcdef' : undefined);
      expectError(answer, status, code);
      expect(JSON.stringify(answer.body)).not.toContain('10.9.8.7');
      expect(JSON.stringify(answer.body)).not.toContain('internal-twilio-proxy');
    }
    failure = null;
    expect(await storedRecordingSid(t, callSid)).toBeNull();
  });

  it('maps not_found of a recording on stop to a 404 naming the recording', async () => {
    const callSid = await insertCall(t, org.orgId);
    failure = new TelephonyError('not_found', 'Recording RE0123456789abcdef0123456789abcdef not found (Twilio: HTTP 404)');
    const answer = await control(org.client, 'recording/stop', callSid, 'RE0123456789abcdef0123456789abcdef');
    failure = null;
    expectError(answer, 404, 'RESOURCE_NOT_FOUND');
    expect(answer.body.details).toBe("Recording with ID 'RE0123456789abcdef0123456789abcdef' not found");
  });

  it("maps the carrier's 'invalid' to a 400 naming the request field", async () => {
    const callSid = await insertCall(t, org.orgId);
    const field: Record<Op, string> = {
      transfer: 'targetNumber',
      hold: 'callSid',
      resume: 'callSid',
      mute: 'callSid',
      unmute: 'callSid',
      'recording/start': 'callSid',
      'recording/stop': 'recordingSid',
    };
    for (const op of OPS) {
      failure = new TelephonyError('invalid', 'Twilio: Invalid parameter', { providerStatus: 400, providerCode: 21211 });
      const answer = await control(org.client, op, callSid, op === 'recording/stop' ? 'RE0123456789abcdef0123456789abcdef' : undefined);
      expectError(answer, 400, 'VALIDATION_ERROR');
      expect(answer.body.details).toEqual({ [field[op]]: 'Twilio: Invalid parameter' });
    }
    failure = new TelephonyError('invalid', 'to must be an E.164 phone number such as +14155550100');
    const transfer = await control(org.client, 'transfer', callSid);
    expect(transfer.body.details).toEqual({ targetNumber: 'to must be an E.164 phone number such as +14155550100' });
    failure = new TelephonyError('invalid', 'constructor refused'); // an Object.prototype name is no field
    const hold = await control(org.client, 'hold', callSid);
    failure = null;
    expect(hold.body.details).toEqual({ callSid: 'constructor refused' });
  });

  it('keeps the stored recording when stopping it fails', async () => {
    failure = null;
    const callSid = await insertCall(t, org.orgId);
    expect((await control(org.client, 'recording/start', callSid)).status).toBe(200);
    failure = new TelephonyError('provider_error', SECRET);
    expectError(await control(org.client, 'recording/stop', callSid), 502, 'UPSTREAM_ERROR');
    failure = null;
    expect(await storedRecordingSid(t, callSid)).toBe('RE0123456789abcdef0123456789abcdef');
  });
});
