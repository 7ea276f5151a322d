// Seed 000's /api/buyers/stats and seed 001's /api/stats/* (issue 6): figures relative to now, in
// a time zone, on calls placed at the boundaries of this hour, day and month; exact; the other
// organisation never counted; another organisation's campaign or buyer is a 404.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, localBoundaries, localDate, startOfLocalDay } from '../../server/reports/zone.js';
import { addMember, createBuyer, createCampaign, type Member, registerOrg } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { insertAuction, insertCall, insertTarget } from './fixture.js';

let t: TestApp;
let owner: Member;
let other: Member;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Stats Org');
  other = await registerOrg(t, 'Other Stats Org');
});
afterAll(async () => t.close());

const ZONE = 'Asia/Kolkata';

/** This hour, today and this month in the zone, and the instants around them. */
function marks(now = Date.now()) {
  const today = localDate(now, ZONE);
  const dayStart = startOfLocalDay(today, ZONE);
  const hours = localBoundaries(dayStart, startOfLocalDay(addDays(today, 1), ZONE), ZONE, 'hour');
  const hourStart = hours.filter((h) => h <= now).at(-1)!;
  const monthStart = startOfLocalDay(`${today.slice(0, 8)}01`, ZONE);
  return { today, dayStart, hourStart, monthStart };
}

describe('GET /api/buyers/stats', () => {
  it('gives every buyer its calls and its revenue this hour, today, this month and in total, in the zone', async () => {
    const m = marks();
    const buyer = await createBuyer(owner.client, { name: 'Hourly', companyName: 'Acme Corp' });
    const idle = await createBuyer(owner.client, { name: 'Idle', companyName: null });
    const iso = (ms: number) => new Date(ms).toISOString();
    const at = [
      { at: iso(m.hourStart), revenue: '1.00' }, // this hour
      { at: iso(m.dayStart), revenue: '2.00' }, // today (maybe this hour too, just after midnight)
      { at: iso(m.monthStart), revenue: '4.00' }, // this month
      { at: iso(m.monthStart - 60_000), revenue: '8.00' }, // last month
      { at: iso(m.monthStart - 400 * 86_400_000), revenue: '16.00' }, // more than a year ago
      { at: iso(m.hourStart - 1000), revenue: null }, // no revenue
    ];
    for (const c of at) await insertCall(t.db, owner.orgId, { at: c.at, buyerId: buyer.id, status: 'completed', duration: 60, revenue: c.revenue });
    await insertCall(t.db, other.orgId, { at: iso(m.hourStart), status: 'completed', revenue: '500.00' });

    const { data, response } = await owner.client.GET('/api/buyers/stats', { params: { query: { timeZone: ZONE } } });
    expect(response.status).toBe(200);
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    const hour = sum([1, m.dayStart === m.hourStart ? 2 : 0, m.monthStart === m.hourStart ? 4 : 0]);
    const day = sum([1, 2, m.monthStart === m.dayStart ? 4 : 0]);
    expect(data).toEqual([
      { id: buyer.id, name: 'Hourly', companyName: 'Acme Corp', totalCalls: 6, hourRevenue: hour, dayRevenue: day, monthRevenue: 7, totalRevenue: 31 },
      { id: idle.id, name: 'Idle', companyName: null, totalCalls: 0, hourRevenue: 0, dayRevenue: 0, monthRevenue: 0, totalRevenue: 0 },
    ]);
    const theirs = await other.client.GET('/api/buyers/stats');
    expect(theirs.data).toEqual([]);
  });
});

describe('GET /api/stats/historical, /api/stats/campaigns/{id}, /api/stats/buyers/{id}', () => {
  it('gives the last days\' figures, every day listed, as fractions; an empty day is listed with zeros', async () => {
    const org = await registerOrg(t, 'History Org');
    const campaign = await createCampaign(org.client, { name: 'History', enableRtb: false });
    await createCampaign(org.client, { name: 'Paused', enableRtb: false, status: 'paused' });
    const buyer = await createBuyer(org.client, { name: 'History Buyer' });
    const m = marks();
    const iso = (ms: number) => new Date(ms).toISOString();
    const yesterday = startOfLocalDay(addDays(m.today, -1), ZONE);
    const threeDaysAgo = startOfLocalDay(addDays(m.today, -3), ZONE);
    await insertCall(t.db, org.orgId, { at: iso(m.dayStart), campaignId: campaign.id, buyerId: buyer.id, status: 'completed', duration: 100, revenue: '10.00' });
    await insertCall(t.db, org.orgId, { at: iso(m.dayStart + 1000), campaignId: campaign.id, status: 'busy' });
    await insertCall(t.db, org.orgId, { at: iso(yesterday), campaignId: campaign.id, buyerId: buyer.id, status: 'completed', duration: 51, revenue: '2.50' });
    await insertCall(t.db, org.orgId, { at: iso(yesterday - 1000), buyerId: buyer.id, status: 'completed', duration: 20 }); // the day before
    await insertCall(t.db, org.orgId, { at: iso(threeDaysAgo), campaignId: campaign.id, status: 'completed', duration: 5, revenue: '100.00' });
    const target = await insertTarget(t.db, org.orgId, 'History Target');
    await insertAuction(t.db, org.orgId, {
      at: iso(m.dayStart), campaignId: campaign.id, status: 'won', winningBid: '10.00', responseMs: 50,
      bids: [{ targetId: target, targetName: 'History Target', status: 'success', valid: true, winning: true, amount: '10.00', responseMs: 50 }],
    });

    const dates = [addDays(m.today, -2), addDays(m.today, -1), m.today];
    const history = await org.client.GET('/api/stats/historical', { params: { query: { days: 3, timeZone: ZONE } } });
    expect(history.response.status).toBe(200);
    expect(history.data).toEqual({
      days: 3,
      timeZone: ZONE,
      from: iso(startOfLocalDay(dates[0]!, ZONE)),
      to: expect.any(String),
      activeCampaigns: 1,
      totalBuyers: 1,
      totalCalls: 4,
      completedCalls: 3,
      averageCallDuration: 57,
      successRate: 0.75,
      totalRevenue: 12.5,
      conversionRate: 0.5,
      daily: [
        { date: dates[0], totalCalls: 1, completedCalls: 1, revenue: 0 },
        { date: dates[1], totalCalls: 1, completedCalls: 1, revenue: 2.5 },
        { date: dates[2], totalCalls: 2, completedCalls: 1, revenue: 10 },
      ],
    });

    const longer = await org.client.GET('/api/stats/historical', { params: { query: { days: 5, timeZone: ZONE } } });
    expect(longer.data!.daily.slice(0, 2)).toEqual([
      { date: addDays(m.today, -4), totalCalls: 0, completedCalls: 0, revenue: 0 },
      { date: addDays(m.today, -3), totalCalls: 1, completedCalls: 1, revenue: 100 },
    ]);
    expect(longer.data!.totalRevenue).toBe(112.5);

    const campaignStats = await org.client.GET('/api/stats/campaigns/{id}', { params: { path: { id: campaign.id }, query: { days: 3, timeZone: ZONE } } });
    expect(campaignStats.data).toMatchObject({
      campaignId: campaign.id,
      campaignName: 'History',
      totalCalls: 3,
      completedCalls: 2,
      averageCallDuration: 75.5,
      successRate: 0.6667,
      totalRevenue: 12.5,
      conversionRate: 0.6667,
      totalAuctions: 1,
      successfulAuctions: 1,
    });
    const buyerStats = await org.client.GET('/api/stats/buyers/{id}', { params: { path: { id: String(buyer.id) }, query: { days: 3, timeZone: ZONE } } });
    expect(buyerStats.data).toMatchObject({ buyerId: buyer.id, buyerName: 'History Buyer', totalCalls: 3, completedCalls: 3, averageCallDuration: 57, successRate: 1, totalRevenue: 12.5, conversionRate: 0.6667 });

    // Another organisation's campaign or buyer, or a malformed id, is a 404.
    for (const id of [campaign.id, 'not-a-uuid']) {
      expect((await owner.client.GET('/api/stats/campaigns/{id}', { params: { path: { id } } })).response.status).toBe(404);
    }
    for (const id of [String(buyer.id), 'abc']) {
      expect((await owner.client.GET('/api/stats/buyers/{id}', { params: { path: { id } } })).response.status).toBe(404);
    }
  });

  it('answers 400 for days out of range', async () => {
    for (const days of ['0', '367', 'x']) {
      const res = await owner.client.GET('/api/stats/historical', { params: { query: { days: days as never } } });
      expect(res.response.status).toBe(400);
    }
  });
});

describe('GET /api/stats/dashboard', () => {
  it('counts calls in progress (not stale ones), today\'s calls and revenue, and the last minute\'s auctions and bids', async () => {
    const org = await registerOrg(t, 'Dashboard Org');
    const campaign = await createCampaign(org.client, { name: 'Live', enableRtb: false });
    await createBuyer(org.client, { name: 'Live Buyer' });
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    const m = marks(now);
    await insertCall(t.db, org.orgId, { at: iso(now - 5000), campaignId: campaign.id, status: 'ringing' });
    await insertCall(t.db, org.orgId, { at: iso(now - 10_000), campaignId: campaign.id, status: 'in-progress' });
    await insertCall(t.db, org.orgId, { at: iso(now - 5 * 3_600_000), status: 'in-progress' }); // its end was never reported
    await insertCall(t.db, org.orgId, { at: iso(m.dayStart), campaignId: campaign.id, status: 'completed', duration: 30, revenue: '20.00' });
    const target = await insertTarget(t.db, org.orgId, 'Live Target');
    await insertAuction(t.db, org.orgId, {
      at: iso(now - 10_000), campaignId: campaign.id, status: 'won', winningBid: '5.00', responseMs: 40,
      bids: [
        { targetId: target, targetName: 'Live Target', status: 'success', valid: true, winning: true, amount: '5.00', responseMs: 40 },
        { targetId: target, targetName: 'Live Target', status: 'rejected', valid: false, amount: '0.10', responseMs: 30 },
      ],
    });
    await insertAuction(t.db, org.orgId, { at: iso(now - 120_000), campaignId: campaign.id, status: 'no_eligible_targets', responseMs: 0, bids: [] });

    const { data, response } = await org.client.GET('/api/stats/dashboard', { params: { query: { timeZone: ZONE } } });
    expect(response.status).toBe(200);
    const staleToday = now - 5 * 3_600_000 >= m.dayStart ? 1 : 0;
    const callsLastHour = 2 + (now - m.dayStart < 3_600_000 ? 1 : 0);
    expect(data).toEqual({
      timeZone: ZONE,
      generatedAt: expect.any(String),
      activeCalls: 2,
      callsToday: 3 + staleToday,
      completedToday: 1,
      revenueToday: 20,
      conversionRateToday: Number((1 / (3 + staleToday)).toFixed(4)),
      callsLastHour,
      auctionsLastMinute: 1,
      bidsLastMinute: 1,
      activeCampaigns: 1,
      activeBuyers: 1,
    });
  });
  it("counts the bids an RTB answer committed but has not yet written as rows (as the RTB report does)", async () => {
    const org = await registerOrg(t, 'Pending Bids Dashboard Org');
    const campaign = await createCampaign(org.client, { name: 'Live RTB', enableRtb: false });
    const target = await insertTarget(t.db, org.orgId, 'Pending Target');
    const auctionId = await insertAuction(t.db, org.orgId, { at: new Date(Date.now() - 5000).toISOString(), campaignId: campaign.id, status: 'won', winningBid: '7.00', responseMs: 40, bids: [] });
    // What answer_rtb_call() leaves until the writer (or the sweep) turns it into rows: one copy.
    const bid = (amount: number, winning: boolean) => ({
      org_id: org.orgId, request_id: 'req_pending', rtb_target_id: target, target_name: 'Pending Target', status: 'success', http_status: 200,
      response_time_ms: 30, bid_amount: amount, is_valid: true, is_winning_bid: winning,
    });
    await t.db.insertInto('bid_responses_pending').values({ bid_request_id: String(auctionId), org_id: org.orgId, responses: JSON.stringify([bid(7, true), bid(6, false)]) }).execute();

    const { data } = await org.client.GET('/api/stats/dashboard', {});
    expect(data).toMatchObject({ auctionsLastMinute: 1, bidsLastMinute: 2 });
  });
});

describe('who may read reports', () => {
  it('answers 403 to an agent and 401 without a login, for every report', async () => {
    const agent = await addMember(t, owner, 'agent');
    const paths = ['/api/reports/rtb-performance', '/api/reports/call-analytics', '/api/buyers/stats', '/api/stats/historical', '/api/stats/dashboard'] as const;
    for (const path of paths) {
      expect((await agent.client.GET(path, {})).response.status).toBe(403);
      expect((await fetch(t.url + path)).status).toBe(401);
    }
    const manager = await addMember(t, owner, 'manager');
    expect((await manager.client.GET('/api/stats/dashboard', {})).response.status).toBe(200);
  });
});
