// A target whose circuit is half-open gets its one probe from an auction that can actually ask it:
// an auction that filters the target (its states, zip codes, caps) must not spend the probe.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { probeTargets } from '../../../server/rtb/auctions/health.js';
import { runCampaignAuction } from '../../../server/rtb/auctions/run-campaign-auction.js';
import { createRtbRuntime, type RtbRuntime } from '../../../server/rtb/auctions/runtime.js';
import { createCircuitBreaker } from '../../../server/rtb/engine/circuit-breaker.js';
import { createOutboundPolicy } from '../../../server/platform/http/outbound/url-policy.js';
import { type Member, createCampaign, registerOrg } from '../../helpers/fixtures.js';
import { bid, startStubBidder, type StubBidder } from '../../helpers/stub-bidder.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

let t: TestApp;
let owner: Member;
let rtb: RtbRuntime;
const COOL_DOWN_MS = 200;
const stubs: StubBidder[] = [];

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Breaker probe Org');
  rtb = { ...createRtbRuntime(createOutboundPolicy(['127.0.0.1']), 10), breaker: createCircuitBreaker({ coolDownMs: COOL_DOWN_MS }) };
});
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await rtb?.close();
  await t.close();
});

describe('circuit breaker probes', () => {
  it('an auction that filters a half-open target does not spend its probe', async () => {
    const s = await startStubBidder(() => ({ body: bid(8) }));
    stubs.push(s);
    const target = await owner.client.POST('/api/rtb/targets', { body: { name: 'CA only', endpointUrl: s.url, states: ['CA'], minBidAmount: 1, maxBidAmount: 100, timeoutMs: 1000 } });
    const id = target.data!.id;
    const created = await createCampaign(owner.client, { name: 'Breaker', phoneNumber: '+12125557101', enableRtb: true, minBiddersRequired: 1, biddingTimeoutMs: 1000 });
    await owner.client.PUT('/api/campaigns/{id}/rtb-targets', { params: { path: { id: created.id } }, body: { assignments: [{ targetId: id }] } });
    const campaign = await t.db.selectFrom('campaigns').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();

    for (let i = 0; i < 5; i++) rtb.breaker.record(id, false, Date.now()); // the target failed: open
    await new Promise((resolve) => setTimeout(resolve, COOL_DOWN_MS + 20)); // cooled down: half-open

    const auction = (state: string) =>
      runCampaignAuction(t.db, rtb, { campaign, caller: { callerId: '+13105557101', callerState: state, callerZip: null }, source: 'inbound_rtb' });
    const texas = await auction('TX');
    expect(texas.result.outcomes[0]).toMatchObject({ status: 'filtered', rejectionReason: 'state_not_allowed' });
    const california = await auction('CA');
    expect(california.result.outcomes[0]).toMatchObject({ status: 'bid', isWinner: true });
    expect(s.received).toHaveLength(1);
  });

  it('health probes answered with a 4xx (the target is up, it refuses a probe without a caller) do not open the circuit', async () => {
    const org = await registerOrg(t, 'Breaker 4xx probe Org');
    // A buyer that needs a caller ID: the probe sends none and gets a 400; live requests get bids.
    const s = await startStubBidder((req) => (JSON.parse(req.body).callerId === null ? { status: 400, body: { error: 'callerId required' } } : { body: bid(9) }));
    stubs.push(s);
    const target = await org.client.POST('/api/rtb/targets', { body: { name: 'Needs a caller', endpointUrl: s.url, minBidAmount: 1, maxBidAmount: 100, timeoutMs: 1000 } });
    const id = target.data!.id;
    const created = await createCampaign(org.client, { name: 'Breaker 4xx', phoneNumber: '+12125557102', enableRtb: true, minBiddersRequired: 1, biddingTimeoutMs: 1000 });
    await org.client.PUT('/api/campaigns/{id}/rtb-targets', { params: { path: { id: created.id } }, body: { assignments: [{ targetId: id }] } });
    const campaign = await t.db.selectFrom('campaigns').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();

    for (let i = 0; i < 6; i++) {
      const [result] = await probeTargets(t.db, rtb, org.orgId);
      expect(result).toMatchObject({ targetId: id, healthy: false, error: 'HTTP 400' });
    }
    expect(rtb.breaker.state(id, Date.now())).toBe('closed');
    const auction = await runCampaignAuction(t.db, rtb, { campaign, caller: { callerId: '+13105557102', callerState: null, callerZip: null }, source: 'inbound_rtb' });
    expect(auction.result.outcomes[0]).toMatchObject({ status: 'bid', isWinner: true, bidAmount: 9 });
  });

  it('a probe whose 200 answer failed (too large, or cut by the timeout) reports that failure, not "HTTP 200"', async () => {
    const org = await registerOrg(t, 'Probe error Org');
    const s = await startStubBidder(() => ({ body: 'x'.repeat(100_000) }));
    stubs.push(s);
    const target = await org.client.POST('/api/rtb/targets', { body: { name: 'Too large', endpointUrl: s.url, timeoutMs: 1000 } });
    const [result] = await probeTargets(t.db, rtb, org.orgId);
    expect(result).toMatchObject({ targetId: target.data!.id, healthy: false, error: 'too_large' });
    const stored = await t.db.selectFrom('rtb_health_checks').select('error').where('target_id', '=', target.data!.id).executeTakeFirstOrThrow();
    expect(stored.error).toBe('too_large');
  });
});
