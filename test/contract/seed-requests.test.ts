// Seeds 000 and 001 as a user copying them would: every request they show, its body verbatim
// (test/fixtures/seed-requests.json), with only the placeholders (`campaign_uuid`, `{id}`, a seed's
// `"campaignId": 1`, its demo password) replaced by the user's own objects. Each must answer a
// success the contract documents for its operation. The logins are the demo login (seedDemo).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callStatusRank } from '../../server/inbound/calls/status.js';
import { recordInboundCall } from '../../server/inbound/calls/queries/index.js';
import { seedDemo } from '../../server/demo/seed-demo.js';
import { indexOperations, loadSpec, type OperationMeta } from '../../server/platform/spec.js';
import { createWorld, type World } from '../helpers/api-world.js';
import { FORM_TYPE, JSON_TYPE, sendRaw } from '../helpers/raw-request.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

interface SeedRequest {
  seed: string;
  title: string;
  method: string;
  /** `{name}`: one of the user's objects (a key of the values below). */
  path: string;
  body?: Record<string, unknown>;
  form?: string;
  /** JSON pointer in the body → the user's object that replaces the seed's placeholder there. */
  ids?: Record<string, string>;
  /** A placeholder in the query string → the user's object. */
  queryIds?: Record<string, string>;
  /** Why only the body's acceptance is checked (the request may still be refused later, as 404). */
  bodyOnly?: string;
  /** With bodyOnly: the one status the request must get (a documented refusal that is not about the body). */
  expectStatus?: number;
  /** A form field → the user's object put as its value. */
  formIds?: Record<string, string>;
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/seed-requests.json', import.meta.url), 'utf8')) as { requests: SeedRequest[] };
const spec = loadSpec();
const operations = [...indexOperations(spec).values()];
const DEMO_EMAIL = 'sumit@blinkdigital.in';
const DEMO_PASSWORD = 'demo1234';

const template = (path: string) => path.split('?')[0]!.replace(/\{\w+\}/g, '{}');
function operationFor(request: SeedRequest): OperationMeta {
  const op = operations.find((o) => o.method === request.method && template(o.path) === template(request.path));
  if (!op) throw new Error(`no operation for ${request.method} ${request.path}`);
  return op;
}

function successStatuses(op: OperationMeta): number[] {
  return Object.keys(spec.paths[op.path]![op.method.toLowerCase()].responses)
    .map(Number)
    .filter((status) => status >= 200 && status < 300);
}

/** Each seed's user, on an installation of their own (the two seeds create the same campaign number). */
const users: Record<string, { t: TestApp; w: World; values: Record<string, string | number> }> = {};

beforeAll(async () => {
  for (const seed of ['000', '001']) {
    const t = await startTestApp();
    await seedDemo(t.db, DEMO_EMAIL, DEMO_PASSWORD);
    const w = await createWorld(t, `Seed ${seed} copier`);
    const second = await w.owner.client.POST('/api/rtb/targets', { body: { name: 'Second target', endpointUrl: 'http://127.0.0.1:9/bid' } });
    if (!second.data) throw new Error(`createRtbTarget failed: ${second.response.status}`);
    // Numbers for sale (a user searches before buying), and one bought to be pooled.
    const found = await w.owner.client.GET('/api/phone-numbers/search', { params: { query: { limit: 3 } } });
    const [available, otherAvailable, poolable] = found.data!.numbers.map((n) => n.phoneNumber);
    const bought = await w.owner.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: poolable! } });
    if (!bought.data) throw new Error(`purchasePhoneNumber failed: ${bought.response.status}`);
    // A live call for the call-control requests.
    const live = await recordInboundCall(t.db, { orgId: w.owner.orgId, callSid: `CA${'0'.repeat(31)}9`, campaignId: w.campaignId, from: '+13105550000', to: w.numberPhone });
    await t.db.updateTable('calls').set({ status: 'in-progress', status_rank: callStatusRank('in-progress') }).where('id', '=', live.call.id).execute();
    const values = {
      ...{ campaignId: w.campaignId, buyerId: w.buyerId, spareBuyerId: w.spareBuyerId, targetId: w.targetId, secondTargetId: second.data.id },
      ...{ numberId: w.numberId, numberPhone: w.numberPhone, poolId: w.poolId, callId: w.callId, liveCallSid: live.call.call_sid, tagCode: w.tagCode },
      ...{ availableNumber: available!, otherAvailableNumber: otherAvailable!, poolableNumberId: bought.data.id, demoPassword: DEMO_PASSWORD },
      poolCallSid: `CA${'0'.repeat(31)}8`,
    };
    users[seed] = { t, w, values };
  }
});
afterAll(async () => {
  for (const { t } of Object.values(users)) await t.close();
});

function valueOf(seed: string, name: string): string | number {
  const value = users[seed]!.values[name];
  if (value === undefined) throw new Error(`no value for ${name}`);
  return value;
}

/** The body with the user's own ids put where the seed shows placeholders. */
function withIds(seed: string, body: Record<string, unknown>, ids: Record<string, string> = {}): Record<string, unknown> {
  const copy = structuredClone(body);
  for (const [pointer, name] of Object.entries(ids)) {
    const keys = pointer.split('/').slice(1);
    const parent = keys.slice(0, -1).reduce<any>((at, key) => at[key], copy);
    if (!(keys.at(-1)! in parent)) throw new Error(`${pointer} is not in the seed's body`);
    parent[keys.at(-1)!] = valueOf(seed, name);
  }
  return copy;
}

/** The form text with the user's own values in the named fields (the rest byte for byte). */
function withFormIds(seed: string, form: string, ids: Record<string, string> = {}): string {
  let text = form;
  for (const [field, name] of Object.entries(ids)) {
    const pattern = new RegExp(`(^|&)${field}=[^&]*`);
    if (!pattern.test(text)) throw new Error(`${field} is not in the seed's form`);
    text = text.replace(pattern, `$1${field}=${encodeURIComponent(String(valueOf(seed, name)))}`);
  }
  return text;
}

function pathOf(request: SeedRequest): string {
  let path = request.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(valueOf(request.seed, name))));
  for (const [placeholder, name] of Object.entries(request.queryIds ?? {})) path = path.replace(placeholder, encodeURIComponent(String(valueOf(request.seed, name))));
  return path;
}

describe('the seed requests', () => {
  it('cover every request with a body shown in seeds 000 and 001', () => {
    const bodies = fixture.requests.filter((r) => r.body !== undefined || r.form !== undefined);
    expect(bodies.filter((r) => r.seed === '000')).toHaveLength(23);
    expect(bodies.filter((r) => r.seed === '001')).toHaveLength(16);
    for (const request of fixture.requests) expect(operationFor(request).operationId).toBeTruthy();
  });
});

// In the order of the fixture (the seeds' order): each request sees what the previous ones made.
describe.each(fixture.requests.map((r) => [`${r.seed} ${r.title}`, r] as const))('seed %s', (_label, request) => {
  it('answers the documented success, as written', async () => {
    const op = operationFor(request);
    const body =
      request.body !== undefined ? JSON.stringify(withIds(request.seed, request.body, request.ids)) : request.form !== undefined ? withFormIds(request.seed, request.form, request.formIds) : undefined;
    const contentType = request.body !== undefined ? JSON_TYPE : request.form !== undefined ? FORM_TYPE : undefined;
    const { t, w } = users[request.seed]!;
    const sent = await sendRaw(t, op, { cookie: w.cookie }, {
      pathAndQuery: pathOf(request),
      ...(body !== undefined ? { body } : {}),
      ...(contentType !== undefined ? { contentType } : {}),
    });
    if (request.bodyOnly) {
      // The body is accepted (not a 400): what follows is not this test's concern (see bodyOnly).
      expect({ status: sent.status, code: sent.body?.code }).not.toMatchObject({ code: 'VALIDATION_ERROR' });
      expect(request.expectStatus !== undefined ? [request.expectStatus] : [...successStatuses(op), 404]).toContain(sent.status);
      return;
    }
    expect({ status: sent.status, body: sent.status >= 300 ? sent.body : null }).toEqual({ status: expect.toBeOneOf(successStatuses(op)), body: null });
  });
});
