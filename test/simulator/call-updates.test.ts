// A call update steers a simulated call as it steers one on Twilio: each update counts, also a
// second resume to the same URL; TwiML sent with the update (a hold, a transfer) replaces what was
// playing — the <Dial> leg is dropped and its action URL never asked — and hold music
// (<Play loop="0">) plays until the next update. The updates survive in the database's store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALLER_PATIENCE_SEC, type CallControlView, type CallScript, type CarrierUrls, play } from '../../server/simulator/carrier.js';
import { createDatabaseCallStore } from '../../server/simulator/call-store.js';
import { holdTwiml, transferTwiml } from '../../server/telephony/twiml.js';
import { createSimulatorTelephony } from '../../server/telephony/simulator/simulator.js';
import { type Member, registerOrg } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { buyerCampaign } from '../inbound/webhooks/helpers.js';
import { fakeCarrierIo } from './fake-carrier-io.js';

const BASE = 'http://127.0.0.1:4000';
const urls: CarrierUrls = { voiceUrl: `${BASE}/voice`, statusCallbackUrl: `${BASE}/call-status`, base: BASE };
const DIAL = [{ verb: 'Dial' as const, numbers: ['+13125550199'], action: `${BASE}/dial-status`, timeoutSec: 30 }];

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

/** Each path answered with the TwiML `answers` gives, or 204; `updates` are the call updates by the simulated second they happen. */
function scenario(answers: Record<string, string>, updates: Array<{ at: number; url?: string; twiml?: string }>) {
  const fake = fakeCarrierIo(BASE, (path) => (answers[path] === undefined ? { status: 204, body: '' } : { status: 200, body: answers[path]! }));
  const control = async (): Promise<CallControlView> => {
    const done = updates.filter((u) => u.at <= fake.clock());
    const last = done.at(-1);
    const lastUrl = [...done].reverse().find((u) => u.url !== undefined)?.url ?? null;
    return { redirectedTo: lastUrl, ended: false, updateSeq: done.length, twiml: last?.twiml ?? null };
  };
  return { ...fake, control };
}

describe('the simulated carrier under call updates', () => {
  it('a hold drops the <Dial> leg (no action URL), plays hold music until the resume, then the resume URL', async () => {
    const s = scenario({ '/resume': '<Response><Pause length="5"/><Hangup/></Response>', '/dial-status': '<Response/>' }, [
      { at: 20, twiml: holdTwiml() },
      { at: 50, url: `${BASE}/resume` },
    ]);
    await play(script, urls, s.io, DIAL, s.control);
    expect(s.requests.map((r) => r.path)).toEqual(['/resume', '/call-status']);
    expect(s.requests.at(-1)!.params.CallDuration).toBe('55');
  });

  it('a second resume to the same URL is played again', async () => {
    const s = scenario({ '/resume': '<Response><Pause length="100"/><Hangup/></Response>' }, [
      { at: 10, twiml: holdTwiml() },
      { at: 20, url: `${BASE}/resume` },
      { at: 30, twiml: holdTwiml() },
      { at: 40, url: `${BASE}/resume` },
    ]);
    await play(script, urls, s.io, DIAL, s.control);
    expect(s.requests.map((r) => r.path)).toEqual(['/resume', '/resume', '/call-status']);
    expect(s.requests.at(-1)!.params.CallDuration).toBe('140');
  });

  it('a transfer drops the first leg (no action URL) and dials the new number; the call ends with it', async () => {
    const s = scenario({ '/dial-status': '<Response/>' }, [{ at: 20, twiml: transferTwiml('+12125550143', { callerId: '+13125550100' }) }]);
    await play({ ...script, durationSec: 100 }, urls, s.io, DIAL, s.control);
    expect(s.requests.map((r) => r.path)).toEqual(['/call-status']);
    expect(s.requests[0]!.params.CallDuration).toBe('123'); // 20 s, then 3 s ringing and 100 s with the new party
  });

  it('a caller left on hold with no resume hangs up in the end', async () => {
    const s = scenario({}, [{ at: 10, twiml: holdTwiml() }]);
    await play(script, urls, s.io, DIAL, s.control);
    expect(s.requests.map((r) => r.path)).toEqual(['/call-status']);
    expect(s.requests[0]!.params.CallDuration).toBe(String(10 + CALLER_PATIENCE_SEC));
  });
});

describe('call updates in the database store', () => {
  let t: TestApp;
  let owner: Member;
  beforeAll(async () => {
    t = await startTestApp();
    owner = await registerOrg(t, 'Simulator Updates Org');
  });
  afterAll(async () => t.close());

  it('counts every update and keeps the TwiML of a hold, on any instance', async () => {
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550602', payout: 5 }]);
    const placed = await owner.client.POST('/api/simulator/calls', { body: { to: campaign.phoneNumber!, durationSec: 3600, ringSec: 1, timeScale: 0.01 } });
    expect(placed.response.status).toBe(202);
    const sid = placed.data!.callSid;
    const store = createDatabaseCallStore(t.db);
    const carrier = createSimulatorTelephony({ calls: store });
    await carrier.holdCall(sid);
    let state = await store.find(sid);
    expect(state).toMatchObject({ updateSeq: 1, updateTwiml: holdTwiml(), onHold: true });
    await carrier.resumeCall(sid, `${BASE}/api/webhooks/resume`);
    await carrier.holdCall(sid);
    await carrier.resumeCall(sid, `${BASE}/api/webhooks/resume`);
    state = await createDatabaseCallStore(t.db).find(sid);
    expect(state).toMatchObject({ updateSeq: 4, updateTwiml: null, redirectedTo: `${BASE}/api/webhooks/resume`, onHold: false });
    await carrier.hangupCall(sid);
  });
});
