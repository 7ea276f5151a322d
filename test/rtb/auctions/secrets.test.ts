// A buyer's auth token is written once and then never seen again: not in API answers, not in
// audit rows or the ledger, not in the logs (captured at trace level), whatever happens.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCampaign, registerOrg } from '../../helpers/fixtures.js';
import { bid, startStubBidder, type StubBidder } from '../../helpers/stub-bidder.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

const TOKEN = 'tok_3f9a8c7e6d5b4a39281706f5e4d3c2b1';
const BASIC = 'buyer-user:pa55-w0rd-secret';
const logLines: string[] = [];
let t: TestApp;
const stubs: StubBidder[] = [];

beforeAll(async () => {
  t = await startTestApp({ logLines });
});
afterAll(async () => {
  await Promise.all(stubs.map((s) => s.close()));
  await t.close();
});

it('never exposes target secrets in responses, audit rows, the ledger or the logs', async () => {
  const owner = await registerOrg(t, 'Secret Org');
  const good = await startStubBidder(() => ({ body: bid(12) }));
  // A careless buyer echoes its own credentials back in an error body.
  const failing = await startStubBidder((req) => ({ status: 500, body: `bad auth: ${req.headers.authorization ?? ''} (${BASIC})` }));
  const slow = await startStubBidder(() => ({ body: bid(30), delayMs: 800 }));
  stubs.push(good, failing, slow);
  const seen: string[] = [];
  const create = async (body: Record<string, unknown>) => {
    const res = await owner.client.POST('/api/rtb/targets', { body: { name: 'Secretive', minBidAmount: 1, maxBidAmount: 100, ...body } as never });
    expect(res.response.status).toBe(201);
    seen.push(JSON.stringify(res.data));
    return res.data!;
  };
  const a = await create({ endpointUrl: good.url, authMethod: 'bearer', authToken: TOKEN, requestBody: `{"token": "${TOKEN}", "id": "{requestId}"}` });
  const b = await create({ endpointUrl: failing.url, authMethod: 'basic', authToken: BASIC });
  const c = await create({ endpointUrl: slow.url, authMethod: 'api_key', authToken: TOKEN, authHeaderName: 'X-Buyer-Key', timeoutMs: 300 });
  await create({ endpointUrl: 'http://127.0.0.1:9/bid', authMethod: 'bearer', authToken: TOKEN });

  const campaign = await createCampaign(owner.client, { name: 'Secret campaign', phoneNumber: '+12125550444', enableRtb: true, minBiddersRequired: 1, biddingTimeoutMs: 500 });
  await owner.client.PUT('/api/campaigns/{id}/rtb-targets', { params: { path: { id: campaign.id } }, body: { assignments: [a, b, c].map((x) => ({ targetId: x.id })) } });
  const ping = await t.client().POST('/api/rtb/bid/{rtbId}', { params: { path: { rtbId: campaign.rtbId } }, body: { callerId: '+13105550777' } });
  expect(ping.data).toMatchObject({ bidAmount: 12 });
  seen.push(JSON.stringify(ping.data));
  expect(good.received[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
  expect(good.received[0]!.body).toContain(TOKEN);

  seen.push(JSON.stringify((await owner.client.POST('/api/rtb/health-checks')).data));
  for (const path of ['/api/rtb/targets', '/api/rtb/bid-requests', '/api/rtb/health-checks'] as const) {
    const res = await owner.client.GET(path);
    seen.push(JSON.stringify(res.data));
  }
  const request = await t.db.selectFrom('bid_requests').select('request_id').where('campaign_id', '=', campaign.id).executeTakeFirstOrThrow();
  seen.push(JSON.stringify((await owner.client.GET('/api/rtb/bid-responses', { params: { query: { requestId: request.request_id } } })).data));
  seen.push(JSON.stringify((await owner.client.GET('/api/rtb/auction-details', { params: { query: { requestId: request.request_id } } })).data));
  for (const target of [a, b, c]) {
    seen.push(JSON.stringify((await owner.client.POST('/api/rtb/webhook/{targetId}', { params: { path: { targetId: String(target.id) } } })).data));
    seen.push(JSON.stringify((await owner.client.GET('/api/rtb/targets/{id}', { params: { path: { id: String(target.id) } } })).data));
  }
  seen.push(JSON.stringify((await owner.client.POST('/api/rtb/auctions/{id}/replay', { params: { path: { id: request.request_id } } })).data));

  const rows = await Promise.all([
    t.db.selectFrom('bid_requests').selectAll().execute(),
    t.db.selectFrom('bid_responses').selectAll().execute(),
    t.db.selectFrom('rtb_health_checks').selectAll().execute(),
    t.db.selectFrom('inbound_bids').selectAll().execute(),
  ]);
  const stored = JSON.stringify(rows);
  const basicB64 = Buffer.from(BASIC).toString('base64');
  for (const secret of [TOKEN, BASIC, basicB64]) {
    expect(seen.filter((text) => text.includes(secret))).toEqual([]);
    expect(stored).not.toContain(secret);
    expect(logLines.join('\n')).not.toContain(secret);
  }
  // The redaction is visible where the secret would have been.
  expect(stored).toContain('[REDACTED]');
  expect(logLines.length).toBeGreaterThan(20);
});
