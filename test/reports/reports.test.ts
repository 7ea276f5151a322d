// Reports on a hand-computed fixture (issue 6): eleven calls and four auctions around the midnights
// of UTC, New York (on the day its clocks spring forward) and Kolkata (+05:30, whose midnights
// split UTC hours), every figure asserted exactly; the same answers whether the deltas were folded
// into the summaries or not, and after a correction; another organisation's data never counted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foldAllDeltas } from '../../server/reports/rollups.js';
import { createBuyer, createCampaign, type Member, PASSWORD, registerOrg } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { insertAuction, insertCall, insertTarget } from './fixture.js';

let t: TestApp;
let owner: Member;
let other: Member;
const ids = { c1: '', c2: '', b1: 0, b2: 0, t1: 0, t2: 0 };
let correctedCallId = 0;

const RANGE = { startDate: '2025-03-08', endDate: '2025-03-10' };

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Reports Org');
  other = await registerOrg(t, 'Other Reports Org');
  ids.c1 = (await createCampaign(owner.client, { name: 'Alpha', enableRtb: false })).id;
  ids.c2 = (await createCampaign(owner.client, { name: 'Beta', enableRtb: false })).id;
  ids.b1 = (await createBuyer(owner.client, { name: 'Buyer One' })).id;
  ids.b2 = (await createBuyer(owner.client, { name: 'Buyer Two' })).id;
  ids.t1 = await insertTarget(t.db, owner.orgId, 'Target One');
  ids.t2 = await insertTarget(t.db, owner.orgId, 'Target Two');
  const { c1, c2, b1, b2, t1, t2 } = ids;
  const calls = [
    /* 1 */ { at: '2025-03-08T03:30:00Z', campaignId: c1, buyerId: b1, status: 'completed', duration: 120, revenue: '10.00' },
    /* 2 */ { at: '2025-03-08T05:10:00Z', campaignId: c1, buyerId: b1, status: 'completed', duration: 60 },
    /* 3 */ { at: '2025-03-08T18:45:00Z', campaignId: c2, buyerId: b2, status: 'busy' },
    /* 4 */ { at: '2025-03-09T06:59:00Z', campaignId: c2, targetId: t1, status: 'completed', duration: 300, revenue: '25.50' },
    /* 5 */ { at: '2025-03-09T07:00:00Z', campaignId: c1, targetId: t2, status: 'completed', duration: 45 },
    /* 6 */ { at: '2025-03-09T18:29:00Z', campaignId: c1, buyerId: b1, status: 'completed', duration: 200, revenue: '15.25' },
    /* 7 */ { at: '2025-03-09T18:30:00Z', campaignId: c1, buyerId: b2, status: 'no-answer' },
    /* 8 */ { at: '2025-03-10T03:59:00Z', campaignId: c2, buyerId: b1, status: 'completed', duration: 90, revenue: '12.00' },
    /* 9 */ { at: '2025-03-10T04:00:00Z', campaignId: c2, buyerId: b1, status: 'ringing' },
    /* 10 */ { at: '2025-03-11T04:30:00Z', campaignId: c1, buyerId: b1, status: 'completed', duration: 10, revenue: '3.00' },
    /* 11 */ { at: '2025-03-07T23:00:00Z', campaignId: c1, buyerId: b1, status: 'completed', duration: 100, revenue: '50.00' },
  ] as const;
  const callIds = [];
  for (const c of calls) callIds.push(await insertCall(t.db, owner.orgId, c));
  // Half the deltas folded into the summaries, then more changes: the reports must not care.
  await foldAllDeltas(t.db);
  // Call 9 ends later (30 s, no revenue), and a manager corrects its revenue to 5.
  correctedCallId = callIds[8]!;
  await t.db.updateTable('calls').set({ status: 'completed', status_rank: 4, duration_sec: 30 }).where('id', '=', correctedCallId).execute();
  await t.db.updateTable('calls').set({ revenue_override: '5.00' }).where('id', '=', correctedCallId).execute();

  await insertAuction(t.db, owner.orgId, {
    at: '2025-03-08T04:30:00Z', campaignId: c2, status: 'won', winningBid: '20.00', responseMs: 100,
    bids: [
      { targetId: t1, targetName: 'Target One', status: 'success', valid: true, winning: true, amount: '20.00', responseMs: 80 },
      { targetId: t2, targetName: 'Target Two', status: 'success', valid: true, amount: '15.00', responseMs: 120 },
    ],
  });
  await insertAuction(t.db, owner.orgId, {
    at: '2025-03-09T06:30:00Z', campaignId: c2, status: 'no_valid_bids', responseMs: 500,
    bids: [
      { targetId: t1, targetName: 'Target One', status: 'timeout', valid: false, responseMs: 500 },
      { targetId: t2, targetName: 'Target Two', status: 'rejected', valid: false, amount: '2.00', responseMs: 60 },
    ],
  });
  await foldAllDeltas(t.db);
  await insertAuction(t.db, owner.orgId, {
    at: '2025-03-09T18:40:00Z', campaignId: c1, status: 'won', winningBid: '12.50', responseMs: 90,
    bids: [
      { targetId: t1, targetName: 'Target One', status: 'filtered', valid: false },
      { targetId: t2, targetName: 'Target Two', status: 'success', valid: true, winning: true, amount: '12.50', responseMs: 90 },
    ],
  });
  await insertAuction(t.db, owner.orgId, {
    at: '2025-03-10T05:00:00Z', campaignId: c1, status: 'won', winningBid: '30.00', responseMs: 70,
    bids: [
      { targetId: t1, targetName: 'Target One', status: 'success', valid: true, winning: true, amount: '30.00', responseMs: 70 },
      { targetId: t2, targetName: 'Target Two', status: 'success', valid: true, amount: '25.00', responseMs: 65 },
    ],
  });

  // Another organisation, same days: never counted.
  const foreignCampaign = (await createCampaign(other.client, { name: 'Foreign', enableRtb: false })).id;
  const foreignTarget = await insertTarget(t.db, other.orgId, 'Foreign Target');
  for (const at of ['2025-03-08T12:00:00Z', '2025-03-09T18:35:00Z', '2025-03-10T04:00:00Z']) {
    await insertCall(t.db, other.orgId, { at, campaignId: foreignCampaign, targetId: foreignTarget, status: 'completed', duration: 999, revenue: '99.00' });
    await insertAuction(t.db, other.orgId, {
      at, campaignId: foreignCampaign, status: 'won', winningBid: '99.00', responseMs: 9,
      bids: [{ targetId: foreignTarget, targetName: 'Foreign Target', status: 'success', valid: true, winning: true, amount: '99.00', responseMs: 9 }],
    });
  }
});
afterAll(async () => t.close());

async function analytics(query: Record<string, string>) {
  const res = await owner.client.GET('/api/reports/call-analytics', { params: { query: query as never } });
  expect(res.response.status).toBe(200);
  return res.data!;
}

async function rtb(query: Record<string, string>) {
  const res = await owner.client.GET('/api/reports/rtb-performance', { params: { query: query as never } });
  expect(res.response.status).toBe(200);
  return res.data!;
}

const row = (groupKey: string, groupId: string | null, totalCalls: number, completedCalls: number, convertedCalls: number, revenue: number, averageDuration: number | null, conversionRate: number) => ({
  groupKey, groupId, totalCalls, completedCalls, convertedCalls, revenue, averageDuration, conversionRate,
});

describe('GET /api/reports/call-analytics', () => {
  it('UTC days (the default zone): summary and every day exact', async () => {
    const report = await analytics({ ...RANGE, groupBy: 'day' });
    expect(report.range).toEqual({ ...RANGE, timeZone: 'UTC', from: '2025-03-08T00:00:00.000Z', to: '2025-03-11T00:00:00.000Z' });
    expect(report.summary).toEqual({ totalCalls: 9, completedCalls: 7, convertedCalls: 5, averageDuration: 120.71, totalRevenue: 67.75, conversionRate: 55.56 });
    expect(report.groupedData).toEqual([
      row('2025-03-08', '2025-03-08', 3, 2, 1, 10, 90, 33.33),
      row('2025-03-09', '2025-03-09', 4, 3, 2, 40.75, 181.67, 50),
      row('2025-03-10', '2025-03-10', 2, 2, 2, 17, 60, 100),
    ]);
  });

  it('New York days, across the night its clocks spring forward', async () => {
    const report = await analytics({ ...RANGE, groupBy: 'day', timeZone: 'America/New_York' });
    expect(report.range).toEqual({ ...RANGE, timeZone: 'America/New_York', from: '2025-03-08T05:00:00.000Z', to: '2025-03-11T04:00:00.000Z' });
    expect(report.summary).toEqual({ totalCalls: 8, completedCalls: 6, convertedCalls: 4, averageDuration: 120.83, totalRevenue: 57.75, conversionRate: 50 });
    expect(report.groupedData).toEqual([
      row('2025-03-08', '2025-03-08', 2, 1, 0, 0, 60, 0),
      row('2025-03-09', '2025-03-09', 5, 4, 3, 52.75, 158.75, 60),
      row('2025-03-10', '2025-03-10', 1, 1, 1, 5, 30, 100),
    ]);
  });

  it('Kolkata days, whose midnights fall at half past a UTC hour', async () => {
    const report = await analytics({ ...RANGE, groupBy: 'day', timeZone: 'Asia/Kolkata' });
    expect(report.range.from).toBe('2025-03-07T18:30:00.000Z');
    expect(report.range.to).toBe('2025-03-10T18:30:00.000Z');
    expect(report.summary).toEqual({ totalCalls: 10, completedCalls: 8, convertedCalls: 6, averageDuration: 118.13, totalRevenue: 117.75, conversionRate: 60 });
    expect(report.groupedData).toEqual([
      row('2025-03-08', '2025-03-08', 3, 3, 2, 60, 93.33, 66.67),
      row('2025-03-09', '2025-03-09', 4, 3, 2, 40.75, 181.67, 50),
      row('2025-03-10', '2025-03-10', 3, 2, 2, 17, 60, 66.67),
    ]);
  });

  it('New York hours of the 23-hour day: labelled with their offsets, only hours with calls', async () => {
    const report = await analytics({ startDate: '2025-03-09', endDate: '2025-03-09', groupBy: 'hour', timeZone: 'America/New_York' });
    expect(report.summary).toEqual({ totalCalls: 5, completedCalls: 4, convertedCalls: 3, averageDuration: 158.75, totalRevenue: 52.75, conversionRate: 60 });
    expect(report.groupedData).toEqual([
      row('2025-03-09T01:00-05:00', '2025-03-09T06:00:00.000Z', 1, 1, 1, 25.5, 300, 100),
      row('2025-03-09T03:00-04:00', '2025-03-09T07:00:00.000Z', 1, 1, 0, 0, 45, 0),
      row('2025-03-09T14:00-04:00', '2025-03-09T18:00:00.000Z', 2, 1, 1, 15.25, 200, 50),
      row('2025-03-09T23:00-04:00', '2025-03-10T03:00:00.000Z', 1, 1, 1, 12, 90, 100),
    ]);
  });

  it('by campaign, buyer and target (UTC), most revenue first, calls without one as (none)', async () => {
    expect((await analytics({ ...RANGE, groupBy: 'campaign' })).groupedData).toEqual([
      row('Beta', ids.c2, 4, 3, 3, 42.5, 140, 75),
      row('Alpha', ids.c1, 5, 4, 2, 25.25, 106.25, 40),
    ]);
    expect((await analytics({ ...RANGE, groupBy: 'buyer' })).groupedData).toEqual([
      row('Buyer One', String(ids.b1), 5, 5, 4, 42.25, 100, 80),
      row('(none)', null, 2, 2, 1, 25.5, 172.5, 50),
      row('Buyer Two', String(ids.b2), 2, 0, 0, 0, null, 0),
    ]);
    expect((await analytics({ ...RANGE, groupBy: 'target' })).groupedData).toEqual([
      row('(none)', null, 7, 5, 4, 42.25, 100, 57.14),
      row('Target One', String(ids.t1), 1, 1, 1, 25.5, 300, 100),
      row('Target Two', String(ids.t2), 1, 1, 0, 0, 45, 0),
    ]);
  });

  it('filters by campaign; another organisation\'s campaign is a 404', async () => {
    const report = await analytics({ ...RANGE, groupBy: 'buyer', campaignId: ids.c2 });
    expect(report.summary).toEqual({ totalCalls: 4, completedCalls: 3, convertedCalls: 3, averageDuration: 140, totalRevenue: 42.5, conversionRate: 75 });
    const foreign = (await other.client.GET('/api/campaigns')).data![0]!.id;
    const res = await owner.client.GET('/api/reports/call-analytics', { params: { query: { ...RANGE, campaignId: foreign } } });
    expect(res.response.status).toBe(404);
  });

  it('answers zeros for an empty range, and the other organisation sees only its own calls', async () => {
    const empty = await analytics({ startDate: '2024-01-01', endDate: '2024-01-31', groupBy: 'day' });
    expect(empty.summary).toEqual({ totalCalls: 0, completedCalls: 0, convertedCalls: 0, averageDuration: null, totalRevenue: 0, conversionRate: 0 });
    expect(empty.groupedData).toEqual([]);
    const theirs = await other.client.GET('/api/reports/call-analytics', { params: { query: { ...RANGE, groupBy: 'campaign' } } });
    expect(theirs.data!.summary).toEqual({ totalCalls: 3, completedCalls: 3, convertedCalls: 3, averageDuration: 999, totalRevenue: 297, conversionRate: 100 });
  });
});

describe('GET /api/reports/rtb-performance', () => {
  const targetRow = (targetId: number, targetName: string, pinged: number, totalBids: number, winningBids: number, winRate: number, averageBid: number | null, averageResponseTime: number | null, timeouts: number) => ({
    targetId, targetName, pinged, totalBids, winningBids, winRate, averageBid, averageResponseTime, timeouts,
  });

  it('sums auctions and each target\'s bids (UTC and Kolkata alike: every auction is inside both)', async () => {
    for (const timeZone of ['UTC', 'Asia/Kolkata']) {
      const report = await rtb({ ...RANGE, timeZone });
      expect(report.summary).toEqual({ totalAuctions: 4, successfulAuctions: 3, averageBidAmount: 20.83, totalRevenue: 25.5, averageResponseTime: 190 });
      expect(report.targetPerformance).toEqual([
        targetRow(ids.t1, 'Target One', 3, 2, 2, 100, 25, 216.67, 1),
        targetRow(ids.t2, 'Target Two', 4, 3, 1, 33.33, 17.5, 83.75, 0),
      ]);
    }
  });

  it('filters by campaign', async () => {
    const report = await rtb({ ...RANGE, campaignId: ids.c1 });
    expect(report.summary).toEqual({ totalAuctions: 2, successfulAuctions: 2, averageBidAmount: 21.25, totalRevenue: 0, averageResponseTime: 80 });
    expect(report.targetPerformance).toEqual([
      targetRow(ids.t2, 'Target Two', 2, 2, 1, 50, 18.75, 77.5, 0),
      targetRow(ids.t1, 'Target One', 1, 1, 1, 100, 30, 70, 0),
    ]);
  });

  it('New York drops the first auction (the evening before) and keeps the last', async () => {
    const report = await rtb({ ...RANGE, timeZone: 'America/New_York' });
    // 2025-03-08T04:30Z is 23:30 on the 7th in New York.
    expect(report.summary).toEqual({ totalAuctions: 3, successfulAuctions: 2, averageBidAmount: 21.25, totalRevenue: 25.5, averageResponseTime: 220 });
  });

  it('answers empty figures for a range without auctions', async () => {
    const report = await rtb({ startDate: '2024-01-01', endDate: '2024-01-02' });
    expect(report).toMatchObject({ summary: { totalAuctions: 0, successfulAuctions: 0, averageBidAmount: null, totalRevenue: 0, averageResponseTime: null }, targetPerformance: [] });
  });
});

describe('the summaries stay exact', () => {
  it('gives the same answers after folding every delta, and after another correction', async () => {
    const before = await analytics({ ...RANGE, groupBy: 'day', timeZone: 'Asia/Kolkata' });
    await foldAllDeltas(t.db);
    expect(await analytics({ ...RANGE, groupBy: 'day', timeZone: 'Asia/Kolkata' })).toEqual(before);
    const rtbBefore = await rtb({ ...RANGE, timeZone: 'Asia/Kolkata' });
    expect(await rtb({ ...RANGE, timeZone: 'Asia/Kolkata' })).toEqual(rtbBefore);
    await t.db.updateTable('calls').set({ revenue_override: '7.50' }).where('id', '=', correctedCallId).execute();
    const after = await analytics({ ...RANGE, groupBy: 'day', timeZone: 'Asia/Kolkata' });
    expect(after.summary.totalRevenue).toBe(120.25);
    expect(after.groupedData[2]!.revenue).toBe(19.5);
    await foldAllDeltas(t.db);
    expect(await analytics({ ...RANGE, groupBy: 'day', timeZone: 'Asia/Kolkata' })).toEqual(after);
    await t.db.updateTable('calls').set({ revenue_override: '5.00' }).where('id', '=', correctedCallId).execute();
  });
});

describe('bad report queries', () => {
  it('answers 400 naming the field for a reversed or too long range, a bad date or an unknown time zone', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ startDate: '2025-03-10', endDate: '2025-03-08' }, 'startDate'],
      [{ startDate: '2024-01-01', endDate: '2025-03-08' }, 'endDate'],
      [{ startDate: '2025-02-30' }, 'startDate'],
      [{ timeZone: 'Mars/Olympus_Mons' }, 'timeZone'],
      [{ startDate: '2025-01-01', endDate: '2025-06-01', groupBy: 'hour' }, 'endDate'],
      [{ groupBy: 'week' }, 'groupBy'],
      [{ endDate: '9999-12-31' }, 'endDate'],
      [{ startDate: '9999-12-10' }, 'startDate'],
      [{ startDate: '0050-01-01', endDate: '0050-01-02' }, 'startDate'],
    ];
    for (const [query, field] of cases) {
      const raw = await fetch(`${t.url}/api/reports/call-analytics?${new URLSearchParams(query).toString()}`, { headers: { cookie: await cookieOf(owner) } });
      const body = (await raw.json()) as { code: string; details: Record<string, string> };
      expect({ query, status: raw.status, code: body.code, named: field in body.details }).toEqual({ query, status: 400, code: 'VALIDATION_ERROR', named: true });
    }
  });
});

describe('the hour grouping\'s shorter range', () => {
  it('says why a range the other groupings take is refused when grouped by hour, and takes 92 days', async () => {
    const ask = async (query: Record<string, string>) => {
      const raw = await fetch(`${t.url}/api/reports/call-analytics?${new URLSearchParams(query).toString()}`, { headers: { cookie: await cookieOf(owner) } });
      return { status: raw.status, body: (await raw.json()) as { code: string; details: Record<string, string> } };
    };
    // 93 days: a day grouping takes it, an hour grouping does not, and its message names groupBy.
    const range = { startDate: '2025-01-01', endDate: '2025-04-03' };
    expect((await ask({ ...range, groupBy: 'day' })).status).toBe(200);
    const refused = await ask({ ...range, groupBy: 'hour' });
    expect(refused.status).toBe(400);
    expect(refused.body.details.endDate).toMatch(/92 days/);
    expect(refused.body.details.endDate).toMatch(/groupBy/);
    expect((await ask({ startDate: '2025-01-01', endDate: '2025-04-02', groupBy: 'hour' })).status).toBe(200);
  });
});

async function cookieOf(member: Member): Promise<string> {
  const res = await fetch(`${t.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: member.email, password: PASSWORD }) });
  return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}
