// Test bids, replay from the ledger, and health checks.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Client, type Member, addMember, createCampaign, registerOrg } from '../../helpers/fixtures.js';
import { bid, startStubBidder, type StubBidder } from '../../helpers/stub-bidder.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

let t: TestApp;
let owner: Member;
let other: Member;
const stubs: StubBidder[] = [];
const SECRET = 'api_key_do_not_leak_42';

beforeAll(async () => {
  t = await startTestApp({ env: { RATE_LIMITS: 'general=100000,login=100000,health=3,rtb=100000' } });
  owner = await registerOrg(t, 'Ops Org');
  other = await registerOrg(t, 'Other Org');
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

async function target(client: Client, url: string, extra: Record<string, unknown> = {}) {
  const { data, response } = await client.POST('/api/rtb/targets', { body: { name: 'Target', endpointUrl: url, minBidAmount: 1, maxBidAmount: 100, timeoutMs: 500, ...extra } });
  expect(response.status).toBe(201);
  return data!;
}

describe('test bid (POST /api/rtb/webhook/{targetId})', () => {
  it('sends the given body, redacts the secret, and judges the answer with the target paths', async () => {
    const s = await stub(() => ({ body: { bid: { amount: '8.75' }, destination: { phone: '+19875554321' }, accepted: true } }));
    const tg = await target(owner.client, s.url, {
      authMethod: 'api_key',
      authToken: SECRET,
      bidAmountPath: '$.bid.amount',
      destinationNumberPath: '$.destination.phone',
      requestBody: `{"requestId": "{requestId}", "key": "${SECRET}"}`,
    });
    const body = { requestId: 'req_123456', campaignId: 'abc123def456', callerId: '+1234567890', minBid: 2.5, maxBid: 25, currency: 'USD' };
    const result = await owner.client.POST('/api/rtb/webhook/{targetId}', { params: { path: { targetId: String(tg.id) } }, body });
    expect(result.response.status).toBe(200);
    expect(JSON.parse(s.received[0]!.body)).toEqual(body);
    expect(s.received[0]!.headers['x-api-key']).toBe(SECRET);
    expect(result.data).toMatchObject({
      targetId: tg.id,
      httpStatus: 200,
      outcome: { status: 'success', isValid: true, bidAmount: 8.75, destinationNumber: '987***4321', rejectionReason: null },
    });

    // Without a body, the template is sent; the secret inside it is redacted in the answer.
    const templated = await owner.client.POST('/api/rtb/webhook/{targetId}', { params: { path: { targetId: String(tg.id) } } });
    expect(s.received[1]!.body).toContain(SECRET);
    expect(templated.data?.requestBody).toContain('[REDACTED]');
    expect(JSON.stringify(templated.data)).not.toContain(SECRET);
  });

  it('reports an unreachable endpoint as an error outcome, and another org’s target as 404', async () => {
    const tg = await target(owner.client, 'http://127.0.0.1:9/bid');
    const result = await owner.client.POST('/api/rtb/webhook/{targetId}', { params: { path: { targetId: String(tg.id) } }, body: {} });
    expect(result.response.status).toBe(200);
    expect(result.data?.outcome).toMatchObject({ status: 'error', isValid: false, rejectionReason: 'connect_error' });
    const foreign = await other.client.POST('/api/rtb/webhook/{targetId}', { params: { path: { targetId: String(tg.id) } }, body: {} });
    expect(foreign.response.status).toBe(404);
    const agent = await addMember(t, owner, 'agent');
    expect((await agent.client.POST('/api/rtb/webhook/{targetId}', { params: { path: { targetId: String(tg.id) } }, body: {} })).response.status).toBe(403);
  });

  it('judges an answer as the auction does: a 5xx is an error, a 200 that is no bid is rejected, a late one a timeout', async () => {
    const failing = await stub(() => ({ status: 503, body: { message: 'down' } }));
    const declining = await stub(() => ({ body: { accepted: false } }));
    const slow = await stub(() => ({ body: bid(5), delayMs: 400 }));
    const outcomeOf = async (url: string, extra: Record<string, unknown> = {}) => {
      const tg = await target(owner.client, url, extra);
      const result = await owner.client.POST('/api/rtb/webhook/{targetId}', { params: { path: { targetId: String(tg.id) } }, body: {} });
      expect(result.response.status).toBe(200);
      return result.data!.outcome;
    };
    expect(await outcomeOf(failing.url)).toMatchObject({ status: 'error', isValid: false, rejectionReason: 'http_503' });
    expect((await outcomeOf(declining.url)).status).toBe('rejected');
    expect(await outcomeOf(slow.url, { timeoutMs: 100 })).toMatchObject({ status: 'timeout', isValid: false });
  });
});

describe('replay (POST /api/rtb/auctions/{id}/replay)', () => {
  it('re-derives the recorded decision from the ledger, by requestId or numeric id; a tampered ledger differs', async () => {
    const a = await stub(() => ({ body: bid(14) }));
    const b = await stub(() => ({ body: bid(19) }));
    const c = await stub(() => ({ status: 500 }));
    const ids = [(await target(owner.client, a.url)).id, (await target(owner.client, b.url)).id, (await target(owner.client, c.url)).id];
    const campaign = await createCampaign(owner.client, { name: 'Replay', phoneNumber: '+12125550777', enableRtb: true, minBiddersRequired: 1, auctionType: 'second_price' });
    await owner.client.PUT('/api/campaigns/{id}/rtb-targets', { params: { path: { id: campaign.id } }, body: { assignments: ids.map((targetId) => ({ targetId })) } });
    const ping = await t.client().POST('/api/rtb/bid/{rtbId}', { params: { path: { rtbId: campaign.rtbId } }, body: { callerId: '+13105550900' } });
    expect(ping.data).toMatchObject({ bidAmount: 14 });
    const row = await t.db.selectFrom('bid_requests').select(['id', 'request_id', 'ledger']).where('campaign_id', '=', campaign.id).executeTakeFirstOrThrow();

    for (const id of [row.request_id, row.id]) {
      const replay = await owner.client.POST('/api/rtb/auctions/{id}/replay', { params: { path: { id } } });
      expect(replay.response.status).toBe(200);
      expect(replay.data).toEqual({
        auctionId: row.request_id,
        matches: true,
        recorded: { status: 'won', winningTargetId: ids[1], winningBidAmount: 19, clearingPrice: 14 },
        replayed: { status: 'won', winningTargetId: ids[1], winningBidAmount: 19, clearingPrice: 14 },
        differences: [],
      });
    }
    // The ledger is JSON text: its targets' tokens are null, never a value.
    expect(row.ledger).toContain('"authToken":null');
    expect(row.ledger).not.toContain('"authToken":"');

    // Change the stored raw answer of the winner: the replay no longer agrees, and says why.
    const ledger = JSON.parse(row.ledger) as { answers: Array<{ targetId: number; body: string | null }> };
    for (const answer of ledger.answers) if (answer.targetId === ids[1]) answer.body = JSON.stringify(bid(3));
    await t.db.updateTable('bid_requests').set({ ledger: JSON.stringify(ledger) }).where('id', '=', row.id).execute();
    const tampered = await owner.client.POST('/api/rtb/auctions/{id}/replay', { params: { path: { id: row.request_id } } });
    expect(tampered.data?.matches).toBe(false);
    expect(tampered.data?.replayed).toMatchObject({ winningTargetId: ids[0], winningBidAmount: 14 });
    expect(tampered.data?.differences.length).toBeGreaterThan(0);

    expect((await other.client.POST('/api/rtb/auctions/{id}/replay', { params: { path: { id: row.request_id } } })).response.status).toBe(404);
    expect((await owner.client.POST('/api/rtb/auctions/{id}/replay', { params: { path: { id: 'req_unknown' } } })).response.status).toBe(404);
  });
});

describe('health checks', () => {
  it('POST probes every active target, stores the results for uptime, and is limited to 3 per minute here; GET only reads them', async () => {
    const up = await stub(() => ({ body: bid(1) }));
    const down = await stub(() => ({ status: 500 }));
    const healthy = await target(other.client, up.url);
    const broken = await target(other.client, down.url);
    await target(other.client, up.url, { isActive: false });

    // Before any probe, the GET has nothing stored to show, and it sends nothing.
    const before = await other.client.GET('/api/rtb/health-checks');
    expect(before.response.status).toBe(200);
    expect(before.data).toMatchObject({ success: true, totalTargets: 0, results: [] });
    expect(up.received.length + down.received.length).toBe(0);

    const report = await other.client.POST('/api/rtb/health-checks');
    expect(report.response.status).toBe(200);
    expect(report.data).toMatchObject({ success: true, totalTargets: 2, healthyTargets: 1, unhealthyTargets: 1 });
    expect(report.data!.results.find((r) => r.targetId === broken.id)).toMatchObject({ healthy: false, error: 'HTTP 500' });
    const rows = await t.db.selectFrom('rtb_health_checks').select(['target_id', 'healthy']).where('org_id', '=', other.orgId).execute();
    expect(rows).toHaveLength(2);
    const uptime = await other.client.GET('/api/rtb/targets/{id}/uptime', { params: { path: { id: String(healthy.id) }, query: { hours: 1 } } });
    expect(uptime.data).toMatchObject({ targetId: healthy.id, uptime: 100, totalChecks: 1, period: '1 hours' });
    const probesSent = up.received.length + down.received.length;

    // The seed's GET answers with the latest stored results, in the same shape, probing nothing
    // (a cross-site navigation can no longer make the server send requests or store rows).
    for (let i = 0; i < 5; i += 1) {
      const read = await other.client.GET('/api/rtb/health-checks');
      expect(read.response.status).toBe(200);
      expect(read.data).toMatchObject({ success: true, totalTargets: 2, healthyTargets: 1, unhealthyTargets: 1 });
      expect(read.data!.results).toEqual(report.data!.results.slice().sort((a, b) => a.targetId - b.targetId));
    }
    expect(up.received.length + down.received.length).toBe(probesSent);
    expect(await t.db.selectFrom('rtb_health_checks').select('id').where('org_id', '=', other.orgId).execute()).toHaveLength(2);

    // Another organisation sees none of these results.
    const stranger = await owner.client.GET('/api/rtb/health-checks');
    expect(stranger.data!.results.some((r) => r.targetId === healthy.id || r.targetId === broken.id)).toBe(false);

    await other.client.POST('/api/rtb/health-checks');
    await other.client.POST('/api/rtb/health-checks');
    const limited = await other.client.POST('/api/rtb/health-checks');
    expect(limited.response.status).toBe(429);
    expect(limited.error?.code).toBe('RATE_LIMIT_EXCEEDED');
    // The latest stored results are what the GET shows after more probes.
    const latest = await other.client.GET('/api/rtb/health-checks');
    expect(latest.data!.results).toHaveLength(2);
  });
});
