// Health probes and test bids never take the auctions' fan-out slots: one organisation probing
// slow targets cannot make another organisation's auctions time out.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Member, createCampaign, registerOrg } from '../../helpers/fixtures.js';
import { bid, startStubBidder, type StubBidder } from '../../helpers/stub-bidder.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

let t: TestApp;
let slowOrg: Member;
let buyerOrg: Member;
const stubs: StubBidder[] = [];

beforeAll(async () => {
  // A small process-wide fan-out, so that a few slow probes could fill it.
  t = await startTestApp({ env: { RTB_FANOUT_CONCURRENCY: '2' } });
  slowOrg = await registerOrg(t, 'Slow probes Org');
  buyerOrg = await registerOrg(t, 'Live auctions Org');
});
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((s) => s.close()));
});
afterAll(async () => t.close());

async function stub(answer: StubBidder['answer']) {
  const s = await startStubBidder(answer);
  stubs.push(s);
  return s;
}

describe('RTB fan-out slots', () => {
  it("another organisation's health probes of slow targets do not hold up an auction", async () => {
    const hanging = await stub(() => ({ body: bid(1), delayMs: 2000 }));
    for (let i = 0; i < 4; i++) {
      const created = await slowOrg.client.POST('/api/rtb/targets', { body: { name: `Slow ${i}`, endpointUrl: hanging.url, timeoutMs: 3000 } });
      expect(created.response.status).toBe(201);
    }
    const fast = await stub(() => ({ body: bid(12) }));
    const target = await buyerOrg.client.POST('/api/rtb/targets', { body: { name: 'Fast', endpointUrl: fast.url, minBidAmount: 1, maxBidAmount: 100, timeoutMs: 1000 } });
    const campaign = await createCampaign(buyerOrg.client, { name: 'Live', phoneNumber: '+12125557001', enableRtb: true, minBiddersRequired: 1, biddingTimeoutMs: 500 });
    await buyerOrg.client.PUT('/api/campaigns/{id}/rtb-targets', { params: { path: { id: campaign.id } }, body: { assignments: [{ targetId: target.data!.id }] } });

    const probing = slowOrg.client.POST('/api/rtb/health-checks');
    while (hanging.received.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    const answer = await t.client().POST('/api/rtb/bid/{rtbId}', { params: { path: { rtbId: campaign.rtbId } }, body: { callerId: '+13105557001' } });
    expect(answer.data).toMatchObject({ bidAmount: 12 });
    expect((await probing).response.status).toBe(200);
  });
});
