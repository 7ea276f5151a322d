// Hostile and malformed input, table-driven over openapi.yaml: every operation with a request
// body, and every operation with an {id} path parameter. Nothing sent here may change state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordInboundCall } from '../../server/calls/queries.js';
import { type Member, PASSWORD, addMember, createBuyer, createCampaign, registerOrg, uniqueEmail } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { indexOperations, loadSpec, type OperationMeta } from '../../server/spec.js';

let t: TestApp;
let owner: Member;
let member: Member;
let cookie: string;
let campaignId: string;
let buyerId: number;
let spareBuyerId: number;
let apiKeyId: string;
let targetId: number;
let routerId: number;
let rtbId: string;
let numberId: number;
let poolId: number;
let flowId: number;
let callId: number;
let stateAfterSetup: Awaited<ReturnType<typeof snapshot>>;

const spec = loadSpec();
const operations = [...indexOperations(spec).values()];
// Operations whose body is required (an optional free-form body, as the test bid's, has no wrong shape).
const BODY_OPERATIONS = operations.filter((op) => spec.paths[op.path]![op.method.toLowerCase()].requestBody?.required === true);
const ID_OPERATIONS = operations.filter((op) => op.path.includes('{id}'));

interface Case {
  /** Real values for the path parameters (the caller's own objects). */
  params?: () => Record<string, string>;
  /** A body the operation would accept as it is. */
  body?: () => Record<string, unknown>;
}

// One entry per operation that has a body or a path parameter; coverage is asserted below.
const table: Record<string, Case> = {
  login: { body: () => ({ email: owner.email, password: PASSWORD }) },
  loginLegacy: { body: () => ({ username: owner.email, password: PASSWORD }) },
  register: { body: () => ({ organizationName: 'Sneaky Org', email: uniqueEmail('sneaky'), password: PASSWORD }) },
  createUser: { body: () => ({ email: uniqueEmail('new'), password: PASSWORD, role: 'agent' }) },
  getUser: { params: () => ({ id: String(member.id) }) },
  updateUser: { params: () => ({ id: String(member.id) }), body: () => ({ firstName: 'Changed', role: 'manager' }) },
  deleteUser: { params: () => ({ id: String(member.id) }) },
  createApiKey: { body: () => ({ name: 'Sneaky key', role: 'agent' }) },
  revokeApiKey: { params: () => ({ id: apiKeyId }) },
  createCampaign: { body: () => ({ name: 'Sneaky campaign', status: 'active', enableRtb: true }) },
  getCampaign: { params: () => ({ id: campaignId }) },
  updateCampaign: { params: () => ({ id: campaignId }), body: () => ({ name: 'Changed', status: 'paused' }) },
  deleteCampaign: { params: () => ({ id: campaignId }) },
  updateCampaignRtbConfig: { params: () => ({ id: campaignId }), body: () => ({ enableRtb: false, minBiddersRequired: 5 }) },
  listCampaignBuyers: { params: () => ({ id: campaignId }) },
  addCampaignBuyer: { params: () => ({ id: campaignId }), body: () => ({ buyerId: spareBuyerId, priority: 2, weight: 3 }) },
  removeCampaignBuyer: { params: () => ({ id: campaignId, buyerId: String(buyerId) }) },
  createBuyer: { body: () => ({ name: 'Sneaky buyer', phoneNumber: '+12125550123', timeZone: 'UTC' }) },
  getBuyer: { params: () => ({ id: String(buyerId) }) },
  updateBuyer: { params: () => ({ id: String(buyerId) }), body: () => ({ name: 'Changed', dailyCap: 7 }) },
  deleteBuyer: { params: () => ({ id: String(buyerId) }) },
  createRtbTarget: { body: () => ({ name: 'Sneaky target', endpointUrl: 'http://127.0.0.1:9/bid' }) },
  getRtbTarget: { params: () => ({ id: String(targetId) }) },
  updateRtbTarget: { params: () => ({ id: String(targetId) }), body: () => ({ name: 'Changed', minBidAmount: 2 }) },
  deleteRtbTarget: { params: () => ({ id: String(targetId) }) },
  getRtbTargetUptime: { params: () => ({ id: String(targetId) }) },
  testRtbTarget: { params: () => ({ targetId: String(targetId) }) },
  listCampaignRtbTargets: { params: () => ({ id: campaignId }) },
  replaceCampaignRtbTargets: { params: () => ({ id: campaignId }), body: () => ({ assignments: [{ targetId, priority: 2 }] }) },
  createRtbRouter: { body: () => ({ name: 'Sneaky router' }) },
  updateRtbRouter: { params: () => ({ id: String(routerId) }), body: () => ({ isActive: false }) },
  deleteRtbRouter: { params: () => ({ id: String(routerId) }) },
  replayAuction: { params: () => ({ id: 'req_unknown' }) },
  inboundRtbBid: { params: () => ({ rtbId }), body: () => ({ callerId: '+13105551234' }) },
  inboundRtbBidGet: { params: () => ({ rtbId }) },
  purchasePhoneNumber: { body: () => ({ phoneNumber: '+15555550188' }) },
  releasePhoneNumber: { params: () => ({ id: String(numberId) }) },
  assignPhoneNumberToCampaign: { params: () => ({ id: String(numberId) }), body: () => ({ campaignId: null }) },
  createNumberPool: { body: () => ({ name: 'Sneaky pool' }) },
  getNumberPool: { params: () => ({ id: String(poolId) }) },
  updateNumberPool: { params: () => ({ id: String(poolId) }), body: () => ({ name: 'Changed' }) },
  deleteNumberPool: { params: () => ({ id: String(poolId) }) },
  addNumberToPool: { params: () => ({ id: String(poolId) }), body: () => ({ phoneNumberId: numberId }) },
  removeNumberFromPool: { params: () => ({ id: String(poolId), phoneNumberId: String(numberId) }) },
  createNumberPoolLegacy: { body: () => ({ name: 'Sneaky pool' }) },
  getNumberPoolLegacy: { params: () => ({ id: String(poolId) }) },
  updateNumberPoolLegacy: { params: () => ({ id: String(poolId) }), body: () => ({ name: 'Changed' }) },
  deleteNumberPoolLegacy: { params: () => ({ id: String(poolId) }) },
  addNumberToPoolLegacy: { params: () => ({ id: String(poolId) }), body: () => ({ phoneNumberId: numberId }) },
  removeNumberFromPoolLegacy: { params: () => ({ id: String(poolId), phoneNumberId: String(numberId) }) },
  createCallFlow: { body: () => ({ name: 'Sneaky flow', flowDefinition: { startNodeId: null, nodes: [] } }) },
  getCallFlow: { params: () => ({ id: String(flowId) }) },
  updateCallFlow: { params: () => ({ id: String(flowId) }), body: () => ({ name: 'Changed' }) },
  deleteCallFlow: { params: () => ({ id: String(flowId) }) },
  getCall: { params: () => ({ id: String(callId) }) },
};

function opById(operationId: string): OperationMeta {
  const op = operations.find((o) => o.operationId === operationId);
  if (!op) throw new Error(`no operation ${operationId}`);
  return op;
}

/** The path with each {name} replaced by `params[name]` as a raw (already encoded) segment. */
function fillPath(op: OperationMeta, params: Record<string, string>): string {
  return op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${op.operationId}: no value for {${name}}`);
    return value;
  });
}

function realParams(operationId: string): Record<string, string> {
  const params = table[operationId]!.params?.() ?? {};
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, encodeURIComponent(v)]));
}

function isPublic(op: OperationMeta): boolean {
  return op.securitySchemes.length === 0;
}

interface Sent {
  status: number;
  body: { error?: string; code?: string; details?: unknown; requestId?: string } | null;
  contentType: string;
}

async function send(
  op: OperationMeta,
  options: { params?: Record<string, string>; body?: string; contentType?: string; anonymous?: boolean },
): Promise<Sent> {
  const headers: Record<string, string> = {};
  if (options.contentType !== undefined) headers['content-type'] = options.contentType;
  if (!options.anonymous && !isPublic(op)) headers.cookie = cookie;
  const response = await fetch(t.url + fillPath(op, options.params ?? realParams(op.operationId)), {
    method: op.method,
    headers,
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Sent['body']) : null,
    contentType: response.headers.get('content-type') ?? '',
  };
}

/** Each request's outcome as {label, status, code}, to compare the whole list in one assertion. */
async function outcomes(requests: Array<[string, () => Promise<Sent>]>) {
  const results = [];
  for (const [label, request] of requests) {
    const sent = await request();
    const wellFormed =
      /^application\/json/.test(sent.contentType) && typeof sent.body?.error === 'string' && typeof sent.body?.requestId === 'string';
    results.push({ label, status: sent.status, code: sent.body?.code, wellFormed, details: sent.body?.details });
  }
  return results;
}

function allValidationErrors(labels: string[]) {
  return labels.map((label) => ({ label, status: 400, code: 'VALIDATION_ERROR', wellFormed: true, details: expect.any(Object) }));
}

/** Every row of every table: what must still hold at the end. */
async function snapshot() {
  const [organizations, users, apiKeys, campaigns, buyers, campaignBuyers, targets, routers, assignments, bidRequests, inboundBids, numbers, pools, flows] = await Promise.all([
    t.db.selectFrom('organizations').selectAll().orderBy('id').execute(),
    t.db.selectFrom('users').selectAll().orderBy('id').execute(),
    t.db.selectFrom('api_keys').selectAll().orderBy('id').execute(),
    t.db.selectFrom('campaigns').selectAll().orderBy('id').execute(),
    t.db.selectFrom('buyers').selectAll().orderBy('id').execute(),
    t.db.selectFrom('campaign_buyers').selectAll().orderBy('campaign_id').orderBy('buyer_id').execute(),
    t.db.selectFrom('rtb_targets').selectAll().orderBy('id').execute(),
    t.db.selectFrom('rtb_routers').selectAll().orderBy('id').execute(),
    t.db.selectFrom('campaign_rtb_targets').selectAll().orderBy('campaign_id').orderBy('target_id').execute(),
    t.db.selectFrom('bid_requests').selectAll().orderBy('id').execute(),
    t.db.selectFrom('inbound_bids').selectAll().orderBy('id').execute(),
    t.db.selectFrom('phone_numbers').selectAll().orderBy('id').execute(),
    t.db.selectFrom('number_pools').selectAll().orderBy('id').execute(),
    t.db.selectFrom('call_flows').selectAll().orderBy('id').execute(),
  ]);
  return { organizations, users, apiKeys, campaigns, buyers, campaignBuyers, targets, routers, assignments, bidRequests, inboundBids, numbers, pools, flows };
}

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Bad Input Org');
  member = await addMember(t, owner, 'agent');
  cookie = [...owner.client.cookieJar!.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  const campaign = await createCampaign(owner.client, { name: 'Target campaign' });
  campaignId = campaign.id;
  buyerId = (await createBuyer(owner.client, { name: 'Target buyer' })).id;
  spareBuyerId = (await createBuyer(owner.client, { name: 'Spare buyer', phoneNumber: '+12125550999' })).id;
  const assigned = await owner.client.POST('/api/campaigns/{id}/buyers', { params: { path: { id: campaignId } }, body: { buyerId } });
  if (assigned.response.status !== 201) throw new Error(`addCampaignBuyer failed: ${assigned.response.status}`);
  const key = await owner.client.POST('/api/api-keys', { body: { name: 'Target key', role: 'manager' } });
  if (!key.data) throw new Error(`createApiKey failed: ${key.response.status}`);
  apiKeyId = key.data.id;
  const target = await owner.client.POST('/api/rtb/targets', { body: { name: 'Target target', endpointUrl: 'http://127.0.0.1:9/bid' } });
  const router = await owner.client.POST('/api/rtb/routers', { body: { name: 'Target router' } });
  if (!target.data || !router.data) throw new Error('RTB setup failed');
  targetId = target.data.id;
  routerId = router.data.id;
  rtbId = campaign.rtbId;
  await owner.client.PUT('/api/campaigns/{id}/rtb-targets', { params: { path: { id: campaignId } }, body: { assignments: [{ targetId }] } });
  const found = await owner.client.GET('/api/phone-numbers/search', { params: { query: { limit: 1 } } });
  const number = await owner.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: found.data!.numbers[0]!.phoneNumber } });
  const pool = await owner.client.POST('/api/number-pools', { body: { name: 'Target pool' } });
  const flow = await owner.client.POST('/api/call-flows', { body: { name: 'Target flow', flowDefinition: { startNodeId: null, nodes: [] } } });
  if (!number.data || !pool.data || !flow.data) throw new Error('number/pool/flow setup failed');
  numberId = number.data.id;
  poolId = pool.data.id;
  flowId = flow.data.id;
  callId = (await recordInboundCall(t.db, { orgId: owner.orgId, callSid: 'CA00000000000000000000000000000001', campaignId, from: '+13105550000', to: '+12125550100' })).call.id;
  stateAfterSetup = await snapshot();
});
afterAll(async () => t.close());

describe('the tables cover openapi.yaml', () => {
  it('has a valid body for every operation with a requestBody', () => {
    expect(BODY_OPERATIONS.length).toBeGreaterThanOrEqual(12);
    const missing = BODY_OPERATIONS.filter((op) => !table[op.operationId]?.body).map((op) => op.operationId);
    expect(missing).toEqual([]);
    // Every body is JSON-only in the contract (so every other content type is "wrong").
    for (const op of BODY_OPERATIONS) {
      expect(Object.keys(spec.paths[op.path]![op.method.toLowerCase()].requestBody.content), op.operationId).toEqual(['application/json']);
    }
  });

  it('has real values for the path parameters of every operation that takes some', () => {
    const withParams = operations.filter((op) => op.path.includes('{'));
    expect(ID_OPERATIONS.length).toBeGreaterThanOrEqual(14);
    const missing = withParams.filter((op) => !table[op.operationId]?.params).map((op) => op.operationId);
    expect(missing).toEqual([]);
    expect(Object.keys(table).sort()).toEqual([...new Set([...BODY_OPERATIONS, ...withParams].map((op) => op.operationId))].sort());
  });
});

describe.each(BODY_OPERATIONS.map((op) => op.operationId))('%s body', (operationId) => {
  const op = () => opById(operationId);
  const valid = () => table[operationId]!.body!();
  const json = (text: string) => () => send(op(), { body: text, contentType: 'application/json' });

  it('answers 400 VALIDATION_ERROR naming an unknown property', async () => {
    const extras = ['unexpectedField', 'isAdmin', 'org_id'];
    const seen = await outcomes(extras.map((extra) => [extra, json(JSON.stringify({ ...valid(), [extra]: true }))]));
    expect(seen).toEqual(extras.map((extra) => ({ label: extra, status: 400, code: 'VALIDATION_ERROR', wellFormed: true, details: { [extra]: 'is not allowed' } })));
  });

  it('answers 400 for prototype-poisoning keys', async () => {
    const rest = JSON.stringify(valid()).slice(1);
    const seen = await outcomes([
      ['__proto__', json(`{"__proto__": {"role": "owner"}, ${rest}`)],
      ['constructor.prototype', json(`{"constructor": {"prototype": {"role": "owner"}}, ${rest}`)],
    ]);
    expect(seen).toEqual(allValidationErrors(['__proto__', 'constructor.prototype']));
  });

  it('answers 400 VALIDATION_ERROR for a JSON array or any other non-object JSON body', async () => {
    const texts = [JSON.stringify([valid()]), '[]', 'null', '42', '"text"', 'true'];
    const seen = await outcomes(texts.map((text) => [text.slice(0, 30), json(text)]));
    expect(seen).toEqual(allValidationErrors(texts.map((text) => text.slice(0, 30))));
  });

  it('answers 400 VALIDATION_ERROR for invalid JSON text', async () => {
    const whole = JSON.stringify(valid());
    const texts = [whole.slice(0, -1), `${whole}}`, "{'name': 'x'}", '{name: 1}', '\u0000', '{"a":'];
    const seen = await outcomes(texts.map((text) => [JSON.stringify(text.slice(0, 30)), json(text)]));
    expect(seen).toEqual(allValidationErrors(texts.map((text) => JSON.stringify(text.slice(0, 30)))));
  });

  it('answers 400 VALIDATION_ERROR for a missing body (the body is required)', async () => {
    const seen = await outcomes([
      ['empty, json type', json('')],
      ['none, json type', () => send(op(), { contentType: 'application/json' })],
      ['none, no type', () => send(op(), {})],
    ]);
    expect(seen).toEqual(allValidationErrors(['empty, json type', 'none, json type', 'none, no type']));
  });

  it('answers 400 VALIDATION_ERROR (never 415 or 500) for a wrong content type', async () => {
    const whole = JSON.stringify(valid());
    const form = new URLSearchParams(Object.entries(valid()).map(([k, v]): [string, string] => [k, String(v)])).toString();
    const bodies: Array<[string, string]> = [
      ['text/plain', whole],
      ['text/plain; charset=utf-8', whole],
      ['application/xml', '<body/>'],
      ['application/x-www-form-urlencoded', form],
      ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--x--\r\n'],
      ['application/octet-stream', whole],
    ];
    const seen = await outcomes(bodies.map(([contentType, text]) => [contentType, () => send(op(), { body: text, contentType })]));
    expect(seen).toEqual(allValidationErrors(bodies.map(([contentType]) => contentType)));
  });

  if (opById(operationId).securitySchemes.length > 0) {
    it('answers 401, not 400, to an anonymous caller with a bad body (authentication first)', async () => {
      const sent = await send(op(), { body: JSON.stringify({ ...valid(), unexpectedField: true }), contentType: 'application/json', anonymous: true });
      expect({ status: sent.status, code: sent.body?.code }).toEqual({ status: 401, code: 'UNAUTHORIZED' });
    });
  }
});

const MALFORMED_IDS = ['not-an-id', '-1', '99999999999999999999', '%00', '0', '1e3', '1.0', '2147483648', '%2500', '00000000-0000-0000-0000-000000000000'];

describe.each(ID_OPERATIONS.map((op) => op.operationId))('%s with a malformed id', (operationId) => {
  it('answers 404 RESOURCE_NOT_FOUND for each malformed id, as the owner', async () => {
    const op = opById(operationId);
    const body = table[operationId]!.body;
    const seen: Array<{ id: string; status: number; code: string | undefined }> = [];
    for (const id of MALFORMED_IDS) {
      const sent = await send(op, {
        params: { ...realParams(operationId), id },
        ...(body ? { body: JSON.stringify(body()), contentType: 'application/json' } : {}),
      });
      seen.push({ id, status: sent.status, code: sent.body?.code });
    }
    expect(seen).toEqual(MALFORMED_IDS.map((id) => ({ id, status: 404, code: 'RESOURCE_NOT_FOUND' })));
  });

  if (opById(operationId).path.includes('{buyerId}')) {
    it('answers 404 RESOURCE_NOT_FOUND for each malformed buyerId too', async () => {
      const op = opById(operationId);
      const seen: Array<{ id: string; status: number; code: string | undefined }> = [];
      for (const id of MALFORMED_IDS) {
        const sent = await send(op, { params: { ...realParams(operationId), buyerId: id } });
        seen.push({ id, status: sent.status, code: sent.body?.code });
      }
      expect(seen).toEqual(MALFORMED_IDS.map((id) => ({ id, status: 404, code: 'RESOURCE_NOT_FOUND' })));
    });
  }
});

describe('non-JSON bodies get no less validation than JSON ones', () => {
  it('refuses a form-encoded or text body carrying invalid values, storing nothing', async () => {
    const buyerBefore = await t.db.selectFrom('buyers').selectAll().where('id', '=', buyerId).executeTakeFirstOrThrow();
    const campaignBefore = await t.db.selectFrom('campaigns').selectAll().where('id', '=', campaignId).executeTakeFirstOrThrow();
    const seen = await outcomes([
      ['form: bad phone + unknown field', () => send(opById('updateBuyer'), { body: 'phoneNumber=not-a-phone&unknownField=1', contentType: 'application/x-www-form-urlencoded' })],
      ['form: out-of-range priority', () => send(opById('updateBuyer'), { body: 'priority=5000', contentType: 'application/x-www-form-urlencoded' })],
      ['form: bogus status', () => send(opById('updateCampaign'), { body: 'status=bogus', contentType: 'application/x-www-form-urlencoded' })],
      ['text: JSON as text/plain', () => send(opById('updateCampaign'), { body: '{"name":"Renamed"}', contentType: 'text/plain' })],
    ]);
    expect(seen).toEqual(allValidationErrors(['form: bad phone + unknown field', 'form: out-of-range priority', 'form: bogus status', 'text: JSON as text/plain']));
    expect(await t.db.selectFrom('buyers').selectAll().where('id', '=', buyerId).executeTakeFirstOrThrow()).toEqual(buyerBefore);
    expect(await t.db.selectFrom('campaigns').selectAll().where('id', '=', campaignId).executeTakeFirstOrThrow()).toEqual(campaignBefore);
  });
});

describe('query strings', () => {
  it('answers 400 naming status for GET /api/campaigns?status=bogus', async () => {
    const { error, response } = await owner.client.GET('/api/campaigns', { params: { query: { status: 'bogus' as never } } });
    expect(response.status).toBe(400);
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', details: { status: expect.any(String) } });
    const raw = await fetch(`${t.url}/api/campaigns?status=`, { headers: { cookie } });
    expect(raw.status).toBe(400);
    expect(((await raw.json()) as { details: Record<string, string> }).details).toHaveProperty('status');
  });
});

describe('afterwards', () => {
  it('nothing was created, changed or deleted by any of the requests above', async () => {
    const now = await snapshot();
    expect({
      organizations: now.organizations.length,
      users: now.users.length,
      apiKeys: now.apiKeys.length,
      campaigns: now.campaigns.length,
      buyers: now.buyers.length,
      campaignBuyers: now.campaignBuyers.length,
      targets: now.targets.length,
      routers: now.routers.length,
      assignments: now.assignments.length,
      bidRequests: now.bidRequests.length,
      inboundBids: now.inboundBids.length,
      numbers: now.numbers.length,
      pools: now.pools.length,
      flows: now.flows.length,
    }).toEqual({
      organizations: 1,
      users: 2,
      apiKeys: 1,
      campaigns: 1,
      buyers: 2,
      campaignBuyers: 1,
      targets: 1,
      routers: 1,
      assignments: 1,
      bidRequests: 0,
      inboundBids: 0,
      numbers: 1,
      pools: 1,
      flows: 1,
    });
    expect(now).toEqual(stateAfterSetup);
  });
});

describe('NUL characters', () => {
  it('answers 400 naming the field for a NUL in a body string, a nested string or a query value; nothing stored', async () => {
    const before = await snapshot();
    const seen = await outcomes([
      ['body name', () => send(opById('createCampaign'), { body: JSON.stringify({ name: 'a\u0000b' }), contentType: 'application/json' })],
      ['nested', () => send(opById('createBuyer'), { body: JSON.stringify({ name: 'B', phoneNumber: '+12125550100', operatingHours: { monday: { start: '09:00', end: '1\u00007:00' } } }), contentType: 'application/json' })],
      ['query', () => fetch(`${t.url}/api/rtb/bid-responses?requestId=%00`, { headers: { cookie } }).then(async (r) => ({ status: r.status, body: (await r.json()) as Sent['body'], contentType: r.headers.get('content-type') ?? '' }))],
    ]);
    expect(seen).toEqual(allValidationErrors(['body name', 'nested', 'query']));
    expect(seen.map((s) => Object.keys(s.details as object)[0])).toEqual(['name', 'operatingHours.monday.end', 'requestId']);
    expect(await snapshot()).toEqual(before);
  });
});
