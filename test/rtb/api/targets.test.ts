import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { components } from '../../../client/index.js';
import { presentTarget } from '../../../server/rtb/targets/mapping.js';
import { loadCampaignTargets } from '../../../server/rtb/targets/queries.js';
import { type Client, type Member, addMember, createCampaign, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

type TargetCreate = components['schemas']['RtbTargetCreate'];

let t: TestApp;
let owner: Member;
let other: Member;

// openapi.yaml, createRtbTarget, example "seed000".
const SEED_000 = {
  name: 'New RTB Target',
  endpointUrl: 'https://buyer.example.com/rtb/bid',
  httpMethod: 'POST',
  contentType: 'application/json',
  authMethod: 'bearer',
  authToken: 'bearer_token_here',
  minBidAmount: 10.0,
  maxBidAmount: 100.0,
  currency: 'USD',
  timeoutMs: 5000,
  isActive: true,
  states: ['CA', 'NY'],
  excludedStates: [],
  zipCodes: [],
  excludedZipCodes: [],
  bidAmountPath: '$.bid.amount',
  destinationNumberPath: '$.destination.phone',
  currencyPath: '$.bid.currency',
  durationPath: '$.requirements.duration',
  acceptancePath: '$.accepted',
} satisfies TargetCreate;

// openapi.yaml, createRtbTarget, example "seed001".
const SEED_001 = {
  name: 'Premium Buyer',
  companyName: 'Premium Corp',
  contactEmail: 'contact@premium.example',
  endpointUrl: 'https://api.premium.example/bid',
  httpMethod: 'POST',
  requestBody: '{"requestId": "{requestId}", "campaignId": "{campaignId}"}',
  bidAmountPath: 'bidAmount',
  destinationNumberPath: 'destinationNumber',
  acceptancePath: 'accepted',
  minBidAmount: 2.5,
  maxBidAmount: 25.0,
  currency: 'USD',
  isActive: true,
} satisfies TargetCreate;

async function createTarget(client: Client, overrides: Partial<TargetCreate> = {}) {
  const { data, response, error } = await client.POST('/api/rtb/targets', {
    body: { name: 'Target', endpointUrl: 'https://bids.example.com/rtb', ...overrides },
  });
  if (response.status !== 201 || !data) throw new Error(`createRtbTarget failed: ${response.status} ${JSON.stringify(error)}`);
  return data;
}

async function targetRow(id: number) {
  return t.db.selectFrom('rtb_targets').selectAll().where('id', '=', id).executeTakeFirst();
}

const path = (id: number | string) => ({ params: { path: { id: String(id) } } });

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'RTB Target Org');
  other = await registerOrg(t, 'Other RTB Org');
});
afterAll(async () => t.close());

describe('RTB targets: create and read', () => {
  it('creates the seed 000 target: 201, the token stored but answered only as hasAuthToken', async () => {
    const { data, response } = await owner.client.POST('/api/rtb/targets', { body: SEED_000 });
    expect(response.status).toBe(201);
    const { authToken: _token, ...visible } = SEED_000;
    expect(data).toEqual({
      ...visible,
      id: expect.any(Number),
      companyName: null,
      contactEmail: null,
      authHeaderName: null,
      hasAuthToken: true,
      requestBody: null,
      maxConcurrentCalls: null,
      hourlyCap: null,
      dailyCap: null,
      monthlyCap: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(data).not.toHaveProperty('authToken');
    expect(JSON.stringify(data)).not.toContain('bearer_token_here');
    const row = await targetRow(data!.id);
    expect(row).toMatchObject({ org_id: owner.orgId, auth_token: 'bearer_token_here', min_bid_amount: '10.0000', max_bid_amount: '100.0000' });
    expect(row?.states).toEqual(['CA', 'NY']);
  });

  it('creates the seed 001 target with the migration defaults for what it leaves out', async () => {
    const { data, response } = await owner.client.POST('/api/rtb/targets', { body: SEED_001 });
    expect(response.status).toBe(201);
    expect(data).toEqual({
      ...SEED_001,
      id: expect.any(Number),
      contentType: 'application/json',
      authMethod: 'none',
      authHeaderName: null,
      hasAuthToken: false,
      timeoutMs: 3000,
      states: [],
      excludedStates: [],
      zipCodes: [],
      excludedZipCodes: [],
      currencyPath: null,
      durationPath: null,
      maxConcurrentCalls: null,
      hourlyCap: null,
      dailyCap: null,
      monthlyCap: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
  });

  it('applies the defaults of a minimal body and stores money with 4 decimals', async () => {
    const target = await createTarget(owner.client, { minBidAmount: 7.123456 });
    expect(target).toMatchObject({
      httpMethod: 'POST',
      contentType: 'application/json',
      authMethod: 'none',
      hasAuthToken: false,
      minBidAmount: 7.1235,
      maxBidAmount: 1000,
      currency: 'USD',
      timeoutMs: 3000,
      isActive: true,
      states: [],
    });
    expect((await targetRow(target.id))?.min_bid_amount).toBe('7.1235');
  });

  it('never answers the auth token: not in the list, one target, an update or a create', async () => {
    const secret = 'sk_live_do_not_leak_42';
    const created = await owner.client.POST('/api/rtb/targets', {
      body: { name: 'Secretive', endpointUrl: 'https://secret.example.com/bid', authMethod: 'basic', authToken: secret },
    });
    const id = created.data!.id;
    const list = await owner.client.GET('/api/rtb/targets');
    const one = await owner.client.GET('/api/rtb/targets/{id}', path(id));
    const put = await owner.client.PUT('/api/rtb/targets/{id}', { ...path(id), body: { name: 'Still secretive' } });
    const manager = await addMember(t, owner, 'manager');
    const managerList = await manager.client.GET('/api/rtb/targets');
    for (const res of [created, list, one, put, managerList]) {
      expect(res.response.status).toBeLessThan(300);
      const text = JSON.stringify(res.data);
      expect(text).not.toContain(secret);
      expect(text).not.toContain('authToken');
    }
    expect(list.data?.find((x) => x.id === id)?.hasAuthToken).toBe(true);
    expect(one.data?.hasAuthToken).toBe(true);
    expect(put.data).toMatchObject({ name: 'Still secretive', hasAuthToken: true, authMethod: 'basic' });
    const row = await targetRow(id);
    expect(row?.auth_token).toBe(secret);
    // The mapping itself drops the token (the response serializer would also strip it).
    const presented = presentTarget(row!);
    expect(presented).not.toHaveProperty('authToken');
    expect(JSON.stringify(presented)).not.toContain(secret);
  });

  it("never answers a basic token's password, nor its Basic form, where a request template carries it", async () => {
    const password = 'hunter2-buyer-pass';
    const basic = Buffer.from(`buyer:${password}`).toString('base64');
    const created = await owner.client.POST('/api/rtb/targets', {
      body: {
        name: 'Basic in body',
        endpointUrl: 'https://basic.example.com/bid',
        authMethod: 'basic',
        authToken: `buyer:${password}`,
        requestBody: `{"user": "buyer", "password": "${password}", "header": "Basic ${basic}", "id": "{requestId}"}`,
      },
    });
    expect(created.response.status).toBe(201);
    const manager = await addMember(t, owner, 'manager');
    const one = await manager.client.GET('/api/rtb/targets/{id}', path(created.data!.id));
    for (const res of [created, one]) {
      const text = JSON.stringify(res.data);
      expect(text).not.toContain(password);
      expect(text).not.toContain(basic);
      expect(res.data?.requestBody).toContain('"id": "{requestId}"');
    }
  });

  it('lists only the organisation\'s targets, by id', async () => {
    const mine = await createTarget(owner.client, { name: 'Mine' });
    const theirs = await createTarget(other.client, { name: 'Theirs' });
    const list = await owner.client.GET('/api/rtb/targets');
    const ids = list.data!.map((x) => x.id);
    expect(ids).toContain(mine.id);
    expect(ids).not.toContain(theirs.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });
});

describe('RTB targets: validation', () => {
  it('refuses minBidAmount > maxBidAmount, naming maxBidAmount', async () => {
    const { error, response } = await owner.client.POST('/api/rtb/targets', {
      body: { name: 'Upside down', endpointUrl: 'https://bids.example.com/', minBidAmount: 50, maxBidAmount: 10 },
    });
    expect(response.status).toBe(400);
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', details: { maxBidAmount: expect.any(String) } });
    // Against the default maximum (1000) too.
    const overDefault = await owner.client.POST('/api/rtb/targets', {
      body: { name: 'Over default', endpointUrl: 'https://bids.example.com/', minBidAmount: 1500 },
    });
    expect(overDefault.response.status).toBe(400);
    expect(overDefault.error?.details).toMatchObject({ maxBidAmount: expect.any(String) });
    const equal = await owner.client.POST('/api/rtb/targets', {
      body: { name: 'Equal', endpointUrl: 'https://bids.example.com/', minBidAmount: 10, maxBidAmount: 10 },
    });
    expect(equal.response.status).toBe(201);
  });

  it('compares an update with the stored amounts', async () => {
    const target = await createTarget(owner.client, { minBidAmount: 10, maxBidAmount: 100 });
    const tooHighMin = await owner.client.PUT('/api/rtb/targets/{id}', { ...path(target.id), body: { minBidAmount: 150 } });
    expect(tooHighMin.response.status).toBe(400);
    expect(tooHighMin.error?.details).toMatchObject({ maxBidAmount: expect.any(String) });
    const tooLowMax = await owner.client.PUT('/api/rtb/targets/{id}', { ...path(target.id), body: { maxBidAmount: 5 } });
    expect(tooLowMax.response.status).toBe(400);
    expect(tooLowMax.error?.details).toMatchObject({ maxBidAmount: expect.any(String) });
    const both = await owner.client.PUT('/api/rtb/targets/{id}', { ...path(target.id), body: { minBidAmount: 150, maxBidAmount: 200 } });
    expect(both.response.status).toBe(200);
    expect(both.data).toMatchObject({ minBidAmount: 150, maxBidAmount: 200 });
    const row = await targetRow(target.id);
    expect(row).toMatchObject({ min_bid_amount: '150.0000', max_bid_amount: '200.0000' });
  });

  it('requires a token for every auth method but none, naming authToken', async () => {
    for (const authMethod of ['bearer', 'basic', 'api_key'] as const) {
      const { error, response } = await owner.client.POST('/api/rtb/targets', {
        body: { name: 'No token', endpointUrl: 'https://bids.example.com/', authMethod },
      });
      expect(response.status).toBe(400);
      expect(error).toMatchObject({ code: 'VALIDATION_ERROR', details: { authToken: expect.any(String) } });
      const explicitNull = await owner.client.POST('/api/rtb/targets', {
        body: { name: 'Null token', endpointUrl: 'https://bids.example.com/', authMethod, authToken: null },
      });
      expect(explicitNull.response.status).toBe(400);
      expect(explicitNull.error?.details).toMatchObject({ authToken: expect.any(String) });
    }
  });

  it('defaults an api_key target\'s header to X-API-Key and keeps a named one', async () => {
    const plain = await createTarget(owner.client, { authMethod: 'api_key', authToken: 'key-1' });
    expect(plain).toMatchObject({ authMethod: 'api_key', authHeaderName: 'X-API-Key', hasAuthToken: true });
    expect((await targetRow(plain.id))?.auth_header_name).toBe('X-API-Key');
    const named = await createTarget(owner.client, { authMethod: 'api_key', authToken: 'key-2', authHeaderName: 'X-Buyer-Key' });
    expect(named.authHeaderName).toBe('X-Buyer-Key');
  });

  it('refuses an api_key header the bid request sets itself or HTTP reserves, naming authHeaderName', async () => {
    // Sent in Content-Length, Transfer-Encoding, Expect, Upgrade or Keep-Alive every bid failed in
    // the HTTP client; in Content-Type or Connection the token was overwritten or dropped.
    for (const authHeaderName of ['Content-Length', 'transfer-encoding', 'Expect', 'Upgrade', 'Keep-Alive', 'Content-Type', 'Connection', 'Host', 'TE']) {
      const created = await owner.client.POST('/api/rtb/targets', {
        body: { name: 'Reserved header', endpointUrl: 'https://bids.example.com/', authMethod: 'api_key', authToken: 'key-r', authHeaderName },
      });
      expect(created.response.status, authHeaderName).toBe(400);
      expect(created.error?.details, authHeaderName).toMatchObject({ authHeaderName: expect.any(String) });
    }
    // On update too, judged with the stored method.
    const target = await createTarget(owner.client, { authMethod: 'api_key', authToken: 'key-u' });
    const updated = await owner.client.PUT('/api/rtb/targets/{id}', { ...path(target.id), body: { authHeaderName: 'content-length' } });
    expect(updated.response.status).toBe(400);
    expect(updated.error?.details).toMatchObject({ authHeaderName: expect.any(String) });
    expect((await targetRow(target.id))?.auth_header_name).toBe('X-API-Key');
  });

  it('considers the stored token on update', async () => {
    const target = await createTarget(owner.client, { authMethod: 'bearer', authToken: 'stored-token' });
    // Switching method keeps the stored token: allowed, and api_key gets its default header.
    const switched = await owner.client.PUT('/api/rtb/targets/{id}', { ...path(target.id), body: { authMethod: 'api_key' } });
    expect(switched.response.status).toBe(200);
    expect(switched.data).toMatchObject({ authMethod: 'api_key', authHeaderName: 'X-API-Key', hasAuthToken: true });
    // Clearing the token while a method needs it is refused, and nothing changes.
    const cleared = await owner.client.PUT('/api/rtb/targets/{id}', { ...path(target.id), body: { authToken: null } });
    expect(cleared.response.status).toBe(400);
    expect(cleared.error?.details).toMatchObject({ authToken: expect.any(String) });
    expect((await targetRow(target.id))?.auth_token).toBe('stored-token');
    // A target without a token cannot take a method that needs one.
    const bare = await createTarget(owner.client);
    const needsToken = await owner.client.PUT('/api/rtb/targets/{id}', { ...path(bare.id), body: { authMethod: 'bearer' } });
    expect(needsToken.response.status).toBe(400);
    expect(needsToken.error?.details).toMatchObject({ authToken: expect.any(String) });
  });

  it('refuses private, internal and non-http endpoint URLs, naming endpointUrl', async () => {
    for (const endpointUrl of ['http://169.254.169.254/', 'http://10.0.0.1/', 'http://localhost:1/', 'ftp://x', 'ftp://bids.example.com/']) {
      const { error, response } = await owner.client.POST('/api/rtb/targets', { body: { name: 'Bad URL', endpointUrl } });
      expect(response.status, endpointUrl).toBe(400);
      expect(error, endpointUrl).toMatchObject({ code: 'VALIDATION_ERROR', details: { endpointUrl: expect.any(String) } });
    }
    const target = await createTarget(owner.client);
    const put = await owner.client.PUT('/api/rtb/targets/{id}', { ...path(target.id), body: { endpointUrl: 'http://169.254.169.254/latest/meta-data' } });
    expect(put.response.status).toBe(400);
    expect(put.error?.details).toMatchObject({ endpointUrl: expect.any(String) });
    expect((await targetRow(target.id))?.endpoint_url).toBe(target.endpointUrl);
  });

  it('accepts http://127.0.0.1:9/, which the test server allow-lists', async () => {
    const { data, response } = await owner.client.POST('/api/rtb/targets', { body: { name: 'Local', endpointUrl: 'http://127.0.0.1:9/' } });
    expect(response.status).toBe(201);
    expect(data?.endpointUrl).toBe('http://127.0.0.1:9/');
    const put = await owner.client.PUT('/api/rtb/targets/{id}', { ...path(data!.id), body: { endpointUrl: 'http://127.0.0.1:9/bid' } });
    expect(put.data?.endpointUrl).toBe('http://127.0.0.1:9/bid');
  });

  it('refuses unknown fields (no mass assignment) and an empty update', async () => {
    const post = await owner.client.POST('/api/rtb/targets', { body: { name: 'X', endpointUrl: 'https://bids.example.com/', hasAuthToken: true } as never });
    expect(post.response.status).toBe(400);
    expect(post.error?.details).toMatchObject({ hasAuthToken: 'is not allowed' });
    const target = await createTarget(owner.client);
    const empty = await owner.client.PUT('/api/rtb/targets/{id}', { ...path(target.id), body: {} as never });
    expect(empty.response.status).toBe(400);
    const orgId = await owner.client.PUT('/api/rtb/targets/{id}', { ...path(target.id), body: { orgId: other.orgId } as never });
    expect(orgId.response.status).toBe(400);
    expect((await targetRow(target.id))?.org_id).toBe(owner.orgId);
  });
});

describe('RTB targets: update and delete', () => {
  it('updates only the fields sent (seed 000 update body)', async () => {
    const created = await owner.client.POST('/api/rtb/targets', { body: SEED_000 });
    const target = created.data!;
    const { data, response } = await owner.client.PUT('/api/rtb/targets/{id}', {
      ...path(target.id),
      body: { name: 'Updated RTB Target', isActive: false, minBidAmount: 15.0 },
    });
    expect(response.status).toBe(200);
    expect(data).toEqual({ ...target, name: 'Updated RTB Target', isActive: false, minBidAmount: 15, updatedAt: expect.any(String) });
  });

  it('clears the token with null (together with a method that needs none)', async () => {
    const target = await createTarget(owner.client, { authMethod: 'bearer', authToken: 'to-be-cleared' });
    const { data, response } = await owner.client.PUT('/api/rtb/targets/{id}', { ...path(target.id), body: { authMethod: 'none', authToken: null } });
    expect(response.status).toBe(200);
    expect(data).toMatchObject({ authMethod: 'none', hasAuthToken: false });
    expect((await targetRow(target.id))?.auth_token).toBeNull();
    // And sets a new one.
    const again = await owner.client.PUT('/api/rtb/targets/{id}', { ...path(target.id), body: { authMethod: 'bearer', authToken: 'new-token' } });
    expect(again.data).toMatchObject({ authMethod: 'bearer', hasAuthToken: true });
    expect((await targetRow(target.id))?.auth_token).toBe('new-token');
  });

  it('forgets the stored token when endpointUrl moves to another scheme, host or port, unless the request sends one', async () => {
    // The attack: a manager points a target at their own host to read the write-only token on the next bid.
    for (const endpointUrl of ['https://attacker.example.net/rtb', 'http://bids.example.com/rtb', 'https://bids.example.com:8443/rtb']) {
      const target = await createTarget(owner.client, { endpointUrl: 'https://bids.example.com/rtb', authMethod: 'bearer', authToken: 'secret-token' });
      const moved = await owner.client.PUT('/api/rtb/targets/{id}', { ...path(target.id), body: { endpointUrl } });
      expect(moved.response.status, endpointUrl).toBe(200);
      expect(moved.data, endpointUrl).toMatchObject({ endpointUrl, authMethod: 'none', hasAuthToken: false });
      expect((await targetRow(target.id))?.auth_token, endpointUrl).toBeNull();
    }
    // A new path on the same origin (an explicit default port included) keeps it.
    const samePlace = await createTarget(owner.client, { endpointUrl: 'https://bids.example.com/rtb', authMethod: 'bearer', authToken: 'kept-token' });
    const repathed = await owner.client.PUT('/api/rtb/targets/{id}', { ...path(samePlace.id), body: { endpointUrl: 'https://BIDS.example.com:443/v2/bid' } });
    expect(repathed.data).toMatchObject({ authMethod: 'bearer', hasAuthToken: true });
    expect((await targetRow(samePlace.id))?.auth_token).toBe('kept-token');
    // The same request may set the credentials again for the new host.
    const resent = await owner.client.PUT('/api/rtb/targets/{id}', {
      ...path(samePlace.id),
      body: { endpointUrl: 'https://new-buyer.example.org/bid', authToken: 'new-host-token' },
    });
    expect(resent.data).toMatchObject({ authMethod: 'bearer', hasAuthToken: true });
    expect((await targetRow(samePlace.id))?.auth_token).toBe('new-host-token');
    // Asking for a method that needs a token without sending one is refused, changing nothing.
    const noToken = await owner.client.PUT('/api/rtb/targets/{id}', {
      ...path(samePlace.id),
      body: { endpointUrl: 'https://elsewhere.example.org/bid', authMethod: 'api_key' },
    });
    expect(noToken.response.status).toBe(400);
    expect(noToken.error?.details).toMatchObject({ authToken: expect.any(String) });
    expect((await targetRow(samePlace.id))?.auth_token).toBe('new-host-token');
  });

  it('refuses a change that drops the stored token while the kept request template carries it, naming requestBody', async () => {
    // The template is redacted with the stored token's forms: once the token is forgotten, cleared,
    // replaced or read under another method, the kept template would show it whole (and a moved
    // target would send it to the new host).
    const secret = 'buyer-secret-in-template';
    const password = 'basic-pass-in-template';
    const cases = [
      { auth: { authMethod: 'bearer', authToken: secret }, change: { endpointUrl: 'https://attacker.example.net/rtb' }, hidden: secret },
      { auth: { authMethod: 'bearer', authToken: secret }, change: { authMethod: 'none', authToken: null }, hidden: secret },
      { auth: { authMethod: 'bearer', authToken: secret }, change: { authToken: 'a-new-token' }, hidden: secret },
      { auth: { authMethod: 'basic', authToken: `buyer:${password}` }, change: { authMethod: 'bearer' }, hidden: password },
    ] as const;
    for (const { auth, change, hidden } of cases) {
      const requestBody = `{"key": "${hidden}", "id": "{requestId}"}`;
      const target = await createTarget(owner.client, { endpointUrl: 'https://bids.example.com/rtb', ...auth, requestBody });
      const before = await targetRow(target.id);
      const res = await owner.client.PUT('/api/rtb/targets/{id}', { ...path(target.id), body: change });
      expect(res.response.status, JSON.stringify(change)).toBe(400);
      expect(res.error?.details, JSON.stringify(change)).toMatchObject({ requestBody: expect.any(String) });
      expect(JSON.stringify(res.error)).not.toContain(hidden);
      expect(await targetRow(target.id)).toEqual(before);
      const read = await owner.client.GET('/api/rtb/targets/{id}', path(target.id));
      expect(JSON.stringify(read.data)).not.toContain(hidden);
      // Sent together with a template of its own, the change is made.
      const resent = await owner.client.PUT('/api/rtb/targets/{id}', { ...path(target.id), body: { ...change, requestBody: '{"id": "{requestId}"}' } });
      expect(resent.response.status, JSON.stringify(change)).toBe(200);
      expect(resent.data?.requestBody).toBe('{"id": "{requestId}"}');
    }
    // A template without the token is kept as before.
    const plain = await createTarget(owner.client, { authMethod: 'bearer', authToken: secret, requestBody: '{"id": "{requestId}"}' });
    const moved = await owner.client.PUT('/api/rtb/targets/{id}', { ...path(plain.id), body: { endpointUrl: 'https://attacker.example.net/rtb' } });
    expect(moved.response.status).toBe(200);
    expect(moved.data).toMatchObject({ authMethod: 'none', hasAuthToken: false, requestBody: '{"id": "{requestId}"}' });
  });

  it('writes lists and nullable fields', async () => {
    const target = await createTarget(owner.client, { states: ['CA'], dailyCap: 5 });
    const { data } = await owner.client.PUT('/api/rtb/targets/{id}', {
      ...path(target.id),
      body: { states: ['TX', 'FL'], excludedZipCodes: ['12345'], dailyCap: null, maxConcurrentCalls: 4, requestBody: '{"id":"{requestId}"}' },
    });
    expect(data).toMatchObject({ states: ['TX', 'FL'], excludedZipCodes: ['12345'], dailyCap: null, maxConcurrentCalls: 4, requestBody: '{"id":"{requestId}"}' });
    const row = await targetRow(target.id);
    expect(row?.states).toEqual(['TX', 'FL']);
    expect(row?.excluded_zip_codes).toEqual(['12345']);
  });

  it('answers 404 for a malformed id or another organisation\'s target, and leaves it untouched', async () => {
    const theirs = await createTarget(other.client, { name: 'Not yours' });
    for (const id of ['abc', '0', '-1', '1.5', '99999999999', String(theirs.id), '2147483647']) {
      const get = await owner.client.GET('/api/rtb/targets/{id}', path(id));
      expect(get.response.status, id).toBe(404);
      expect(get.error?.code).toBe('RESOURCE_NOT_FOUND');
      const put = await owner.client.PUT('/api/rtb/targets/{id}', { ...path(id), body: { name: 'Hijacked' } });
      expect(put.response.status, id).toBe(404);
      const del = await owner.client.DELETE('/api/rtb/targets/{id}', path(id));
      expect(del.response.status, id).toBe(404);
      const uptime = await owner.client.GET('/api/rtb/targets/{id}/uptime', path(id));
      expect(uptime.response.status, id).toBe(404);
    }
    // Another organisation's target is 404 even when the update itself would be invalid.
    const invalid = await owner.client.PUT('/api/rtb/targets/{id}', { ...path(theirs.id), body: { minBidAmount: 5000 } });
    expect(invalid.response.status).toBe(404);
    expect(await targetRow(theirs.id)).toMatchObject({ name: 'Not yours', org_id: other.orgId });
  });

  it('deletes a target', async () => {
    const target = await createTarget(owner.client);
    const del = await owner.client.DELETE('/api/rtb/targets/{id}', path(target.id));
    expect(del.response.status).toBe(204);
    expect((await owner.client.GET('/api/rtb/targets/{id}', path(target.id))).response.status).toBe(404);
    expect(await targetRow(target.id)).toBeUndefined();
  });

  it('applies the role matrix: agents nothing (bid endpoints, prices), managers read and write, admins delete', async () => {
    const target = await createTarget(owner.client, { name: 'Roles' });
    const agent = await addMember(t, owner, 'agent');
    const manager = await addMember(t, owner, 'manager');
    const admin = await addMember(t, owner, 'admin');
    expect((await agent.client.GET('/api/rtb/targets')).response.status).toBe(403);
    expect((await agent.client.GET('/api/rtb/targets/{id}', path(target.id))).response.status).toBe(403);
    expect((await agent.client.GET('/api/rtb/targets/{id}/uptime', path(target.id))).response.status).toBe(403);
    expect((await manager.client.GET('/api/rtb/targets')).response.status).toBe(200);
    expect((await manager.client.GET('/api/rtb/targets/{id}', path(target.id))).response.status).toBe(200);
    expect((await manager.client.GET('/api/rtb/targets/{id}/uptime', path(target.id))).response.status).toBe(200);
    const agentCreate = await agent.client.POST('/api/rtb/targets', { body: { name: 'Nope', endpointUrl: 'https://bids.example.com/' } });
    expect(agentCreate.response.status).toBe(403);
    expect(agentCreate.error?.code).toBe('FORBIDDEN');
    expect((await agent.client.PUT('/api/rtb/targets/{id}', { ...path(target.id), body: { name: 'Nope' } })).response.status).toBe(403);
    expect((await manager.client.POST('/api/rtb/targets', { body: { name: 'Yes', endpointUrl: 'https://bids.example.com/' } })).response.status).toBe(201);
    expect((await manager.client.PUT('/api/rtb/targets/{id}', { ...path(target.id), body: { name: 'Managed' } })).response.status).toBe(200);
    expect((await manager.client.DELETE('/api/rtb/targets/{id}', path(target.id))).response.status).toBe(403);
    expect((await owner.client.GET('/api/rtb/targets/{id}', path(target.id))).data?.name).toBe('Managed');
    expect((await admin.client.DELETE('/api/rtb/targets/{id}', path(target.id))).response.status).toBe(204);
    expect((await t.client().GET('/api/rtb/targets')).response.status).toBe(401);
  });
});

describe('RTB targets: campaign assignments', () => {
  it('replaces and lists a campaign\'s targets by priority', async () => {
    const campaign = await createCampaign(owner.client, { name: 'RTB campaign' });
    const a = await createTarget(owner.client, { name: 'Alpha' });
    const b = await createTarget(owner.client, { name: 'Beta' });
    const c = await createTarget(owner.client, { name: 'Gamma' });
    const campaignPath = { params: { path: { id: campaign.id } } };

    const empty = await owner.client.GET('/api/campaigns/{id}/rtb-targets', campaignPath);
    expect(empty.response.status).toBe(200);
    expect(empty.data).toEqual([]);

    const put = await owner.client.PUT('/api/campaigns/{id}/rtb-targets', {
      ...campaignPath,
      body: { assignments: [{ targetId: a.id, priority: 2 }, { targetId: b.id, priority: 1, isActive: false }, { targetId: c.id }] },
    });
    expect(put.response.status).toBe(200);
    expect(put.data).toEqual([
      { campaignId: campaign.id, rtbTargetId: b.id, targetName: 'Beta', priority: 1, isActive: false, createdAt: expect.any(String) },
      { campaignId: campaign.id, rtbTargetId: c.id, targetName: 'Gamma', priority: 1, isActive: true, createdAt: expect.any(String) },
      { campaignId: campaign.id, rtbTargetId: a.id, targetName: 'Alpha', priority: 2, isActive: true, createdAt: expect.any(String) },
    ].sort((x, y) => x.priority - y.priority || x.rtbTargetId - y.rtbTargetId));
    const list = await owner.client.GET('/api/campaigns/{id}/rtb-targets', campaignPath);
    expect(list.data).toEqual(put.data);

    // The whole set is replaced.
    const replaced = await owner.client.PUT('/api/campaigns/{id}/rtb-targets', { ...campaignPath, body: { assignments: [{ targetId: c.id, priority: 5 }] } });
    expect(replaced.data?.map((x) => [x.rtbTargetId, x.priority])).toEqual([[c.id, 5]]);
    const rows = await t.db.selectFrom('campaign_rtb_targets').selectAll().where('campaign_id', '=', campaign.id).execute();
    expect(rows.map((r) => r.target_id)).toEqual([c.id]);

    const cleared = await owner.client.PUT('/api/campaigns/{id}/rtb-targets', { ...campaignPath, body: { assignments: [] } });
    expect(cleared.response.status).toBe(200);
    expect(cleared.data).toEqual([]);
  });

  it('refuses another organisation\'s, unknown or repeated targets, naming assignments[i].targetId, changing nothing', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Guarded assignments' });
    const mine = await createTarget(owner.client, { name: 'Mine' });
    const theirs = await createTarget(other.client, { name: 'Theirs' });
    const campaignPath = { params: { path: { id: campaign.id } } };
    await owner.client.PUT('/api/campaigns/{id}/rtb-targets', { ...campaignPath, body: { assignments: [{ targetId: mine.id }] } });

    const foreign = await owner.client.PUT('/api/campaigns/{id}/rtb-targets', {
      ...campaignPath,
      body: { assignments: [{ targetId: mine.id }, { targetId: theirs.id }] },
    });
    expect(foreign.response.status).toBe(400);
    expect(foreign.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { 'assignments[1].targetId': expect.any(String) } });
    expect(Object.keys(foreign.error?.details as object)).toEqual(['assignments[1].targetId']);

    const unknown = await owner.client.PUT('/api/campaigns/{id}/rtb-targets', { ...campaignPath, body: { assignments: [{ targetId: 2147483647 }] } });
    expect(unknown.response.status).toBe(400);
    expect(unknown.error?.details).toMatchObject({ 'assignments[0].targetId': expect.any(String) });

    const duplicate = await owner.client.PUT('/api/campaigns/{id}/rtb-targets', {
      ...campaignPath,
      body: { assignments: [{ targetId: mine.id, priority: 1 }, { targetId: mine.id, priority: 2 }] },
    });
    expect(duplicate.response.status).toBe(400);
    expect(duplicate.error?.details).toMatchObject({ 'assignments[1].targetId': expect.any(String) });

    const list = await owner.client.GET('/api/campaigns/{id}/rtb-targets', campaignPath);
    expect(list.data?.map((x) => x.rtbTargetId)).toEqual([mine.id]);
  });

  it('answers 404 for another organisation\'s campaign or a malformed id', async () => {
    const theirCampaign = await createCampaign(other.client, { name: 'Their campaign' });
    const theirTarget = await createTarget(other.client, { name: 'Their target' });
    await other.client.PUT('/api/campaigns/{id}/rtb-targets', {
      params: { path: { id: theirCampaign.id } },
      body: { assignments: [{ targetId: theirTarget.id }] },
    });
    const mine = await createTarget(owner.client);
    for (const id of [theirCampaign.id, 'not-a-uuid', '00000000-0000-4000-8000-000000000000']) {
      const get = await owner.client.GET('/api/campaigns/{id}/rtb-targets', { params: { path: { id } } });
      expect(get.response.status, id).toBe(404);
      expect(get.error?.code).toBe('RESOURCE_NOT_FOUND');
      const put = await owner.client.PUT('/api/campaigns/{id}/rtb-targets', { params: { path: { id } }, body: { assignments: [{ targetId: mine.id }] } });
      expect(put.response.status, id).toBe(404);
    }
    const theirs = await other.client.GET('/api/campaigns/{id}/rtb-targets', { params: { path: { id: theirCampaign.id } } });
    expect(theirs.data?.map((x) => x.rtbTargetId)).toEqual([theirTarget.id]);
  });

  it('applies the role matrix to assignments and drops them with the target', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Assignment roles' });
    const target = await createTarget(owner.client);
    const agent = await addMember(t, owner, 'agent');
    const manager = await addMember(t, owner, 'manager');
    const campaignPath = { params: { path: { id: campaign.id } } };
    const body = { assignments: [{ targetId: target.id }] };
    expect((await agent.client.PUT('/api/campaigns/{id}/rtb-targets', { ...campaignPath, body })).response.status).toBe(403);
    expect((await manager.client.PUT('/api/campaigns/{id}/rtb-targets', { ...campaignPath, body })).response.status).toBe(200);
    expect((await agent.client.GET('/api/campaigns/{id}/rtb-targets', campaignPath)).response.status).toBe(403);
    const managerList = await manager.client.GET('/api/campaigns/{id}/rtb-targets', campaignPath);
    expect(managerList.data?.map((x) => x.rtbTargetId)).toEqual([target.id]);
    await owner.client.DELETE('/api/rtb/targets/{id}', path(target.id));
    expect((await owner.client.GET('/api/campaigns/{id}/rtb-targets', campaignPath)).data).toEqual([]);
  });

  it('loads the auction\'s view of the assigned targets (loadCampaignTargets)', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Auction view' });
    // Created first (lowest id) but last by priority: the order must follow priority, then id.
    const paused = await createTarget(owner.client, { name: 'Paused assignment' });
    const inactiveTarget = await createTarget(owner.client, { name: 'Inactive target', isActive: false });
    const keyed = await createTarget(owner.client, { name: 'Keyed', authMethod: 'api_key', authToken: 'the-key', minBidAmount: 3.5, states: ['CA'] });
    await owner.client.PUT('/api/campaigns/{id}/rtb-targets', {
      params: { path: { id: campaign.id } },
      body: {
        assignments: [
          { targetId: paused.id, priority: 3, isActive: false },
          { targetId: inactiveTarget.id, priority: 2 },
          { targetId: keyed.id, priority: 2 },
        ],
      },
    });
    const configs = await loadCampaignTargets(t.db, owner.orgId, campaign.id);
    expect(configs.map((c) => [c.id, c.priority, c.isActive])).toEqual([
      [inactiveTarget.id, 2, false],
      [keyed.id, 2, true],
      [paused.id, 3, false],
    ]);
    expect(configs.find((c) => c.id === keyed.id)).toMatchObject({
      name: 'Keyed',
      authMethod: 'api_key',
      authToken: 'the-key',
      authHeaderName: 'X-API-Key',
      minBidAmount: 3.5,
      maxBidAmount: 1000,
      states: ['CA'],
      timeoutMs: 3000,
    });
    expect(await loadCampaignTargets(t.db, other.orgId, campaign.id)).toEqual([]);
  });
});

describe('RTB targets: uptime', () => {
  const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);

  async function insertBidRequest(orgId: string, requestId: string) {
    const now = new Date();
    const row = await t.db
      .insertInto('bid_requests')
      .values({
        org_id: orgId,
        request_id: requestId,
        call_start_time: now,
        source: 'call',
        auction_type: 'first_price',
        status: 'no_valid_bids',
        total_targets_pinged: 1,
        successful_responses: 0,
        bidding_started_at: now,
        bidding_completed_at: now,
        total_response_time_ms: 10,
        ledger: '{}',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  it('computes the percentage of healthy probes and live answers over the window', async () => {
    const target = await createTarget(owner.client, { name: 'Uptime' });
    const bystander = await createTarget(owner.client, { name: 'Bystander' });
    // Probes: 3 healthy and 1 unhealthy within 24 hours; 1 unhealthy 30 hours ago.
    const probe = (healthy: boolean, at: Date, targetId = target.id) => ({
      org_id: owner.orgId,
      target_id: targetId,
      healthy,
      checked_at: at,
      response_time_ms: 100,
      error: healthy ? null : 'HTTP 500',
    });
    await t.db
      .insertInto('rtb_health_checks')
      .values([
        probe(true, hoursAgo(0.5)),
        probe(true, hoursAgo(2)),
        probe(true, hoursAgo(3)),
        probe(false, hoursAgo(4)),
        probe(false, hoursAgo(30)),
        probe(false, hoursAgo(0.5), bystander.id),
      ])
      .execute();
    // Live answers within 24 hours: success and rejected/200 are healthy; rejected/503, timeout and
    // error are not; filtered does not count. One success 30 hours ago.
    const requestPk = await insertBidRequest(owner.orgId, 'req_uptime_1');
    const answer = (status: 'success' | 'rejected' | 'filtered' | 'timeout' | 'error', httpStatus: number | null, at: Date, targetId = target.id) => ({
      org_id: owner.orgId,
      bid_request_id: requestPk,
      request_id: 'req_uptime_1',
      rtb_target_id: targetId,
      target_name: 'Uptime',
      status,
      http_status: httpStatus,
      is_valid: status === 'success',
      is_winning_bid: false,
      created_at: at,
    });
    await t.db
      .insertInto('bid_responses')
      .values([
        answer('success', 200, hoursAgo(0.5)),
        answer('rejected', 200, hoursAgo(2)),
        answer('rejected', 503, hoursAgo(2)),
        answer('timeout', null, hoursAgo(3)),
        answer('error', null, hoursAgo(5)),
        answer('filtered', null, hoursAgo(0.5)),
        answer('filtered', null, hoursAgo(2)),
        answer('success', 200, hoursAgo(30)),
        answer('error', 500, hoursAgo(0.5), bystander.id),
      ])
      .execute();

    // 24 hours: probes 3/4 healthy, answers 2/5 healthy -> 5 of 9 = 55.56 %.
    const day = await owner.client.GET('/api/rtb/targets/{id}/uptime', path(target.id));
    expect(day.response.status).toBe(200);
    expect(day.data).toEqual({ success: true, targetId: target.id, period: '24 hours', uptime: 55.56, totalChecks: 9, timestamp: expect.any(String) });

    // 48 hours adds the unhealthy probe and the healthy answer from 30 hours ago: 6 of 11 = 54.55 %.
    const two = await owner.client.GET('/api/rtb/targets/{id}/uptime', { params: { path: { id: String(target.id) }, query: { hours: 48 } } });
    expect(two.data).toMatchObject({ period: '48 hours', uptime: 54.55, totalChecks: 11 });

    // 1 hour: the healthy probe and the success from half an hour ago (the filtered row does not count).
    const recent = await owner.client.GET('/api/rtb/targets/{id}/uptime', { params: { path: { id: String(target.id) }, query: { hours: 1 } } });
    expect(recent.data).toMatchObject({ period: '1 hours', uptime: 100, totalChecks: 2 });
  });

  it('answers null uptime without any check', async () => {
    const target = await createTarget(owner.client, { name: 'Never checked' });
    const { data, response } = await owner.client.GET('/api/rtb/targets/{id}/uptime', path(target.id));
    expect(response.status).toBe(200);
    expect(data).toMatchObject({ success: true, targetId: target.id, period: '24 hours', uptime: null, totalChecks: 0 });
    expect(Number.isNaN(Date.parse(data!.timestamp))).toBe(false);
  });

  it('counts only the organisation\'s rows: another organisation\'s history of a target is not its own', async () => {
    const target = await createTarget(owner.client, { name: 'Scoped' });
    await t.db
      .insertInto('rtb_health_checks')
      .values([
        { org_id: owner.orgId, target_id: target.id, healthy: true, response_time_ms: 10 },
        { org_id: other.orgId, target_id: target.id, healthy: false, response_time_ms: 10 },
      ])
      .execute();
    const { data } = await owner.client.GET('/api/rtb/targets/{id}/uptime', path(target.id));
    expect(data).toMatchObject({ uptime: 100, totalChecks: 1 });
  });

  it('validates hours (1 to 720)', async () => {
    const target = await createTarget(owner.client, { name: 'Hours' });
    for (const hours of ['0', '721', 'abc', '1.5', '-3']) {
      const { error, response } = await owner.client.GET('/api/rtb/targets/{id}/uptime', {
        params: { path: { id: String(target.id) }, query: { hours: hours as never } },
      });
      expect(response.status, hours).toBe(400);
      expect(error, hours).toMatchObject({ code: 'VALIDATION_ERROR', details: { hours: expect.any(String) } });
    }
    const max = await owner.client.GET('/api/rtb/targets/{id}/uptime', { params: { path: { id: String(target.id) }, query: { hours: 720 } } });
    expect(max.data?.period).toBe('720 hours');
  });
});
