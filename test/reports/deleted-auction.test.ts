// An auction deleted (a routing delivery that lost its lease discards its own, routing-lease.ts)
// takes its bids with it (ON DELETE CASCADE): the RTB report no longer counts them, for the
// organisation and for the auction's campaign alike, whether its deltas were folded or not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foldAllDeltas } from '../../server/reports/rollups.js';
import { createCampaign, type Member, registerOrg } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { insertAuction, insertTarget } from './fixture.js';

let t: TestApp;
let owner: Member;
let campaignId = '';
let targetId = 0;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Deleted Auction Org');
  campaignId = (await createCampaign(owner.client, { name: 'Alpha', enableRtb: false })).id;
  targetId = await insertTarget(t.db, owner.orgId, 'Target One');
});
afterAll(async () => t.close());

async function rtb(query: Record<string, string>) {
  const res = await owner.client.GET('/api/reports/rtb-performance', { params: { query: query as never } });
  expect(res.response.status).toBe(200);
  return res.data!;
}

async function auction(at: string): Promise<number> {
  return insertAuction(t.db, owner.orgId, {
    at, campaignId, status: 'won', winningBid: '20.00', responseMs: 100,
    bids: [{ targetId, targetName: 'Target One', status: 'success', valid: true, winning: true, amount: '20.00', responseMs: 80 }],
  });
}

describe('a deleted auction', () => {
  it.each([
    ['folded before the delete', true, '2025-03-08'],
    ['not folded', false, '2025-03-09'],
  ])('leaves no bids in the RTB report, nor in its campaign (%s)', async (_label, fold, day) => {
    const RANGE = { startDate: day, endDate: day };
    const kept = await auction(`${day}T10:00:00Z`);
    const discarded = await auction(`${day}T10:05:00Z`);
    if (fold) await foldAllDeltas(t.db);
    await t.db.deleteFrom('bid_requests').where('id', '=', String(discarded)).execute();
    for (const query of [RANGE, { ...RANGE, campaignId }]) {
      const report = await rtb(query);
      expect(report.summary).toMatchObject({ totalAuctions: 1, successfulAuctions: 1 });
      expect(report.targetPerformance).toEqual([
        { targetId, targetName: 'Target One', pinged: 1, totalBids: 1, winningBids: 1, winRate: 100, averageBid: 20, averageResponseTime: 80, timeouts: 0 },
      ]);
    }
    await foldAllDeltas(t.db);
    expect((await rtb({ ...RANGE, campaignId })).targetPerformance).toHaveLength(1);
    await t.db.deleteFrom('bid_requests').where('id', '=', String(kept)).execute();
    expect((await rtb({ ...RANGE, campaignId })).targetPerformance).toEqual([]);
  });

  it('goes with its organisation, bids and all', async () => {
    const gone = await registerOrg(t, 'Gone Org');
    const target = await insertTarget(t.db, gone.orgId, 'Gone Target');
    await insertAuction(t.db, gone.orgId, {
      at: '2025-03-10T10:00:00Z', campaignId: null, status: 'won', winningBid: '20.00', responseMs: 100,
      bids: [{ targetId: target, targetName: 'Gone Target', status: 'success', valid: true, winning: true, amount: '20.00', responseMs: 80 }],
    });
    await t.db.deleteFrom('organizations').where('id', '=', gone.orgId).execute();
    const left = await t.db.selectFrom('bid_responses').select((eb) => eb.fn.countAll<string>().as('n')).where('org_id', '=', gone.orgId).executeTakeFirstOrThrow();
    expect(Number(left.n)).toBe(0);
    expect(await foldAllDeltas(t.db)).toBeGreaterThan(0);
  });
});
