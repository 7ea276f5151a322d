// Call control steers a simulated inbound call as it does a call on Twilio: a hang-up ends it at
// once — the final status callback comes then, with the duration the call really had — and a
// redirect (resume) takes the caller out of what was playing (a <Dial> leg dropped, its action URL
// not asked) and plays the new URL's TwiML.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CallControlView, type CallScript, type CarrierUrls, play } from '../../server/simulator/carrier.js';
import { createDatabaseCallStore } from '../../server/simulator/call-store.js';
import { createSimulatorTelephony } from '../../server/telephony/simulator/simulator.js';
import { type Member, registerOrg } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { buyerCampaign, callRow, legRows } from '../inbound/webhooks/helpers.js';
import { fakeCarrierIo } from './fake-carrier-io.js';

const BASE = 'http://127.0.0.1:4000';
const urls: CarrierUrls = { voiceUrl: `${BASE}/voice`, statusCallbackUrl: `${BASE}/call-status`, base: BASE };

/** Each path answered with the TwiML `answers` gives, or 204. */
const fakeIo = (answers: Record<string, string>) =>
  fakeCarrierIo(BASE, (path) => (answers[path] === undefined ? { status: 204, body: '' } : { status: 200, body: answers[path]! }));

const script: CallScript = {
  callSid: 'CA0123456789abcdef0123456789abcdef',
  to: '+13125550100',
  from: '+13105550123',
  dialOutcomes: [],
  outcome: 'answered',
  durationSec: 600,
  ringSec: 3,
  digits: [],
};

describe('the simulated carrier under call control (inbound)', () => {
  it('a hang-up 20 s into a 600 s call ends it then: no action URL, the status callback says 20 s', async () => {
    const { io, requests, clock } = fakeIo({ '/dial-status': '<Response><Say>never played</Say></Response>' });
    const control = async (): Promise<CallControlView> => ({ redirectedTo: null, ended: clock() >= 20 });
    await play(script, urls, io, [{ verb: 'Dial', numbers: ['+13125550199'], action: `${BASE}/dial-status`, timeoutSec: 30 }], control);
    expect(requests.map((r) => r.path)).toEqual(['/call-status']);
    expect(requests[0]!.params).toMatchObject({ CallStatus: 'completed', CallDuration: '20' });
    expect(clock()).toBe(20);
  });

  it('a redirect during the <Dial> drops the leg and plays the new URL; the call lasts as long as it really did', async () => {
    const { io, requests } = fakeIo({ '/resume': '<Response><Pause length="5"/><Hangup/></Response>', '/dial-status': '<Response/>' });
    let now = 0;
    io.wait = async (seconds) => {
      now += seconds;
    };
    const control = async (): Promise<CallControlView> => ({ redirectedTo: now >= 10 ? `${BASE}/resume` : null, ended: false });
    await play(script, urls, io, [{ verb: 'Dial', numbers: ['+13125550199'], action: `${BASE}/dial-status`, timeoutSec: 30 }], control);
    expect(requests.map((r) => [r.path, r.params.CallStatus])).toEqual([
      ['/resume', 'in-progress'],
      ['/call-status', 'completed'],
    ]);
    expect(requests.at(-1)!.params.CallDuration).toBe('15'); // 10 s, then the 5 s pause
  });

  it('without call control the call plays as scripted (the dial action, then the whole duration)', async () => {
    const { io, requests } = fakeIo({ '/dial-status': '<Response/>' });
    await play(script, urls, io, [{ verb: 'Dial', numbers: ['+13125550199'], action: `${BASE}/dial-status`, timeoutSec: 30 }], async () => ({ redirectedTo: null, ended: false }));
    expect(requests.map((r) => r.path)).toEqual(['/dial-status', '/call-status']);
    expect(requests.at(-1)!.params.CallDuration).toBe('603');
  });
});

describe('POST /api/simulator/calls under call control', () => {
  let t: TestApp;
  let owner: Member;
  beforeAll(async () => {
    t = await startTestApp();
    owner = await registerOrg(t, 'Simulator Control Org');
  });
  afterAll(async () => t.close());

  it('a hang-up through the carrier ends the playing call now: completed with its real duration, not the planned 600 s', async () => {
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550601', payout: 5 }]);
    // 1 simulated second = 10 ms: the planned call would last 6 s.
    const placed = await owner.client.POST('/api/simulator/calls', { body: { to: campaign.phoneNumber!, durationSec: 600, ringSec: 2, timeScale: 0.01 } });
    expect(placed.response.status).toBe(202);
    const sid = placed.data!.callSid;
    await new Promise((resolve) => setTimeout(resolve, 150)); // about 15 simulated seconds
    // Call control from any instance over the same database (as the app's own does).
    const carrier = createSimulatorTelephony({ calls: createDatabaseCallStore(t.db) });
    await carrier.hangupCall(sid);
    let row = await callRow(t, sid);
    for (let i = 0; i < 250 && row.status !== 'completed'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      row = await callRow(t, sid);
    }
    expect(row.status).toBe('completed');
    expect(row.duration_sec).toBeGreaterThanOrEqual(3);
    expect(row.duration_sec).toBeLessThan(300);
    const legs = await legRows(t, sid);
    expect(legs.every((l) => l.ended_at !== null)).toBe(true);
  });
});
