// A health probe of a target deleted while the probe was waiting for it: the other results are
// still answered and stored (the probe of the deleted target is dropped), never a 500.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import { bid, startStubBidder, type StubBidder } from '../../helpers/stub-bidder.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

let t: TestApp;
let owner: Member;
const stubs: StubBidder[] = [];

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Probe Delete Org');
});
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((s) => s.close()));
});
afterAll(async () => t.close());

async function target(url: string, name: string) {
  const { data, response } = await owner.client.POST('/api/rtb/targets', { body: { name, endpointUrl: url, minBidAmount: 1, maxBidAmount: 100, timeoutMs: 2000 } });
  expect(response.status).toBe(201);
  return data!;
}

describe('health checks of a target deleted mid-probe', () => {
  it('answer 200 with the remaining targets and store their results', async () => {
    const fast = await startStubBidder(() => ({ body: bid(1) }));
    const slow = await startStubBidder(() => ({ body: bid(1), delayMs: 400 }));
    stubs.push(fast, slow);
    const kept = await target(fast.url, 'Kept');
    const doomed = await target(slow.url, 'Deleted mid-probe');

    const probing = owner.client.POST('/api/rtb/health-checks');
    // Delete the slow target while its probe is in flight.
    for (let i = 0; i < 100 && slow.received.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(slow.received.length).toBe(1);
    const del = await owner.client.DELETE('/api/rtb/targets/{id}', { params: { path: { id: String(doomed.id) } } });
    expect(del.response.status).toBe(204);

    const report = await probing;
    expect(report.response.status).toBe(200);
    expect(report.data!.results.map((r) => r.targetId)).toEqual([kept.id]);
    expect(report.data).toMatchObject({ totalTargets: 1, healthyTargets: 1, unhealthyTargets: 0 });
    const rows = await t.db.selectFrom('rtb_health_checks').select(['target_id', 'healthy']).where('org_id', '=', owner.orgId).execute();
    expect(rows).toEqual([{ target_id: kept.id, healthy: true }]);
  });
});
