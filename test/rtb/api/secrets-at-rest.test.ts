// Stored secrets are sealed with SECRETS_KEY (AES-256-GCM): the raw columns (what a copied data
// folder, WAL or dump holds) never contain an RTB target's auth token or a pixel's signing
// secret, while the auction and the pixel worker still use them. Rows written in the clear before
// this change keep working and are sealed at the next start; a wrong key stops the start.
import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueuePixelEvent } from '../../../server/attribution/pixels/enqueue.js';
import { createPixelDispatcher, deliverDuePixels } from '../../../server/attribution/pixels/worker.js';
import { createOutboundPolicy } from '../../../server/platform/http/outbound/url-policy.js';
import { sealStoredSecrets } from '../../../server/platform/common/seal-stored.js';
import { SEALED_PREFIX, SecretKeyError, createSecretBox } from '../../../server/platform/common/secret-box.js';
import { createCampaign, registerOrg, type Member } from '../../helpers/fixtures.js';
import { bid, startStubBidder, type StubBidder } from '../../helpers/stub-bidder.js';
import { startTestApp, TEST_SECRETS_KEY, type TestApp } from '../../helpers/test-app.js';
import { startReceiver, type Receiver } from '../../attribution/pixels/receiver.js';

const TOKEN = 'tok_at_rest_5e4d3c2b1a09f8e7d6c5';
const PIXEL_SECRET = 'pixel-at-rest-secret-0a1b2c3d4e';
const box = createSecretBox(Buffer.from(TEST_SECRETS_KEY, 'hex'));
let t: TestApp;
let owner: Member;
let bidder: StubBidder;
let receiver: Receiver;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'At Rest Org');
  bidder = await startStubBidder(() => ({ body: bid(7) }));
  receiver = await startReceiver();
});
afterAll(async () => {
  await bidder?.close();
  await receiver?.close();
  await t?.close();
});

async function rawTargetToken(id: number): Promise<string | null> {
  const row = await t.rawDb.selectFrom('rtb_targets').select('auth_token').where('id', '=', id).executeTakeFirstOrThrow();
  return row.auth_token;
}

async function campaignWithTarget(name: string, phoneNumber: string) {
  const target = await owner.client.POST('/api/rtb/targets', {
    body: { name, endpointUrl: bidder.url, authMethod: 'bearer', authToken: TOKEN, minBidAmount: 1, maxBidAmount: 100 },
  });
  expect(target.response.status).toBe(201);
  const campaign = await createCampaign(owner.client, { name, phoneNumber, enableRtb: true, minBiddersRequired: 1, biddingTimeoutMs: 1000 });
  await owner.client.PUT('/api/campaigns/{id}/rtb-targets', { params: { path: { id: campaign.id } }, body: { assignments: [{ targetId: target.data!.id }] } });
  return { target: target.data!, campaign };
}

describe('RTB target auth tokens', () => {
  it('are stored sealed, never in the clear, and still authenticate bid requests', async () => {
    const { target, campaign } = await campaignWithTarget('Sealed', '+12125550601');
    const stored = await rawTargetToken(target.id);
    expect(stored).not.toBeNull();
    expect(stored).not.toContain(TOKEN);
    expect(stored!.startsWith(SEALED_PREFIX)).toBe(true);
    // No other form of the token anywhere in the raw row either.
    const raw = await sql<Record<string, unknown>>`SELECT * FROM rtb_targets WHERE id = ${target.id}`.execute(t.rawDb);
    expect(JSON.stringify(raw.rows)).not.toContain(TOKEN);

    const ping = await t.client().POST('/api/rtb/bid/{rtbId}', { params: { path: { rtbId: campaign.rtbId } }, body: { callerId: '+13105550601' } });
    expect(ping.data).toMatchObject({ bidAmount: 7 });
    expect(bidder.received.at(-1)!.headers.authorization).toBe(`Bearer ${TOKEN}`);

    // An update re-seals (a fresh IV each time), and the API still only says a token is set.
    const update = await owner.client.PUT('/api/rtb/targets/{id}', { params: { path: { id: String(target.id) } }, body: { authToken: `${TOKEN}-2` } });
    expect(update.data).toMatchObject({ hasAuthToken: true });
    const resealed = await rawTargetToken(target.id);
    expect(resealed).not.toContain(TOKEN);
    expect(resealed).not.toBe(stored);
    expect(box.open(resealed!, 'auth_token')).toBe(`${TOKEN}-2`);
  });

  it('a token that looks sealed is still sealed as the plaintext it is (it cannot break reads)', async () => {
    const lookalike = `${SEALED_PREFIX}AAAA`;
    const target = await owner.client.POST('/api/rtb/targets', {
      body: { name: 'Lookalike', endpointUrl: bidder.url, authMethod: 'bearer', authToken: lookalike, minBidAmount: 1, maxBidAmount: 100 },
    });
    expect(target.response.status).toBe(201);
    expect(box.open((await rawTargetToken(target.data!.id))!, 'auth_token')).toBe(lookalike);
    expect((await owner.client.GET('/api/rtb/targets')).response.status).toBe(200);
  });

  it('a plaintext row from before keeps working and is sealed at the next start; a wrong key is refused', async () => {
    const { target, campaign } = await campaignWithTarget('Legacy', '+12125550602');
    await t.rawDb.updateTable('rtb_targets').set({ auth_token: 'legacy-plain-token' }).where('id', '=', target.id).execute();
    const ping = await t.client().POST('/api/rtb/bid/{rtbId}', { params: { path: { rtbId: campaign.rtbId } }, body: { callerId: '+13105550602' } });
    expect(ping.data).toMatchObject({ bidAmount: 7 });
    expect(bidder.received.at(-1)!.headers.authorization).toBe('Bearer legacy-plain-token');

    const report = await sealStoredSecrets(t.rawDb, box);
    expect(report.sealed.rtb_targets).toBeGreaterThanOrEqual(1);
    const sealed = await rawTargetToken(target.id);
    expect(sealed).not.toContain('legacy-plain-token');
    expect(box.open(sealed!, 'auth_token')).toBe('legacy-plain-token');
    expect((await sealStoredSecrets(t.rawDb, box)).sealed).toEqual({ rtb_targets: 0, tracking_pixels: 0 });

    const wrongKey = createSecretBox(Buffer.alloc(32, 7));
    await expect(sealStoredSecrets(t.rawDb, wrongKey)).rejects.toBeInstanceOf(SecretKeyError);
    await expect(sealStoredSecrets(t.rawDb, wrongKey)).rejects.toThrow(/cannot be decrypted with SECRETS_KEY/);
  });

  it('a sealed value moved into another secret column does not open there', () => {
    const sealed = box.seal('x', 'auth_token');
    expect(() => box.open(sealed, 'signing_secret')).toThrow(SecretKeyError);
  });
});

describe('tracking-pixel signing secrets', () => {
  it('are stored sealed and still sign deliveries', async () => {
    const pixel = await owner.client.POST('/api/tracking-pixels', {
      body: { name: 'Signed', url: `${receiver.url}/at-rest`, fireOn: ['call_completed'], signingSecret: PIXEL_SECRET },
    });
    expect(pixel.response.status).toBe(201);
    const raw = await t.rawDb.selectFrom('tracking_pixels').select('signing_secret').where('id', '=', pixel.data!.id).executeTakeFirstOrThrow();
    expect(raw.signing_secret).not.toContain(PIXEL_SECRET);
    expect(raw.signing_secret!.startsWith(SEALED_PREFIX)).toBe(true);

    const call = await t.db
      .insertInto('calls')
      .values({ org_id: owner.orgId, call_sid: `CA${'5'.repeat(32)}`, from_number: '+13105550000', to_number: '+16465550000', status: 'completed', status_rank: 4 })
      .returning('id')
      .executeTakeFirstOrThrow();
    await enqueuePixelEvent(t.db, { orgId: owner.orgId, callId: call.id, event: 'call_completed' });
    const policy = createOutboundPolicy(t.config.outboundAllowPrivate);
    const dispatcher = createPixelDispatcher(policy);
    try {
      while ((await deliverDuePixels(t.db, { dispatcher, policy, retryBaseMs: 0 })) > 0);
    } finally {
      await dispatcher.close();
    }
    const request = receiver.requests.find((r) => r.url === '/at-rest');
    expect(request).toBeDefined();
    const [, ts, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(request!.headers['x-ccp-signature']))!;
    // A GET pixel is signed over its path and query as sent (its data is in its URL).
    expect(v1).toBe(createHmac('sha256', PIXEL_SECRET).update(`${ts}.${request!.url}`).digest('hex'));
  });
});
