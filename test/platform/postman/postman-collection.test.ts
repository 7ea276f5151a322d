// GET /api/postman-collection: the served collection imports as a Postman v2.1 collection (the
// postman-collection library Postman itself uses), holds exactly one request per operation of
// openapi.yaml, and its preset auth (bearer {{apiKey}} against {{baseUrl}}) really authenticates.
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSpec } from '../../../server/platform/spec.js';
import { registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

// postman-collection is CommonJS without named ESM exports, and its bundled declarations (not
// named in its package.json) lack forEachItem and auth.type: the few members used, typed here.
interface Auth {
  type: string;
  parameters(): { get(key: string): unknown };
}
interface Item {
  request: { method: string; url: { getPath(unresolved?: boolean): string; toString(): string } };
  getAuth(): Auth | undefined;
}
interface PostmanCollection {
  auth?: Auth;
  variables: { has(key: string): boolean };
  forEachItem(callback: (item: Item) => void): void;
  toJSON(): { info?: { name?: string; schema?: string } };
}
const { Collection } = createRequire(import.meta.url)('postman-collection') as { Collection: new (definition: object) => PostmanCollection };
/** What Postman does with {{name}} before it sends a request. */
const resolve = (template: string, values: Record<string, string>) => template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => values[name] ?? '');
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

let t: TestApp;
let collection: PostmanCollection;
let requests: Map<string, Item>;

const keyOf = (method: string, path: string) => `${method.toUpperCase()} ${path}`;
/** Postman's `:id` (a whole segment) and `{{tagCode}}` (inside one) as the spec's `{id}`. */
const specPath = (postmanPath: string) => postmanPath.replace(/\/:(\w+)(?=\/|$)/g, '/{$1}').replace(/\{\{(\w+)\}\}/g, '{$1}');

beforeAll(async () => {
  t = await startTestApp();
  const { data, response } = await t.client().GET('/api/postman-collection');
  expect(response.status).toBe(200);
  collection = new Collection(data as object);
  requests = new Map();
  collection.forEachItem((item) => {
    requests.set(keyOf(item.request.method, specPath(item.request.url.getPath(true))), item);
  });
});
afterAll(async () => t.close());

function specOperations(): { key: string; operationId: string; public: boolean }[] {
  const spec = loadSpec();
  const out: { key: string; operationId: string; public: boolean }[] = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of METHODS) {
      const op = item[method] as { operationId: string; security?: Record<string, unknown>[] } | undefined;
      if (!op) continue;
      const security = op.security ?? (spec.security as Record<string, unknown>[]);
      out.push({
        key: keyOf(method, path),
        operationId: op.operationId,
        public: !security.some((requirement) => 'apiKey' in requirement),
      });
    }
  }
  return out;
}

describe('GET /api/postman-collection', () => {
  it('is a v2.1 collection with bearer {{apiKey}} auth and the baseUrl/apiKey variables', () => {
    const json = collection.toJSON();
    expect(json.info?.schema).toBe('https://schema.getpostman.com/json/collection/v2.1.0/collection.json');
    expect(json.info?.name).toBe('CallCenter Pro API');
    expect(collection.auth?.type).toBe('bearer');
    expect(collection.auth?.parameters().get('token')).toBe('{{apiKey}}');
    expect(collection.variables.has('baseUrl')).toBe(true);
    expect(collection.variables.has('apiKey')).toBe(true);
  });

  it('has exactly one request per operation of openapi.yaml, nothing else', () => {
    const operations = specOperations();
    const missing = operations.filter((op) => !requests.has(op.key)).map((op) => `${op.operationId} (${op.key})`);
    expect(missing).toEqual([]);
    expect([...requests.keys()].sort()).toEqual(operations.map((op) => op.key).sort());
    expect(operations.some((op) => op.operationId === 'getPostmanCollection')).toBe(true);
  });

  it('sends the API key on authenticated operations and no auth on public or Twilio-signed ones', () => {
    for (const op of specOperations()) {
      const auth = requests.get(op.key)?.getAuth();
      if (op.public) expect([op.operationId, auth?.type]).toEqual([op.operationId, 'noauth']);
      else expect([op.operationId, auth?.type]).toEqual([op.operationId, 'bearer']);
    }
  });

  it('authenticates with the preset auth: a request from the collection with a real key answers 200', async () => {
    const owner = await registerOrg(t, 'Postman Org');
    const created = await owner.client.POST('/api/api-keys', { body: { name: 'Postman' } });
    expect(created.response.status).toBe(201);
    const values = { baseUrl: t.url, apiKey: created.data!.key };

    const item = requests.get('GET /api/auth/user')!;
    const url = resolve(item.request.url.toString(), values);
    const auth = item.getAuth()!;
    expect(auth.type).toBe('bearer');
    const token = resolve(String(auth.parameters().get('token')), values);
    const response = await fetch(url, { method: item.request.method, headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { email: string }).email).toBe(owner.email);

    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(401);
  });
});
