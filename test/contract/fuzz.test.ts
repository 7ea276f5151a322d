// Schema-driven fuzzing of every operation in openapi.yaml (a new operation is covered without
// editing this file): wrong types, out-of-range and huge numbers, huge and control-character
// strings, unknown and missing fields, invalid JSON, wrong content types, __proto__/constructor
// keys and hostile path values, in the query, the path and the body. Requests are authenticated
// as an owner (session cookie or API key, alternately) and Twilio webhooks are validly signed,
// so that they reach the validators and handlers. Any 5xx fails the operation's test; the
// contract check of the test app (test/helpers/contract.ts, made active by
// test/setup/contract-guard.ts) fails it for any undeclared status or body off its schema.
// The cases are deterministic: fixed lists plus fast-check samples from a fixed seed.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexOperations, loadSpec, type OperationMeta } from '../../server/platform/spec.js';
import { createWorld, type World } from '../helpers/api-world.js';
import { FORM_TYPE, JSON_TYPE, type Credentials, fillPath, formOf, type RawRequest, sendRaw } from '../helpers/raw-request.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const SEED = 1313;
/** About this many requests per operation: the core cases are always kept, the rest sampled to fit. */
const MAX_CASES = 200;
/** Never more (an operation with many fields has more core cases). */
const HARD_CAP = 300;
/** Requests in flight at once. */
const IN_FLIGHT = 4;

type Schema = Record<string, any>;
const spec = loadSpec();
// Reads first (the health checks probe only the fixture's target then), deletions last (so that
// the other operations still find the objects they name).
const METHOD_ORDER = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'];
const operations = [...indexOperations(spec).values()].sort((a, b) => METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method));

function deref<T = Schema>(node: T | { $ref: string } | undefined): T {
  let current: any = node;
  while (current && typeof current === 'object' && typeof current.$ref === 'string') {
    current = current.$ref
      .slice(2)
      .split('/')
      .reduce((at: any, key: string) => at?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], spec);
  }
  return current as T;
}

const operationOf = (op: OperationMeta): Schema => spec.paths[op.path]![op.method.toLowerCase()];

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
  example?: unknown;
  examples?: Record<string, { value: unknown }>;
}

function parametersOf(op: OperationMeta): Parameter[] {
  const item = spec.paths[op.path]!;
  return [...(item.parameters ?? []), ...(operationOf(op).parameters ?? [])].map((p: unknown) => deref<Parameter>(p as Parameter));
}

/** A value for a parameter that the contract accepts: its example, default, first enum value, or minimum. */
function exampleOf(p: Parameter): string {
  const schema = deref(p.schema) ?? {};
  const candidates = [p.example, Object.values(p.examples ?? {})[0]?.value, schema.example, schema.default, schema.enum?.[0], schema.minimum];
  const found = candidates.find((v) => v !== undefined && v !== null);
  return found === undefined ? '1' : String(found);
}

/** The organisation's own objects for the path and query parameters the fixture knows; others get their example. */
function realValue(w: World, path: string, name: string): string | undefined {
  const byName: Record<string, string | number> = {
    callSid: w.callSid,
    rtbId: w.rtbId,
    tagCode: w.tagCode,
    targetId: w.targetId,
    phoneNumberId: w.numberId,
    buyerId: w.buyerId,
    poolId: w.poolId,
    flowId: w.flowId,
    campaignId: w.campaignId,
    callId: w.callId,
    leadId: w.leadId,
  };
  if (name !== 'id') return byName[name] === undefined ? undefined : String(byName[name]);
  const byPrefix: Array<[string, string | number]> = [
    ['/api/users/', w.member.id],
    ['/api/campaigns/', w.campaignId],
    ['/api/buyers/', w.buyerId],
    ['/api/rtb/targets/', w.targetId],
    ['/api/rtb/routers/', w.routerId],
    ['/api/phone-numbers/', w.numberId],
    ['/api/number-pools/', w.poolId],
    ['/api/pools/', w.poolId],
    ['/api/call-flows/', w.flowId],
    ['/api/calls/', w.callId],
    ['/api/tracking-tags/', w.tagId],
    ['/api/tracking-pixels/', w.pixelId],
    ['/api/stats/campaigns/', w.campaignId],
    ['/api/stats/buyers/', w.buyerId],
    ['/api/leads/{id}', w.leadId],
    ['/api/call-logs/', w.callLogId],
    ['/api/follow-ups/', w.followUpId],
  ];
  const found = byPrefix.find(([prefix]) => path.startsWith(prefix));
  return found ? String(found[1]) : undefined;
}

/** The request body the contract documents first (every operation with a body has an example). */
function exampleBody(op: OperationMeta, type: string): unknown {
  const content = operationOf(op).requestBody?.content?.[type];
  if (!content) return undefined;
  return content.example ?? (Object.values(content.examples ?? {})[0] as { value?: unknown } | undefined)?.value ?? {};
}

/** The top-level properties a body schema declares (through allOf/anyOf/oneOf), with their schemas. */
function declaredProperties(schema: Schema | undefined, seen = new Set<Schema>()): Map<string, Schema> {
  const out = new Map<string, Schema>();
  const s = deref(schema);
  if (!s || typeof s !== 'object' || seen.has(s)) return out;
  seen.add(s);
  for (const [name, sub] of Object.entries(s.properties ?? {})) out.set(name, deref(sub as Schema));
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    for (const branch of s[key] ?? []) for (const [name, sub] of declaredProperties(branch, seen)) if (!out.has(name)) out.set(name, sub);
  }
  return out;
}

// ---- values -------------------------------------------------------------------------------

/** A JSON text spliced into a body as it is (numbers no JavaScript value can hold, lone surrogates). */
class Raw {
  constructor(readonly text: string) {}
}
const HUGE_DIGITS = '9'.repeat(400);
const HUGE_STRING = 'x'.repeat(100_000);

/** Values of the wrong type for a declared type. */
function wrongTypes(schema: Schema | undefined): unknown[] {
  const types = new Set<string>([deref(schema)?.type ?? []].flat());
  const out: unknown[] = [];
  if (!types.has('string')) out.push('abc', '1');
  if (!types.has('number') && !types.has('integer')) out.push(1);
  if (!types.has('boolean')) out.push(true, 'true');
  if (!types.has('object')) out.push({ nested: { deeper: 1 } });
  if (!types.has('array')) out.push(['a', 1]);
  return out;
}

/** Always sent for every field: the cases the issue names. */
const CORE_VALUES: unknown[] = [null, new Raw(HUGE_DIGITS), new Raw(`-${HUGE_DIGITS}`), HUGE_STRING, 'a\u0000b'];
/** Sent for every field too, as long as the operation's budget allows. */
const MORE_VALUES: unknown[] = [
  new Raw('1e400'),
  2147483648,
  -2147483649,
  9007199254740993,
  -1,
  0,
  0.5,
  1e-300,
  '',
  ' ',
  '\u0001\u001f\u007f',
  '\u202e\u200b',
  new Raw('"\\ud800"'),
  '\u{1D54F}\u{1F600}',
  '../../etc/passwd',
  "'; DROP TABLE calls; --",
  {},
  [],
  { __proto__: null, constructor: { prototype: { isAdmin: true } } },
];
const sampled = <T>(arb: fc.Arbitrary<T>, n: number, salt: number): T[] => fc.sample(arb, { seed: SEED + salt, numRuns: n });

/** JSON text of a value, with Raw texts spliced in. */
function jsonText(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Raw) {
      raws.push(v.text);
      return `\u0000raw${raws.length - 1}\u0000`;
    }
    return v;
  });
  return text.replace(/"\\u0000raw(\d+)\\u0000"/g, (_, i: string) => raws[Number(i)]!);
}

function encodeLoosely(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80'; // a lone surrogate: its (invalid) UTF-8 bytes
  }
}

// ---- cases --------------------------------------------------------------------------------

interface Case extends RawRequest {
  label: string;
  /** Core cases are never dropped to keep within MAX_CASES. */
  core: boolean;
}

const HOSTILE_PATH_VALUES = [
  '..',
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e%2f',
  '%00',
  '%01%1F%7F',
  'x'.repeat(3000),
  '%F0%9F%98%80',
  '%E2%80%AE',
  '%FF',
  '%C0%AE',
  '%ED%A0%80',
  '-1',
  '0',
  HUGE_DIGITS,
  '1e400',
  'Infinity',
  '1.5',
  '%20',
  'null',
  '__proto__',
  'constructor',
  '%27%3B%20DROP%20TABLE%20calls%3B--',
  '%2500',
  'urn:uuid:4f1c2b3a-5d6e-4f70-8a9b-0c1d2e3f4a5b',
  '{4f1c2b3a-5d6e-4f70-8a9b-0c1d2e3f4a5b}',
];

const HOSTILE_QUERY_VALUES = [
  '',
  'abc',
  // Forms of a uuid that a format check may accept and PostgreSQL's uuid type may not.
  'urn:uuid:4f1c2b3a-5d6e-4f70-8a9b-0c1d2e3f4a5b',
  '4f1c2b3a5d6e4f708a9b0c1d2e3f4a5b',
  HUGE_DIGITS,
  `-${HUGE_DIGITS}`,
  '1e400',
  'Infinity',
  '-Infinity',
  'NaN',
  '-1',
  '0',
  '2147483648',
  '-2147483649',
  '1.5',
  '0x10',
  'true',
  'null',
  'x'.repeat(20_000),
  '%00',
  '%01%1F%7F',
  '%E2%80%AE',
  '%F0%9F%98%80',
  '%FF',
  '%ED%A0%80',
  '..%2F..%2F',
  '%5B%5D',
];

function casesFor(op: OperationMeta, w: World, salt: number): Case[] {
  const params = parametersOf(op);
  const pathParams = params.filter((p) => p.in === 'path');
  const queryParams = params.filter((p) => p.in === 'query');
  // Deletions aim at examples, not at the fixture's objects (a case that happens to be valid
  // would delete them); everything else at the organisation's own objects.
  const real = (p: Parameter) => (op.method === 'DELETE' && p.in === 'path' ? undefined : realValue(w, op.path, p.name));
  const pathValues = Object.fromEntries(pathParams.map((p) => [p.name, encodeLoosely(real(p) ?? exampleOf(p))]));
  const baseQuery: Array<[string, string]> = queryParams.filter((p) => p.required).map((p) => [p.name, encodeLoosely(real(p) ?? exampleOf(p))]);
  const path = (overrides: Record<string, string> = {}) => fillPath(op, { ...pathValues, ...overrides });
  const query = (pairs: Array<[string, string]>) => (pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`);
  const withQuery = (name: string, value: string) => [...baseQuery.filter(([k]) => k !== name), [name, value] as [string, string]];
  const types = op.requestContentTypes;
  const bodyType = types[0];
  const base = bodyType ? exampleBody(op, bodyType) : undefined;
  const baseBody = bodyType === undefined ? {} : { body: bodyType === FORM_TYPE ? formOf(base as Record<string, unknown>) : jsonText(base), contentType: bodyType };
  const cases: Case[] = [];
  const add = (label: string, core: boolean, request: Partial<RawRequest>) =>
    cases.push({ label, core, pathAndQuery: path() + query(baseQuery), ...baseBody, ...request });

  // The documented request itself.
  add('as documented', true, {});

  // Path parameters: hostile values, one parameter at a time.
  for (const p of pathParams) {
    const fuzzed = sampled(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), 3, salt).map(encodeLoosely);
    for (const [i, value] of [...HOSTILE_PATH_VALUES, ...fuzzed].entries()) {
      add(`path ${p.name}=${value.slice(0, 40)}`, i < HOSTILE_PATH_VALUES.length, { pathAndQuery: path({ [p.name]: value }) + query(baseQuery) });
    }
  }

  // Query parameters: hostile values, repeated, bracketed, missing; unknown ones.
  for (const p of queryParams) {
    const fuzzed = sampled(fc.string({ unit: 'binary', maxLength: 40 }), 3, salt + 1).map(encodeLoosely);
    for (const [i, value] of [...HOSTILE_QUERY_VALUES, ...fuzzed].entries()) {
      add(`query ${p.name}=${value.slice(0, 40)}`, i < 10, { pathAndQuery: path() + query(withQuery(p.name, value)) });
    }
    add(`query ${p.name} repeated`, true, { pathAndQuery: path() + query([...withQuery(p.name, '1'), [p.name, HUGE_DIGITS]]) });
    add(`query ${p.name}[x]`, true, { pathAndQuery: path() + query([...baseQuery.filter(([k]) => k !== p.name), [`${p.name}[x]`, '1']]) });
    if (p.required) add(`query ${p.name} missing`, true, { pathAndQuery: path() + query(baseQuery.filter(([k]) => k !== p.name)) });
  }
  for (const [name, value] of [['unknownParam', '1'], ['__proto__', '1'], ['__proto__[isAdmin]', 'true'], ['constructor[prototype][x]', '1']] as const) {
    add(`query unknown ${name}`, true, { pathAndQuery: path() + query([...baseQuery, [encodeURIComponent(name), value]]) });
  }

  if (bodyType === JSON_TYPE) jsonBodyCases(op, base, add, salt);
  if (bodyType === FORM_TYPE) formBodyCases(op, base as Record<string, unknown>, add);
  if (bodyType === undefined && op.method !== 'GET' && op.method !== 'HEAD') {
    add('unexpected JSON body', true, { body: '{"unexpected":true}', contentType: JSON_TYPE });
    add('unexpected form body', true, { body: 'unexpected=1', contentType: FORM_TYPE });
  }
  return trimmed(cases, salt);
}

type Add = (label: string, core: boolean, request: Partial<RawRequest>) => void;

function jsonBodyCases(op: OperationMeta, base: unknown, add: Add, salt: number): void {
  const text = (label: string, body: string, core = true) => add(label, core, { body, contentType: JSON_TYPE });
  const whole = jsonText(base);
  const rest = typeof base === 'object' && base !== null && !Array.isArray(base) && Object.keys(base).length > 0 ? `, ${whole.slice(1)}` : '}';
  for (const body of ['', '{', '{"a":', 'null', '[]', '"text"', '42', 'true', `[${whole}]`, '\u0000', `\ufeff${whole}`, `${whole}${whole}`, '{"a":1,"a":2}']) {
    text(`JSON ${JSON.stringify(body.slice(0, 30))}`, body);
  }
  text('JSON __proto__ key', `{"__proto__": {"isAdmin": true, "role": "owner"}${rest}`);
  text('JSON constructor.prototype key', `{"constructor": {"prototype": {"isAdmin": true}}${rest}`);
  text('JSON unknown field', jsonText({ ...(base as object), unexpectedField: true }));
  add('no body', true, { body: undefined, contentType: JSON_TYPE });
  for (const contentType of ['text/plain', 'application/xml', FORM_TYPE, 'multipart/form-data; boundary=x', 'application/octet-stream', 'application/json; charset=utf-16', 'APPLICATION/JSON', 'application/vnd.api+json', 'application/json, text/plain']) {
    const body = contentType === FORM_TYPE ? formOf(base as Record<string, unknown>) : whole;
    add(`content type ${contentType}`, true, { body, contentType });
  }
  if (typeof base !== 'object' || base === null || Array.isArray(base)) return;
  const schema = operationOf(op).requestBody.content[JSON_TYPE].schema;
  const declared = declaredProperties(schema);
  const required = new Set<string>(deref(schema)?.required ?? []);
  // Top-level fields: every declared one (even when the example leaves it out).
  for (const [name, fieldSchema] of declared) {
    const others = Object.fromEntries(Object.entries(base).filter(([k]) => k !== name));
    add(`body ${name} missing`, required.has(name), { body: jsonText(others), contentType: JSON_TYPE });
    const fuzzed = sampled(fc.jsonValue({ maxDepth: 2 }), 2, salt + name.length);
    const values: Array<[unknown, boolean]> = [
      ...wrongTypes(fieldSchema).map((v, i): [unknown, boolean] => [v, i === 0]),
      ...CORE_VALUES.map((v): [unknown, boolean] => [v, true]),
      ...MORE_VALUES.map((v): [unknown, boolean] => [v, false]),
      ...fuzzed.map((v): [unknown, boolean] => [v, false]),
    ];
    for (const [value, core] of values) add(`body ${name}=${label(value)}`, core, { body: jsonText({ ...base, [name]: value }), contentType: JSON_TYPE });
  }
  // Nested fields of the example (objects and arrays inside the body), a few values each.
  for (const [where, replace] of nestedSlots(base)) {
    for (const value of [...CORE_VALUES, 'abc', 1, {}, []]) add(`body ${where}=${label(value)}`, false, { body: jsonText(replace(value)), contentType: JSON_TYPE });
  }
}

/** Every place below the top level of a JSON value (to depth 3), with a function putting another value there. */
function nestedSlots(root: unknown): Array<[string, (value: unknown) => unknown]> {
  const out: Array<[string, (value: unknown) => unknown]> = [];
  const visit = (node: unknown, where: string, rebuild: (replacement: unknown) => unknown, depth: number) => {
    if (depth > 3 || node === null || typeof node !== 'object') return;
    for (const [key, child] of Array.isArray(node) ? node.slice(0, 1).entries() : Object.entries(node)) {
      const put = (value: unknown) => rebuild(Array.isArray(node) ? node.map((c, i) => (i === key ? value : c)) : { ...node, [key]: value });
      const here = `${where}.${key}`;
      if (depth >= 1) out.push([here, put]);
      visit(child, here, put, depth + 1);
    }
  };
  visit(root, '', (value) => value, 0);
  return out.map(([where, put]) => [where.slice(1), put]);
}

function formBodyCases(op: OperationMeta, base: Record<string, unknown>, add: Add): void {
  const form = (label: string, body: string, core = true) => add(label, core, { body, contentType: FORM_TYPE });
  const whole = formOf(base);
  for (const body of ['', 'a', '%', '%ZZ=%ZZ', '&&&', '=x', `${whole}&${whole}`]) form(`form ${JSON.stringify(body.slice(0, 30))}`, body);
  form('form unknown field', `${whole}&UnexpectedField=1`);
  form('form __proto__ key', `${whole}&__proto__=1&__proto__%5BisAdmin%5D=true`);
  form('form constructor key', `${whole}&constructor%5Bprototype%5D%5Bx%5D=1`);
  add('no body', true, { body: undefined, contentType: FORM_TYPE });
  for (const contentType of [JSON_TYPE, 'text/plain', 'multipart/form-data; boundary=x', 'application/octet-stream', `${FORM_TYPE}; charset=utf-16`]) {
    add(`content type ${contentType}`, true, { body: contentType === JSON_TYPE ? jsonText(base) : whole, contentType });
  }
  const schema = operationOf(op).requestBody.content[FORM_TYPE].schema;
  const required = new Set<string>(deref(schema)?.required ?? []);
  for (const name of declaredProperties(schema).keys()) {
    const others = Object.fromEntries(Object.entries(base).filter(([k]) => k !== name));
    form(`form ${name} missing`, formOf(others), required.has(name));
    form(`form ${name} repeated`, `${formOf(others)}&${name}=1&${name}=2`, false);
    const values = ['', HUGE_STRING, HUGE_DIGITS, '-1', '1e400', 'a\u0000b', '\u0001\u001f\u007f', '\u202e', '\u{1F600}', '../../etc/passwd', '__proto__'];
    for (const [i, value] of values.entries()) form(`form ${name}=${label(value)}`, formOf({ ...others, [name]: value }), i < 4);
  }
}

function label(value: unknown): string {
  const text = value instanceof Raw ? value.text : typeof value === 'string' ? JSON.stringify(value) : jsonText(value);
  return (text ?? String(value)).slice(0, 30);
}

/** Within MAX_CASES: every core case, then a seeded sample of the rest. */
function trimmed(cases: Case[], salt: number): Case[] {
  if (cases.length <= MAX_CASES) return cases;
  const core = cases.filter((c) => c.core);
  const rest = cases.filter((c) => !c.core);
  const room = Math.max(0, MAX_CASES - core.length);
  const [picked] = sampled(fc.shuffledSubarray(rest, { minLength: Math.min(room, rest.length), maxLength: Math.min(room, rest.length) }), 1, salt + 7);
  return [...core, ...(picked ?? [])];
}

// ---- the test -----------------------------------------------------------------------------

let t: TestApp;
let w: World;
let ownerKey: string;

beforeAll(async () => {
  t = await startTestApp();
  w = await createWorld(t, 'Fuzz Org');
  const key = await w.owner.client.POST('/api/api-keys', { body: { name: 'Fuzz owner key', role: 'owner' } });
  if (!key.data) throw new Error(`createApiKey failed: ${key.response.status}`);
  ownerKey = key.data.key;
});
afterAll(async () => t.close());

describe('fuzzing covers openapi.yaml', () => {
  it('has operations to fuzz, each with a documented request', () => {
    expect(operations.length).toBeGreaterThan(100);
    const withoutExample = operations.filter((op) => op.requestContentTypes.length > 0 && exampleBody(op, op.requestContentTypes[0]!) === undefined);
    expect(withoutExample.map((op) => op.operationId)).toEqual([]);
  });
});

describe('numbers too large for a double', () => {
  it('answers 400 naming the parameter for a 400-digit, 1e400 or Infinity page, limit, days or callId (they reached PostgreSQL as Infinity)', async () => {
    const paths = [
      '/api/calls?page=', '/api/calls?limit=', '/api/rtb/bid-requests?page=', '/api/rtb/auction-details?callId=', '/api/rtb/auction-details?limit=',
      '/api/stats/historical?days=', `/api/stats/campaigns/${w.campaignId}?days=`, `/api/stats/buyers/${w.buyerId}?days=`, '/api/visitor-sessions?page=',
      `/api/rtb/targets/${w.targetId}/uptime?hours=`,
    ];
    const seen = [];
    for (const path of paths) {
      for (const value of [HUGE_DIGITS, `-${HUGE_DIGITS}`, '1e400', 'Infinity']) {
        const response = await fetch(t.url + path + value, { headers: { cookie: w.cookie } });
        const body = (await response.json()) as { code?: string; details?: Record<string, string> };
        const name = path.slice(path.lastIndexOf('?') + 1, -1);
        seen.push({ path, value: value.slice(0, 10), status: response.status, code: body.code, named: Object.keys(body.details ?? {}) });
        expect(seen.at(-1)).toEqual({ path, value: value.slice(0, 10), status: 400, code: 'VALIDATION_ERROR', named: [name] });
      }
    }
    expect(seen).toHaveLength(paths.length * 4);
  });
});

describe.each(operations.map((op, i) => [op.operationId, op, i] as const))('%s', (_operationId, op, index) => {
  it('never answers 5xx, whatever it is sent (the contract check: only declared statuses and shapes)', async () => {
    const credentials: Credentials = index % 2 === 0 ? { cookie: w.cookie } : { apiKey: ownerKey };
    const cases = casesFor(op, w, SEED + index);
    expect(cases.length).toBeGreaterThan(0);
    expect(cases.length).toBeLessThanOrEqual(HARD_CAP);
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      for (let c = cases[next++]; c !== undefined; c = cases[next++]) {
        const sent = await sendRaw(t, op, credentials, c);
        if (sent.status >= 500) failures.push(`${c.label}: ${sent.status} ${JSON.stringify(sent.body).slice(0, 200)}`);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    expect(failures.sort()).toEqual([]);
  });
});
