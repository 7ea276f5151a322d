// The voice webhook end to end (DESIGN.md 4.1, 4.3): exact TwiML, one call per CallSid, routing
// decisions kept, operating hours across time zones, RTB (fresh auction or an inbound bid), pools.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import type { StubBidder } from '../../helpers/stub-bidder.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { postWebhook, XML_HEAD } from '../../helpers/twilio-webhook.js';
import type { components } from '../../../client/index.js';
import { buyerCampaign, callRow, callSid, dialXml, fallbackXml, legRows, rtbCampaign as rtbCampaignOf, trackingNumber, voice } from './helpers.js';

let t: TestApp;
let owner: Member;
const stubs: StubBidder[] = [];

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Voice Org');
});
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((s) => s.close()));
});
afterAll(async () => t.close());

function localHour(timeZone: string): number {
  return Number(new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', hourCycle: 'h23' }).format(new Date()));
}

function everyDay(start: number, end: number) {
  const hhmm = (h: number) => `${String(((h % 24) + 24) % 24).padStart(2, '0')}:00`;
  const day = { start: hhmm(start), end: hhmm(end) };
  return { monday: day, tuesday: day, wednesday: day, thursday: day, friday: day, saturday: day, sunday: day };
}

describe('voice webhook: buyer routing', () => {
  it('dials the first buyer by priority with exact TwiML and keeps the routing decision', async () => {
    const { campaign, buyers } = await buyerCampaign(owner.client, [
      { name: 'Second', phoneNumber: '+13125550102', assignmentPriority: 2 },
      { name: 'First', phoneNumber: '+13125550101', assignmentPriority: 1 },
    ]);
    const sid = callSid();
    const answer = await voice(t, sid, campaign.phoneNumber!, { CallerState: 'ca', CallerZip: '90210' });
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('text/xml; charset=utf-8');
    expect(answer.text).toBe(dialXml(t, '+13125550101', 1));

    const call = await callRow(t, sid);
    expect(call).toMatchObject({ org_id: owner.orgId, campaign_id: campaign.id, status: 'queued', routing_method: 'priority', buyer_id: buyers[1]!.id, caller_state: 'CA', caller_zip: '90210', from_number: '+13105551234', to_number: campaign.phoneNumber });
    expect(call.routing_plan).toEqual({ mode: 'auto', order: [buyers[1]!.id, buyers[0]!.id], skipped: [], attempts: [{ attempt: 1, candidate: `buyer:${buyers[1]!.id}`, result: 'dialled' }] });
    const legs = await legRows(t, sid);
    expect(legs).toHaveLength(1);
    expect(legs[0]).toMatchObject({ attempt: 1, buyer_id: buyers[1]!.id, destination: '+13125550101', ended_at: null });

    const api = await owner.client.GET('/api/calls/{id}', { params: { path: { id: String(call.id) } } });
    expect(api.data).toMatchObject({ callSid: sid, routingMethod: 'priority', buyerName: 'First', callerNumber: '310***1234', legs: [{ attempt: 1, destination: '312***0101', dialStatus: null }] });
  });

  it("routes a call to the campaign whose phoneNumber is a number the organisation bought (not pointed at a campaign itself)", async () => {
    const offered = await owner.client.GET('/api/phone-numbers/search', { params: { query: { areaCode: '415' } } });
    const phoneNumber = offered.data!.numbers[0]!.phoneNumber;
    const bought = await owner.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber } });
    expect(bought.response.status).toBe(201);
    const { campaign, buyers } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550131' }], { phoneNumber });
    const sid = callSid();
    const answer = await voice(t, sid, phoneNumber);
    expect(answer.text).toBe(dialXml(t, '+13125550131', 1));
    expect(await callRow(t, sid)).toMatchObject({ campaign_id: campaign.id, phone_number_id: bought.data!.id, buyer_id: buyers[0]!.id });
  });

  it("answers a deactivated number that is a campaign's phoneNumber as not in service: it routes nowhere, like any inactive number", async () => {
    const offered = await owner.client.GET('/api/phone-numbers/search', { params: { query: { areaCode: '628' } } });
    const phoneNumber = offered.data!.numbers[0]!.phoneNumber;
    const bought = await owner.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber } });
    expect(bought.response.status).toBe(201);
    await buyerCampaign(owner.client, [{ phoneNumber: '+13125550132' }], { phoneNumber });
    const off = await owner.client.PUT('/api/phone-numbers/{id}', { params: { path: { id: String(bought.data!.id) } }, body: { isActive: false } });
    expect(off.response.status).toBe(200);
    const sid = callSid();
    const answer = await voice(t, sid, phoneNumber);
    expect(answer.text).toBe(`${XML_HEAD}<Response><Say>Sorry, the number you have dialled is not in service. Goodbye.</Say><Hangup/></Response>`);
    expect(await callRow(t, sid)).toMatchObject({ org_id: null, campaign_id: null, phone_number_id: null, buyer_id: null, routing_method: 'none' });
    expect(await legRows(t, sid)).toHaveLength(0);
  });

  it('answers a retry of the same CallSid with the same TwiML: one call, one leg, no second routing', async () => {
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550111' }, { phoneNumber: '+13125550112' }], { routingType: 'round_robin' });
    const sid = callSid();
    const answers = await Promise.all([voice(t, sid, campaign.phoneNumber!), voice(t, sid, campaign.phoneNumber!), voice(t, sid, campaign.phoneNumber!)]);
    const again = await voice(t, sid, campaign.phoneNumber!);
    const texts = new Set([...answers, again].map((a) => a.text));
    // A retry racing the first delivery may get "wait and ask again"; every settled answer is the one TwiML.
    const settled = [...texts].filter((x) => x.includes('<Dial'));
    expect(settled).toHaveLength(1);
    expect(again.text).toBe(settled[0]);
    expect(await t.db.selectFrom('calls').select('id').where('call_sid', '=', sid).execute()).toHaveLength(1);
    expect(await legRows(t, sid)).toHaveLength(1);
    const campaignRow = await t.db.selectFrom('campaigns').select('routing_rotation').where('id', '=', campaign.id).executeTakeFirstOrThrow();
    expect(Number(campaignRow.routing_rotation)).toBe(1);
  });

  it('rotates round-robin buyers across calls', async () => {
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550121' }, { phoneNumber: '+13125550122' }], { routingType: 'round_robin' });
    const dialled = [];
    for (let i = 0; i < 4; i += 1) {
      const answer = await voice(t, callSid(), campaign.phoneNumber!);
      dialled.push(/<Number>([^<]+)<\/Number>/.exec(answer.text)?.[1]);
    }
    expect(dialled).toEqual(['+13125550121', '+13125550122', '+13125550121', '+13125550122']);
  });

  it('skips a buyer outside its hours (its own time zone) and records why', async () => {
    const la = 'America/Los_Angeles';
    const tokyo = 'Asia/Tokyo';
    const { campaign, buyers } = await buyerCampaign(owner.client, [
      { name: 'LA closed', phoneNumber: '+13125550131', timeZone: la, operatingHours: everyDay(localHour(la) + 2, localHour(la) + 3), assignmentPriority: 1 },
      { name: 'Tokyo open', phoneNumber: '+13125550132', timeZone: tokyo, operatingHours: everyDay(localHour(tokyo) - 1, localHour(tokyo) + 1), assignmentPriority: 2 },
    ]);
    const sid = callSid();
    const answer = await voice(t, sid, campaign.phoneNumber!);
    expect(answer.text).toBe(dialXml(t, '+13125550132', 1));
    expect((await callRow(t, sid)).routing_plan).toMatchObject({ order: [buyers[1]!.id], skipped: [{ buyerId: buyers[0]!.id, reason: 'outside_hours' }] });
  });

  it('skips a buyer at its concurrency limit and a buyer whose daily cap is used up', async () => {
    const { campaign, buyers } = await buyerCampaign(owner.client, [
      { phoneNumber: '+13125550141', maxConcurrentCalls: 1, assignmentPriority: 1 },
      { phoneNumber: '+13125550142', dailyCap: 1, assignmentPriority: 2 },
      { phoneNumber: '+13125550143', assignmentPriority: 3 },
    ]);
    const first = await voice(t, callSid(), campaign.phoneNumber!);
    const second = await voice(t, callSid(), campaign.phoneNumber!);
    const thirdSid = callSid();
    const third = await voice(t, thirdSid, campaign.phoneNumber!);
    expect(first.text).toBe(dialXml(t, '+13125550141', 1));
    expect(second.text).toBe(dialXml(t, '+13125550142', 1));
    expect(third.text).toBe(dialXml(t, '+13125550143', 1));
    expect((await callRow(t, thirdSid)).routing_plan).toMatchObject({
      order: [buyers[2]!.id],
      skipped: [
        { buyerId: buyers[0]!.id, reason: 'concurrency_reached' },
        { buyerId: buyers[1]!.id, reason: 'daily_cap_reached' },
      ],
    });
  });

  it('every limited buyer at its limit: the fallback, no buyer or payout on the call, and each buyer\'s stats count only its own calls', async () => {
    const { campaign, buyers } = await buyerCampaign(owner.client, [
      { phoneNumber: '+13125550151', maxConcurrentCalls: 1, assignmentPriority: 1 },
      { phoneNumber: '+13125550152', maxConcurrentCalls: 1, assignmentPriority: 2 },
    ]);
    const first = await voice(t, callSid(), campaign.phoneNumber!);
    const secondSid = callSid();
    const second = await voice(t, secondSid, campaign.phoneNumber!);
    const thirdSid = callSid();
    const third = await voice(t, thirdSid, campaign.phoneNumber!);
    expect(first.text).toBe(dialXml(t, '+13125550151', 1));
    expect(second.text).toBe(dialXml(t, '+13125550152', 1));
    expect(third.text).toBe(fallbackXml());
    expect(await voice(t, thirdSid, campaign.phoneNumber!).then((r) => r.text)).toBe(fallbackXml());
    const secondRow = await callRow(t, secondSid);
    expect(secondRow).toMatchObject({ buyer_id: buyers[1]!.id, routing_method: 'priority' });
    expect(secondRow.routing_plan).toMatchObject({ order: [buyers[1]!.id], skipped: [{ buyerId: buyers[0]!.id, reason: 'concurrency_reached' }] });
    const thirdRow = await callRow(t, thirdSid);
    expect(thirdRow).toMatchObject({ buyer_id: null, payout: null, routing_method: 'none', twiml: fallbackXml() });
    expect(thirdRow.routing_plan).toMatchObject({
      order: [],
      skipped: [
        { buyerId: buyers[0]!.id, reason: 'concurrency_reached' },
        { buyerId: buyers[1]!.id, reason: 'concurrency_reached' },
      ],
      attempts: [{ attempt: 1, result: 'fallback', to: 'campaign:message' }],
    });
    expect(await legRows(t, thirdSid)).toEqual([]);
    for (const buyer of buyers) {
      const stats = await owner.client.GET('/api/stats/buyers/{id}', { params: { path: { id: String(buyer.id) } } });
      expect(stats.data?.totalCalls).toBe(1);
    }
    const campaignStats = await owner.client.GET('/api/stats/campaigns/{id}', { params: { path: { id: campaign.id } } });
    expect(campaignStats.data?.totalCalls).toBe(3);
  });

  it('answers the campaign fallback when nobody can take the call: message, voicemail, or hang-up', async () => {
    const none = await buyerCampaign(owner.client, []);
    expect((await voice(t, callSid(), none.campaign.phoneNumber!)).text).toBe(fallbackXml());

    const custom = await buyerCampaign(owner.client, [], { fallbackMessage: 'We are closed. Call again <tomorrow> & thanks.' });
    expect((await voice(t, callSid(), custom.campaign.phoneNumber!)).text).toBe(fallbackXml('We are closed. Call again &lt;tomorrow&gt; &amp; thanks.'));

    const voicemail = await buyerCampaign(owner.client, [], { fallbackAction: 'voicemail' });
    const vmSid = callSid();
    expect((await voice(t, vmSid, voicemail.campaign.phoneNumber!)).text).toBe(
      `${XML_HEAD}<Response><Say>Sorry, nobody is available to take your call right now. Please try again later.</Say><Say>Please leave a message after the tone.</Say>` +
        `<Record action="${t.config.publicBaseUrl}/api/webhooks/voicemail" method="POST" maxLength="120" playBeep="true"/><Hangup/></Response>`,
    );
    const recording = 'https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1';
    const left = await postWebhook(t, '/api/webhooks/voicemail', { CallSid: vmSid, RecordingUrl: recording, RecordingSid: 'RE1' });
    expect(left.text).toBe(`${XML_HEAD}<Response><Hangup/></Response>`);
    expect((await callRow(t, vmSid)).voicemail_url).toBe(recording);

    const hangup = await buyerCampaign(owner.client, [], { fallbackAction: 'hangup' });
    expect((await voice(t, callSid(), hangup.campaign.phoneNumber!)).text).toBe(`${XML_HEAD}<Response><Hangup/></Response>`);
  });

  it('gives a paused campaign its fallback without dialling anybody', async () => {
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550151' }], { status: 'paused' });
    const sid = callSid();
    expect((await voice(t, sid, campaign.phoneNumber!)).text).toBe(fallbackXml());
    expect(await legRows(t, sid)).toHaveLength(0);
    expect((await callRow(t, sid)).routing_plan).toEqual({ reason: 'campaign_not_active' });
  });
});

describe('voice webhook: numbers we do not know, pools', () => {
  it('answers a polite message for an unknown number and still records the call (no organisation)', async () => {
    const sid = callSid();
    const answer = await voice(t, sid, '+19995550000');
    expect(answer.text).toBe(`${XML_HEAD}<Response><Say>Sorry, the number you have dialled is not in service. Goodbye.</Say><Hangup/></Response>`);
    expect(await callRow(t, sid)).toMatchObject({ org_id: null, campaign_id: null, to_number: '+19995550000', routing_method: 'none' });
    const list = await owner.client.GET('/api/calls', { params: { query: { limit: 100 } } });
    expect(list.data?.calls.some((c) => c.callSid === sid)).toBe(false);
  });

  it('routes a number of a pool assigned to a campaign (voice and pool webhooks), and refuses another pool', async () => {
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550161' }], { phoneNumber: undefined });
    const poolNumber = trackingNumber();
    const pool = await owner.client.POST('/api/number-pools', { body: { name: `Pool ${poolNumber}`, campaignId: campaign.id } });
    expect(pool.response.status).toBe(201);
    const number = await t.db
      .insertInto('phone_numbers')
      .values({ org_id: owner.orgId, phone_number: poolNumber, provider_sid: `PNsim${poolNumber.slice(1)}`, provider: 'simulator', pool_id: pool.data!.id })
      .returning('id')
      .executeTakeFirstOrThrow();

    const viaVoice = callSid();
    expect((await voice(t, viaVoice, poolNumber)).text).toBe(dialXml(t, '+13125550161', 1));
    expect(await callRow(t, viaVoice)).toMatchObject({ campaign_id: campaign.id, pool_id: pool.data!.id, phone_number_id: number.id });

    const viaPool = callSid();
    const answer = await postWebhook(t, `/api/webhooks/pool/${pool.data!.id}/voice`, { CallSid: viaPool, To: poolNumber, From: '+13105551234' });
    expect(answer.text).toBe(dialXml(t, '+13125550161', 1));

    const other = await registerOrg(t, 'Other pool org');
    const otherPool = await other.client.POST('/api/number-pools', { body: { name: 'Theirs' } });
    const wrong = callSid();
    const refused = await postWebhook(t, `/api/webhooks/pool/${otherPool.data!.id}/voice`, { CallSid: wrong, To: poolNumber, From: '+13105551234' });
    expect(refused.text).toContain('not in service');
    expect(await callRow(t, wrong)).toMatchObject({ org_id: null, pool_id: null });
    const malformed = await postWebhook(t, '/api/webhooks/pool/not-a-pool/voice', { CallSid: callSid(), To: poolNumber });
    expect(malformed.text).toContain('not in service');
  });
});

describe('voice webhook: RTB', () => {
  const rtbCampaign = (answers: Parameters<typeof rtbCampaignOf>[2], extra: Partial<components['schemas']['CampaignCreate']> = {}) =>
    rtbCampaignOf(owner.client, stubs, answers, { campaign: extra });

  it('runs one auction, dials the winner, links the call to the auction; a retry runs no second auction', async () => {
    const { campaign, targetIds } = await rtbCampaign([
      { amount: 12, destination: '+14155550101' },
      { amount: 18, destination: '+14155550102' },
    ]);
    const sid = callSid();
    const answer = await voice(t, sid, campaign.phoneNumber!, { CallerState: 'CA', CallerZip: '94105' });
    expect(answer.text).toBe(dialXml(t, '+14155550102', 1));
    const retry = await voice(t, sid, campaign.phoneNumber!);
    expect(retry.text).toBe(answer.text);
    expect(stubs.map((s) => s.received.length)).toEqual([1, 1]);

    const requests = await t.db.selectFrom('bid_requests').selectAll().where('call_sid', '=', sid).execute();
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ source: 'call', winning_target_id: targetIds[1], caller_state: 'CA' });
    const call = await callRow(t, sid);
    expect(call).toMatchObject({ routing_method: 'rtb', rtb_target_id: targetIds[1], bid_request_id: requests[0]!.id, payout: '18.0000' });
    const api = await owner.client.GET('/api/calls/{id}', { params: { path: { id: String(call.id) } } });
    expect(api.data).toMatchObject({ routingMethod: 'rtb', rtbRequestId: requests[0]!.request_id, winningBidAmount: 18, payout: 18 });
  });

  it('writes the audit, the winner\'s leg and the answer together (one statement): the plan names the audit the call points at', async () => {
    const { campaign, targetIds } = await rtbCampaign([
      { amount: 15, destination: '+14155550131' },
      { amount: 9, destination: '+14155550132' },
    ]);
    const sid = callSid();
    expect((await voice(t, sid, campaign.phoneNumber!)).text).toBe(dialXml(t, '+14155550131', 1));
    const call = await callRow(t, sid);
    const audit = await t.db.selectFrom('bid_requests').selectAll().where('call_id', '=', call.id).executeTakeFirstOrThrow();
    expect(call).toMatchObject({ routing_method: 'rtb', bid_request_id: audit.id, rtb_target_id: targetIds[0], buyer_id: null, payout: '15.0000' });
    expect(call.routing_plan).toMatchObject({
      mode: 'auto',
      auction: { bidRequestId: String(audit.id), status: 'won' },
      attempts: [{ attempt: 1, candidate: `target:${targetIds[0]}`, result: 'dialled' }],
    });
    // The bids were committed with the answer as one copy; the server writes their rows just after it.
    await t.app.bidRows.settled();
    expect(await t.db.selectFrom('bid_responses_pending').select('bid_request_id').where('bid_request_id', '=', audit.id).execute()).toEqual([]);
    const responses = await t.db.selectFrom('bid_responses').select(['rtb_target_id', 'is_winning_bid', 'created_at']).where('bid_request_id', '=', audit.id).orderBy('rtb_target_id').execute();
    // Their time is the auction's (the reports' hour), not the moment they were written.
    for (const r of responses) expect(r.created_at).toEqual(audit.created_at);
    expect(responses.map(({ created_at: _, ...r }) => r)).toEqual([
      { rtb_target_id: targetIds[0], is_winning_bid: true },
      { rtb_target_id: targetIds[1], is_winning_bid: false },
    ]);
    const legs = await legRows(t, sid);
    expect(legs).toHaveLength(1);
    expect(legs[0]).toMatchObject({ attempt: 1, rtb_target_id: targetIds[0], buyer_id: null, destination: '+14155550131', payout: '15.0000' });
  });

  it('two deliveries of one call at the same moment: one auction recorded for the call, one leg, the same answer', async () => {
    const { campaign, targetIds } = await rtbCampaign([
      { amount: 14, destination: '+14155550141', delayMs: 30 },
      { amount: 11, destination: '+14155550142', delayMs: 30 },
    ]);
    const sid = callSid();
    const answers = await Promise.all([voice(t, sid, campaign.phoneNumber!), voice(t, sid, campaign.phoneNumber!)]);
    expect(answers.map((a) => a.text)).toEqual([dialXml(t, '+14155550141', 1), dialXml(t, '+14155550141', 1)]);
    const call = await callRow(t, sid);
    const audits = await t.db.selectFrom('bid_requests').select(['id', 'call_id']).where('call_sid', '=', sid).execute();
    // Each delivery may have started an auction before it knew which one records the call; only
    // the recording delivery's auction is written, against the call.
    expect(audits).toEqual([{ id: call.bid_request_id, call_id: call.id }]);
    expect(await legRows(t, sid)).toHaveLength(1);
    expect(call).toMatchObject({ rtb_target_id: targetIds[0], payout: '14.0000' });
    for (const stub of stubs) expect(stub.received.length).toBeGreaterThanOrEqual(1);
  });

  it('falls back to buyers when no bid is valid', async () => {
    const { campaign } = await rtbCampaign([{ amount: 500, destination: '+14155550111' }]);
    const sid = callSid();
    expect((await voice(t, sid, campaign.phoneNumber!)).text).toBe(dialXml(t, '+13125550171', 1));
    expect((await callRow(t, sid)).routing_plan).toMatchObject({ auction: { status: 'no_valid_bids' } });
  });

  it('honours an unexpired inbound bid of the same caller: its winner is dialled, no new auction', async () => {
    const { campaign, targetIds } = await rtbCampaign([{ amount: 22, destination: '+14155550121' }]);
    const ping = await t.client().POST('/api/rtb/bid/{rtbId}', { params: { path: { rtbId: campaign.rtbId } }, body: { callerId: '+13105559876' } });
    expect(ping.data).toMatchObject({ bidAmount: 22 });
    const sid = callSid();
    const answer = await voice(t, sid, campaign.phoneNumber!, { From: '+13105559876' });
    expect(answer.text).toBe(dialXml(t, '+14155550121', 1));
    expect(stubs[0]!.received).toHaveLength(1);
    const call = await callRow(t, sid);
    expect(call).toMatchObject({ rtb_target_id: targetIds[0], payout: '22.0000' });
    expect(call.routing_plan).toMatchObject({ auction: { status: 'inbound_bid', inboundBidId: (ping.data as { bidId: string }).bidId } });
    const inbound = await t.db.selectFrom('inbound_bids').select('used_at').where('id', '=', (ping.data as { bidId: string }).bidId).executeTakeFirstOrThrow();
    expect(inbound.used_at).not.toBeNull();

    // The bid is used once: the same caller's next call holds an auction of its own.
    const next = callSid();
    await voice(t, next, campaign.phoneNumber!, { From: '+13105559876' });
    expect(stubs[0]!.received).toHaveLength(2);
  });

  it('honours an inbound bid accepted after the route cache read the campaign: the call sends no bid request', async () => {
    const { campaign, targetIds } = await rtbCampaign([{ amount: 23, destination: '+14155550122' }]);
    // A first call: the route cache now holds the campaign, read with no inbound bid waiting.
    await voice(t, callSid(), campaign.phoneNumber!, { From: '+13105550001' });
    expect(stubs[0]!.received).toHaveLength(1);
    const ping = await t.client().POST('/api/rtb/bid/{rtbId}', { params: { path: { rtbId: campaign.rtbId } }, body: { callerId: '+13105559877' } });
    expect(ping.data).toMatchObject({ bidAmount: 23 });
    expect(stubs[0]!.received).toHaveLength(2);

    const sid = callSid();
    expect((await voice(t, sid, campaign.phoneNumber!, { From: '+13105559877' })).text).toBe(dialXml(t, '+14155550122', 1));
    // The caller's bid is looked for before any auction: no third request.
    expect(stubs[0]!.received).toHaveLength(2);
    const call = await callRow(t, sid);
    expect(call).toMatchObject({ rtb_target_id: targetIds[0], payout: '23.0000' });
    expect(call.routing_plan).toMatchObject({ auction: { status: 'inbound_bid', inboundBidId: (ping.data as { bidId: string }).bidId } });
  });

  it('honours an inbound bid another instance accepted (written to the database, this instance not told): no auction of its own is written', async () => {
    const { campaign, targetIds } = await rtbCampaign([{ amount: 24, destination: '+14155550123' }]);
    const first = callSid();
    await voice(t, first, campaign.phoneNumber!, { From: '+13105550002' });
    const audit = await t.db.selectFrom('bid_requests').select('id').where('call_sid', '=', first).executeTakeFirstOrThrow();
    // What another instance's ping writes (this instance's route cache is not told).
    const inbound = await t.db
      .insertInto('inbound_bids')
      .values({
        org_id: owner.orgId,
        campaign_id: campaign.id,
        caller_id: '+13105559878',
        bid_request_id: audit.id,
        bid_amount: 24,
        winning_target_id: targetIds[0]!,
        destination_number: '+14155550123',
        expires_at: new Date(Date.now() + 60_000),
      })
      .returning('id')
      .executeTakeFirstOrThrow();

    const sid = callSid();
    expect((await voice(t, sid, campaign.phoneNumber!, { From: '+13105559878' })).text).toBe(dialXml(t, '+14155550123', 1));
    const call = await callRow(t, sid);
    expect(call.routing_plan).toMatchObject({ auction: { status: 'inbound_bid', inboundBidId: inbound.id } });
    expect(call).toMatchObject({ bid_request_id: audit.id, payout: '24.0000' });
    // The bidder was asked nothing for this call, and no audit of its own was written.
    expect(stubs[0]!.received).toHaveLength(1);
    expect(await t.db.selectFrom('bid_requests').select('id').where('call_sid', '=', sid).execute()).toEqual([]);
    const used = await t.db.selectFrom('inbound_bids').select('used_at').where('id', '=', inbound.id).executeTakeFirstOrThrow();
    expect(used.used_at).not.toBeNull();
  });
});
