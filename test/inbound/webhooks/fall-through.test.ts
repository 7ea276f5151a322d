// <Dial action> fall-through (DESIGN.md 4.1 step 6) and revenue: a busy / unanswered leg goes to
// the next bid, then the next buyer, a bounded number of times, then the fallback; a connected
// leg pays once its duration reaches the minimum.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import { bid, startStubBidder, type StubBidder } from '../../helpers/stub-bidder.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { buyerCampaign, callRow, callSid, callStatus, dialStatus, dialXml, fallbackXml, HANGUP_XML, legRows, voice } from './helpers.js';

let t: TestApp;
let owner: Member;
const stubs: StubBidder[] = [];

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Fall-through Org');
});
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((s) => s.close()));
});
afterAll(async () => t.close());

describe('dial-status fall-through', () => {
  it('busy → next buyer; no-answer → fallback; the legs and the log keep every attempt', async () => {
    const { campaign, buyers } = await buyerCampaign(owner.client, [
      { phoneNumber: '+13125550201', assignmentPriority: 1 },
      { phoneNumber: '+13125550202', assignmentPriority: 2 },
    ]);
    const sid = callSid();
    expect((await voice(t, sid, campaign.phoneNumber!)).text).toBe(dialXml(t, '+13125550201', 1));
    expect((await dialStatus(t, sid, 1, 'busy')).text).toBe(dialXml(t, '+13125550202', 2));
    // Twilio retries the same callback: the same answer, nothing dialled twice.
    expect((await dialStatus(t, sid, 1, 'busy')).text).toBe(dialXml(t, '+13125550202', 2));
    expect((await dialStatus(t, sid, 2, 'no-answer')).text).toBe(fallbackXml());

    const legs = await legRows(t, sid);
    expect(legs.map((l) => [l.attempt, l.buyer_id, l.dial_status, l.ended_at !== null])).toEqual([
      [1, buyers[0]!.id, 'busy', true],
      [2, buyers[1]!.id, 'no-answer', true],
    ]);
    const plan = (await callRow(t, sid)).routing_plan as { attempts: unknown[] };
    expect(plan.attempts).toEqual([
      { attempt: 1, candidate: `buyer:${buyers[0]!.id}`, result: 'dialled' },
      { attempt: 2, candidate: `buyer:${buyers[1]!.id}`, result: 'dialled' },
      { attempt: 3, result: 'fallback', to: 'campaign:message' },
    ]);
  });

  it('a call every buyer refused and that ended at the fallback is no buyer’s call: not in their figures', async () => {
    const { campaign, buyers } = await buyerCampaign(owner.client, [
      { phoneNumber: '+13125550203', assignmentPriority: 1, payout: 12 },
      { phoneNumber: '+13125550204', assignmentPriority: 2, payout: 15 },
    ]);
    const refused = callSid();
    await voice(t, refused, campaign.phoneNumber!);
    expect((await dialStatus(t, refused, 1, 'busy')).text).toBe(dialXml(t, '+13125550204', 2));
    expect((await dialStatus(t, refused, 2, 'no-answer')).text).toBe(fallbackXml());
    await callStatus(t, refused, 'completed', 40);
    const row = await callRow(t, refused);
    expect(row).toMatchObject({ status: 'completed', buyer_id: null, rtb_target_id: null, payout: null, revenue: null });
    const api = await owner.client.GET('/api/calls/{id}', { params: { path: { id: String(row.id) } } });
    expect(api.data).toMatchObject({ buyerId: null, buyerName: null, payout: null });
    // The legs still name who was tried.
    expect((await legRows(t, refused)).map((l) => l.buyer_id)).toEqual([buyers[0]!.id, buyers[1]!.id]);

    // The second buyer takes the next call: only that call is in its figures, and the first
    // buyer, who took none, has none.
    const taken = callSid();
    await voice(t, taken, campaign.phoneNumber!);
    expect((await dialStatus(t, taken, 1, 'busy')).text).toBe(dialXml(t, '+13125550204', 2));
    await dialStatus(t, taken, 2, 'completed', 60);
    await callStatus(t, taken, 'completed', 70);
    expect(await callRow(t, taken)).toMatchObject({ buyer_id: buyers[1]!.id, revenue: '15.0000' });
    const stats = async (id: number) => (await owner.client.GET('/api/stats/buyers/{id}', { params: { path: { id: String(id) }, query: { days: 1 } } })).data!;
    expect(await stats(buyers[0]!.id)).toMatchObject({ totalCalls: 0, completedCalls: 0, totalRevenue: 0 });
    expect(await stats(buyers[1]!.id)).toMatchObject({ totalCalls: 1, completedCalls: 1, totalRevenue: 15 });
  });

  it('stops after the campaign’s maxDialAttempts', async () => {
    const { campaign } = await buyerCampaign(
      owner.client,
      [1, 2, 3].map((i) => ({ phoneNumber: `+1312555021${i}`, assignmentPriority: i })),
      { maxDialAttempts: 2, dialTimeoutSec: 15 },
    );
    const sid = callSid();
    expect((await voice(t, sid, campaign.phoneNumber!)).text).toBe(dialXml(t, '+13125550211', 1, { timeout: 15 }));
    expect((await dialStatus(t, sid, 1, 'failed')).text).toBe(dialXml(t, '+13125550212', 2, { timeout: 15 }));
    expect((await dialStatus(t, sid, 2, 'busy')).text).toBe(fallbackXml());
    expect(await legRows(t, sid)).toHaveLength(2);
  });

  it('a connected leg ends the call: <Hangup/>, no further attempt', async () => {
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550221' }, { phoneNumber: '+13125550222' }]);
    const sid = callSid();
    await voice(t, sid, campaign.phoneNumber!);
    expect((await dialStatus(t, sid, 1, 'completed', 75)).text).toBe(HANGUP_XML);
    expect(await legRows(t, sid)).toHaveLength(1);
  });

  it('a busy that arrives after the caller hung up dials nobody: <Hangup/>, no open leg holds the next buyer', async () => {
    const { campaign, buyers } = await buyerCampaign(owner.client, [
      { phoneNumber: '+13125550231', assignmentPriority: 1 },
      { phoneNumber: '+13125550232', assignmentPriority: 2, maxConcurrentCalls: 1 },
    ]);
    const sid = callSid();
    expect((await voice(t, sid, campaign.phoneNumber!)).text).toBe(dialXml(t, '+13125550231', 1));
    await callStatus(t, sid, 'completed', 20);
    expect((await dialStatus(t, sid, 1, 'busy')).text).toBe(HANGUP_XML);
    expect((await legRows(t, sid)).map((l) => [l.attempt, l.buyer_id, l.ended_at !== null])).toEqual([[1, buyers[0]!.id, true]]);
    expect((await callRow(t, sid)).buyer_id).toBe(buyers[0]!.id);
    // The second buyer's only place is not held by a leg nobody will end.
    const open = await t.db.selectFrom('call_legs').select('call_id').where('buyer_id', '=', buyers[1]!.id).where('ended_at', 'is', null).execute();
    expect(open).toEqual([]);
  });

  it('RTB: the winner busy → the runner-up bid at its own price → then the buyers', async () => {
    const targetIds = [];
    for (const [amount, destination] of [
      [30, '+14155550201'],
      [20, '+14155550202'],
    ] as const) {
      const s = await startStubBidder(() => ({ body: bid(amount, destination) }));
      stubs.push(s);
      targetIds.push((await owner.client.POST('/api/rtb/targets', { body: { name: `T ${s.url}`, endpointUrl: s.url, minBidAmount: 1, maxBidAmount: 100 } })).data!.id);
    }
    const { campaign, buyers } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550231', payout: 7 }], { enableRtb: true, minBiddersRequired: 1, biddingTimeoutMs: 1000, maxDialAttempts: 3 });
    await owner.client.PUT('/api/campaigns/{id}/rtb-targets', { params: { path: { id: campaign.id } }, body: { assignments: targetIds.map((targetId) => ({ targetId })) } });

    const sid = callSid();
    expect((await voice(t, sid, campaign.phoneNumber!)).text).toBe(dialXml(t, '+14155550201', 1));
    expect((await dialStatus(t, sid, 1, 'busy')).text).toBe(dialXml(t, '+14155550202', 2));
    expect((await dialStatus(t, sid, 2, 'no-answer')).text).toBe(dialXml(t, '+13125550231', 3));
    expect(stubs.map((s) => s.received.length)).toEqual([1, 1]);
    const legs = await legRows(t, sid);
    expect(legs.map((l) => [l.rtb_target_id, l.buyer_id, l.payout])).toEqual([
      [targetIds[0], null, '30.0000'],
      [targetIds[1], null, '20.0000'],
      [null, buyers[0]!.id, '7.0000'],
    ]);
    // The buyer connects for 90 s: the call pays the buyer's payout, once.
    expect((await dialStatus(t, sid, 3, 'completed', 90)).text).toBe(HANGUP_XML);
    await callStatus(t, sid, 'completed', 130);
    await callStatus(t, sid, 'completed', 130);
    expect(await callRow(t, sid)).toMatchObject({ status: 'completed', revenue: '7.0000', revenue_attempt: 3, connected_duration_sec: 90, duration_sec: 130 });
  });

  it('RTB: runner-ups of equal bids are dialled by their assignment priority, as the auction ranks them, not by the faster answer', async () => {
    const targetIds = [];
    for (const [amount, destination, delayMs] of [
      [30, '+14155550211', 0],
      [20, '+14155550212', 0],
      [20, '+14155550213', 150],
    ] as const) {
      const s = await startStubBidder(() => ({ body: bid(amount, destination), delayMs }));
      stubs.push(s);
      targetIds.push((await owner.client.POST('/api/rtb/targets', { body: { name: `T ${s.url}`, endpointUrl: s.url, minBidAmount: 1, maxBidAmount: 100 } })).data!.id);
    }
    const { campaign } = await buyerCampaign(owner.client, [], { enableRtb: true, minBiddersRequired: 1, biddingTimeoutMs: 1000, maxDialAttempts: 3 });
    // The slow 20 is preferred (priority 2) to the fast 20 (priority 3).
    await owner.client.PUT('/api/campaigns/{id}/rtb-targets', {
      params: { path: { id: campaign.id } },
      body: { assignments: [{ targetId: targetIds[0]!, priority: 1 }, { targetId: targetIds[1]!, priority: 3 }, { targetId: targetIds[2]!, priority: 2 }] },
    });

    const sid = callSid();
    expect((await voice(t, sid, campaign.phoneNumber!)).text).toBe(dialXml(t, '+14155550211', 1));
    expect((await dialStatus(t, sid, 1, 'busy')).text).toBe(dialXml(t, '+14155550213', 2));
    expect((await dialStatus(t, sid, 2, 'busy')).text).toBe(dialXml(t, '+14155550212', 3));
  });
});

describe('revenue', () => {
  it('pays the buyer’s payout once the connected duration reaches its minimum, once', async () => {
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550241', payout: 25.5, minCallDurationSec: 60 }], { payout: 10, minCallDurationSec: 30 });
    const short = callSid();
    await voice(t, short, campaign.phoneNumber!);
    await dialStatus(t, short, 1, 'completed', 59);
    await callStatus(t, short, 'completed', 70);
    expect(await callRow(t, short)).toMatchObject({ revenue: null, connected_duration_sec: 59 });

    const long = callSid();
    await voice(t, long, campaign.phoneNumber!);
    await callStatus(t, long, 'in-progress');
    await dialStatus(t, long, 1, 'completed', 60);
    await dialStatus(t, long, 1, 'completed', 60);
    await callStatus(t, long, 'completed', 65);
    const row = await callRow(t, long);
    expect(row).toMatchObject({ revenue: '25.5000', revenue_attempt: 1, status: 'completed' });
    const api = await owner.client.GET('/api/calls/{id}', { params: { path: { id: String(row.id) } } });
    expect(api.data).toMatchObject({ revenue: 25.5, countedRevenue: 25.5, payout: 25.5, connectedDuration: 60, duration: 65 });
  });

  it('uses the campaign’s payout and minimum when the buyer has none; no payout anywhere pays nothing', async () => {
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550251' }], { payout: 9.75, minCallDurationSec: 20 });
    const sid = callSid();
    await voice(t, sid, campaign.phoneNumber!);
    await dialStatus(t, sid, 1, 'answered', 20);
    expect(await callRow(t, sid)).toMatchObject({ revenue: '9.7500' });

    const unpaid = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550252' }]);
    const free = callSid();
    await voice(t, free, unpaid.campaign.phoneNumber!);
    await dialStatus(t, free, 1, 'completed', 500);
    expect(await callRow(t, free)).toMatchObject({ revenue: null, connected_duration_sec: 500 });
  });

  it('a buyer deleted during its call: the call still pays that leg’s payout, not the first buyer’s', async () => {
    const { campaign, buyers } = await buyerCampaign(owner.client, [
      { phoneNumber: '+13125550271', assignmentPriority: 1, payout: 10, minCallDurationSec: 30 },
      { phoneNumber: '+13125550272', assignmentPriority: 2, payout: 50, minCallDurationSec: 30 },
    ]);
    const sid = callSid();
    await voice(t, sid, campaign.phoneNumber!);
    expect((await dialStatus(t, sid, 1, 'no-answer')).text).toBe(dialXml(t, '+13125550272', 2));
    expect((await owner.client.DELETE('/api/buyers/{id}', { params: { path: { id: String(buyers[1]!.id) } } })).response.status).toBe(204);
    expect((await dialStatus(t, sid, 2, 'completed', 120)).text).toBe(HANGUP_XML);
    await callStatus(t, sid, 'completed', 140);
    expect(await callRow(t, sid)).toMatchObject({ revenue: '50.0000', revenue_attempt: 2, buyer_id: null });
  });

  it('a final status releases the buyer’s concurrency slot', async () => {
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550261', maxConcurrentCalls: 1 }]);
    const first = callSid();
    expect((await voice(t, first, campaign.phoneNumber!)).text).toBe(dialXml(t, '+13125550261', 1));
    expect((await voice(t, callSid(), campaign.phoneNumber!)).text).toBe(fallbackXml());
    await callStatus(t, first, 'completed', 12);
    expect((await voice(t, callSid(), campaign.phoneNumber!)).text).toBe(dialXml(t, '+13125550261', 1));
  });
});
