// Twilio's callbacks over HTTP, in any order and any number of times, fold to the same call.
// Each run places a real call (voice webhook → <Dial> to buyer 1, attempt 1), then delivers a
// generated multiset of dial-status and call-status callbacks in a generated order, and checks
// the call as GET /api/calls/{id} shows it against a small model of the scenario.
//
// Causality that Twilio itself guarantees is kept: the voice webhook comes first, and attempt 2's
// dial-status can only exist once attempt 1's dial-status was answered with a <Dial> to attempt
// 2. Everything else (status callbacks, and retries of any callback) is placed anywhere. A
// `completed` status that overtakes attempt 1's busy outcome ended the call: the server must
// answer that dial-status with <Hangup/> and dial nobody (then attempt 2 never exists).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCallSid } from '../calls/db-helpers.js';
import { createBuyer, createCampaign, registerOrg, type Member } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { postWebhook, XML_HEAD } from '../../helpers/twilio-webhook.js';

const CAMPAIGN_NUMBER = '+12125550400';
const BUYER_1_NUMBER = '+12125550411';
const BUYER_2_NUMBER = '+12125550422';
const PAYOUT = 12.5;
const MIN_SEC = 30;
const HANGUP = `${XML_HEAD}<Response><Hangup/></Response>`;

type Scenario = 'busy_then_completed_45' | 'completed_45' | 'completed_10';
type Token = 'dial1' | 'dial2' | 'ringing' | 'in-progress' | 'completed';

interface Run {
  scenario: Scenario;
  callDuration: number;
  /** The callbacks in delivery order (each token once per delivery). */
  deliveries: Token[];
}

let t: TestApp;
let owner: Member;
let buyer1: number;
let buyer2: number;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Callback Orders');
  const campaign = await createCampaign(owner.client, {
    phoneNumber: CAMPAIGN_NUMBER,
    enableRtb: false,
    routingType: 'priority',
    payout: PAYOUT,
    minCallDurationSec: MIN_SEC,
  });
  buyer1 = (await createBuyer(owner.client, { name: 'Buyer One', phoneNumber: BUYER_1_NUMBER, priority: 1 })).id;
  buyer2 = (await createBuyer(owner.client, { name: 'Buyer Two', phoneNumber: BUYER_2_NUMBER, priority: 2 })).id;
  for (const [buyerId, priority] of [
    [buyer1, 1],
    [buyer2, 2],
  ] as const) {
    const assigned = await owner.client.POST('/api/campaigns/{id}/buyers', { params: { path: { id: campaign.id } }, body: { buyerId, priority } });
    expect(assigned.response.status).toBe(201);
  }
});
afterAll(async () => t?.close());

const MAX_TOKENS = 5 * 3;

const runArb: fc.Arbitrary<Run> = fc
  .record({
    scenario: fc.constantFrom<Scenario>('busy_then_completed_45', 'completed_45', 'completed_10'),
    callDuration: fc.integer({ min: 46, max: 600 }),
    copies: fc.record({
      dial1: fc.integer({ min: 1, max: 3 }),
      dial2: fc.integer({ min: 1, max: 3 }),
      ringing: fc.integer({ min: 0, max: 3 }),
      'in-progress': fc.integer({ min: 0, max: 3 }),
      completed: fc.integer({ min: 1, max: 3 }),
    }),
    keys: fc.array(fc.nat({ max: 1000 }), { minLength: MAX_TOKENS, maxLength: MAX_TOKENS }),
  })
  .map(({ scenario, callDuration, copies, keys }): Run => {
    const tokens: Token[] = [];
    for (const token of ['dial1', 'dial2', 'ringing', 'in-progress', 'completed'] as const) {
      if (token === 'dial2' && scenario !== 'busy_then_completed_45') continue;
      for (let i = 0; i < copies[token]; i += 1) tokens.push(token);
    }
    // A generated order: sort by the generated keys (ties by position).
    const deliveries = tokens
      .map((token, i) => ({ token, key: keys[i]!, i }))
      .sort((a, b) => a.key - b.key || a.i - b.i)
      .map((d) => d.token);
    // Attempt 2 exists only after attempt 1's outcome: its first delivery comes first.
    const firstDial = deliveries.findIndex((d) => d === 'dial1' || d === 'dial2');
    if (deliveries[firstDial] === 'dial2') {
      const firstDial1 = deliveries.indexOf('dial1');
      deliveries[firstDial] = 'dial1';
      deliveries[firstDial1] = 'dial2';
    }
    return { scenario, callDuration, deliveries };
  });

interface ExpectedLeg {
  attempt: number;
  buyerId: number;
  dialStatus: string;
  dialDuration: number | null;
}

/** The model: what the call must look like once every delivery is in. */
function expected(run: Run) {
  const completedFirst = run.deliveries.indexOf('completed') < run.deliveries.indexOf('dial1');
  let legs: ExpectedLeg[];
  if (run.scenario === 'completed_45') legs = [{ attempt: 1, buyerId: buyer1, dialStatus: 'completed', dialDuration: 45 }];
  else if (run.scenario === 'completed_10') legs = [{ attempt: 1, buyerId: buyer1, dialStatus: 'completed', dialDuration: 10 }];
  else if (completedFirst) legs = [{ attempt: 1, buyerId: buyer1, dialStatus: 'busy', dialDuration: null }];
  else
    legs = [
      { attempt: 1, buyerId: buyer1, dialStatus: 'busy', dialDuration: null },
      { attempt: 2, buyerId: buyer2, dialStatus: 'completed', dialDuration: 45 },
    ];
  const connected = Math.max(0, ...legs.filter((l) => l.dialStatus === 'completed').map((l) => l.dialDuration ?? 0));
  const revenue = connected >= MIN_SEC ? PAYOUT : null;
  return {
    call: {
      status: 'completed',
      duration: run.callDuration,
      connectedDuration: connected,
      revenue,
      countedRevenue: revenue,
      buyerId: legs[legs.length - 1]!.buyerId,
    },
    legs,
    /** attempt 2 gets dialled (and so attempt 2's callbacks exist). */
    dialsSecond: run.scenario === 'busy_then_completed_45' && !completedFirst,
  };
}

function dialTo(number: string, attempt: number): string {
  return `${XML_HEAD}<Response><Dial action="${t.config.publicBaseUrl}/api/webhooks/dial-status?attempt=${attempt}&amp;route=auto" method="POST" timeout="30"><Number>${number}</Number></Dial></Response>`;
}

async function deliver(run: Run, sid: string, token: Token, dialSids: Record<1 | 2, string>): Promise<{ status: number; text: string }> {
  switch (token) {
    case 'dial1': {
      const outcome: Record<string, string> = run.scenario === 'busy_then_completed_45' ? { DialCallStatus: 'busy' } : { DialCallStatus: 'completed', DialCallDuration: run.scenario === 'completed_45' ? '45' : '10' };
      return postWebhook(t, '/api/webhooks/dial-status?attempt=1&route=auto', { CallSid: sid, DialCallSid: dialSids[1], ...outcome });
    }
    case 'dial2':
      return postWebhook(t, '/api/webhooks/dial-status?attempt=2&route=auto', { CallSid: sid, DialCallSid: dialSids[2], DialCallStatus: 'completed', DialCallDuration: '45' });
    case 'completed':
      return postWebhook(t, '/api/webhooks/call-status', { CallSid: sid, CallStatus: 'completed', CallDuration: String(run.callDuration) });
    default:
      return postWebhook(t, '/api/webhooks/call-status', { CallSid: sid, CallStatus: token });
  }
}

async function playAndCheck(run: Run): Promise<void> {
  const sid = newCallSid();
  const dialSids = { 1: newCallSid(), 2: newCallSid() } as const;
  const voice = await postWebhook(t, '/api/webhooks/voice', { CallSid: sid, To: CAMPAIGN_NUMBER, From: '+13105551234' });
  expect(voice.text).toBe(dialTo(BUYER_1_NUMBER, 1));
  const model = expected(run);

  let callEnded = false;
  let attempt2Exists = false;
  let firstDial1 = true;
  for (const token of run.deliveries) {
    // Twilio only calls attempt 2's action URL once it dialled attempt 2.
    if (token === 'dial2' && !attempt2Exists) continue;
    const answer = await deliver(run, sid, token, dialSids);
    if (token === 'dial1' || token === 'dial2') {
      expect(answer.status, answer.text).toBe(200);
      if (token === 'dial1' && run.scenario === 'busy_then_completed_45' && !callEnded) {
        // Busy: the next buyer, attempt 2 (the first time and every retry while the call is live).
        expect(answer.text).toBe(dialTo(BUYER_2_NUMBER, 2));
        if (firstDial1) attempt2Exists = true;
      } else {
        expect(answer.text).toBe(HANGUP);
      }
      if (token === 'dial1') firstDial1 = false;
    } else {
      expect(answer.status, answer.text).toBe(204);
      if (token === 'completed') callEnded = true;
    }
  }
  expect(attempt2Exists).toBe(model.dialsSecond);

  const row = await t.db.selectFrom('calls').select(['id', 'revenue_qualified_at', 'revenue_attempt']).where('call_sid', '=', sid).executeTakeFirstOrThrow();
  const { data, response } = await owner.client.GET('/api/calls/{id}', { params: { path: { id: String(row.id) } } });
  expect(response.status).toBe(200);
  expect({
    status: data!.status,
    duration: data!.duration,
    connectedDuration: data!.connectedDuration,
    revenue: data!.revenue,
    countedRevenue: data!.countedRevenue,
    buyerId: data!.buyerId,
  }).toEqual(model.call);
  expect(data!.legs.map((l) => ({ attempt: l.attempt, buyerId: l.buyerId, dialStatus: l.dialStatus, dialDuration: l.dialDuration }))).toEqual(model.legs);
  // The call is over: every leg is closed (no concurrency slot left taken).
  expect(data!.legs.every((l) => l.endedAt !== null)).toBe(true);
  expect(data!.endedAt).not.toBeNull();
  // Revenue counted once, credited to the connected attempt.
  expect(row.revenue_qualified_at === null).toBe(model.call.revenue === null);
  expect(row.revenue_attempt).toBe(model.call.revenue === null ? null : model.legs[model.legs.length - 1]!.attempt);
}

describe('callbacks in any order, any number of times, over HTTP', () => {
  it('fold to the state of the scenario (25 generated histories)', async () => {
    await fc.assert(
      fc.asyncProperty(runArb, async (run) => {
        await playAndCheck(run);
      }),
      { numRuns: 25 },
    );
  });

  it.each<Run>([
    // Hand-picked corners: every status before any dial outcome; retries of attempt 1 after attempt 2 ended.
    { scenario: 'completed_45', callDuration: 60, deliveries: ['completed', 'completed', 'in-progress', 'ringing', 'dial1', 'dial1'] },
    { scenario: 'completed_10', callDuration: 60, deliveries: ['ringing', 'dial1', 'in-progress', 'completed', 'dial1', 'ringing'] },
    { scenario: 'busy_then_completed_45', callDuration: 90, deliveries: ['ringing', 'in-progress', 'dial1', 'dial2', 'dial1', 'dial2', 'completed', 'dial1', 'in-progress'] },
    { scenario: 'busy_then_completed_45', callDuration: 90, deliveries: ['dial1', 'completed', 'dial2', 'dial1', 'completed', 'dial2'] },
    { scenario: 'busy_then_completed_45', callDuration: 90, deliveries: ['ringing', 'completed', 'dial1', 'dial2', 'dial1'] },
  ])('$scenario, delivered as $deliveries', async (run) => {
    await playAndCheck(run);
  });
});
