import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSpec } from '../../../server/platform/spec.js';
import { registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const API_CSP = "default-src 'self'";

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

function expectStandardHeaders(response: Response): void {
  const h = response.headers;
  expect(h.get('x-api-version')).toBe('v1');
  expect(h.get('x-service-version')).toBe(PACKAGE_VERSION);
  expect(h.get('x-request-id')).toBeTruthy();
  expect(h.get('x-content-type-options')).toBe('nosniff');
  expect(h.get('x-frame-options')).toBe('DENY');
  expect(h.get('x-xss-protection')).toBe('1; mode=block');
  expect(h.get('strict-transport-security')).toMatch(/^max-age=\d+/);
  expect(h.get('content-security-policy')).toBeTruthy();
  const limit = Number(h.get('x-ratelimit-limit'));
  const remaining = Number(h.get('x-ratelimit-remaining'));
  const reset = Number(h.get('x-ratelimit-reset'));
  const window = Number(h.get('x-ratelimit-window'));
  expect(Number.isInteger(limit) && limit > 0).toBe(true);
  expect(Number.isInteger(remaining) && remaining >= 0 && remaining < limit).toBe(true);
  // The bucket's window in seconds: one minute, or seed 003's 5 / 15 / 60 minutes.
  expect([60, 300, 900, 3600]).toContain(window);
  // Epoch seconds (not milliseconds, not a delta): within the window.
  const nowSeconds = Date.now() / 1000;
  expect(reset).toBeGreaterThanOrEqual(Math.floor(nowSeconds));
  expect(reset).toBeLessThanOrEqual(Math.ceil(nowSeconds) + window + 1);
}

async function expectErrorBody(response: Response, code: string): Promise<Record<string, unknown>> {
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await response.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ code, error: expect.any(String), requestId: response.headers.get('x-request-id') });
  expect('details' in body).toBe(true);
  expect(new Date(body.timestamp as string).toISOString()).toBe(body.timestamp);
  return body;
}

describe('headers on every response', () => {
  it('sends the version, request-id, rate-limit and security headers on a 200', async () => {
    const response = await fetch(`${t.url}/health/live`);
    expect(response.status).toBe(200);
    expectStandardHeaders(response);
    expect(response.headers.get('x-request-id')).toMatch(UUID);
    expect(response.headers.get('content-security-policy')).toBe(API_CSP);
  });

  it('sends them on a 401', async () => {
    const response = await fetch(`${t.url}/api/campaigns`);
    expect(response.status).toBe(401);
    expectStandardHeaders(response);
    await expectErrorBody(response, 'UNAUTHORIZED');
  });

  it('sends them on a 404 for an unknown route, in the error format', async () => {
    const response = await fetch(`${t.url}/api/no-such-thing?x=1`);
    expect(response.status).toBe(404);
    expectStandardHeaders(response);
    const body = await expectErrorBody(response, 'RESOURCE_NOT_FOUND');
    expect(body.details).toBe('No route GET /api/no-such-thing');
  });

  it('answers 404 in the error format for a path that is not valid percent-encoding, or a path segment too long to be an id', async () => {
    const paths = ['/api/campaigns/%zz', '/api/campaigns/%E0%A4%A', '/api/no-such%', `/api/campaigns/${'a'.repeat(3000)}`];
    for (const path of paths) {
      const response = await fetch(`${t.url}${path}`);
      expect([path.slice(0, 40), response.status]).toEqual([path.slice(0, 40), 404]);
      expectStandardHeaders(response);
      await expectErrorBody(response, 'RESOURCE_NOT_FOUND');
    }
  });

  it('sends exactly the headers of an unknown route on an answer the router refused before any hook ran', async () => {
    const names = (response: Response) =>
      [...response.headers.keys()].filter((name) => !['date', 'content-length', 'connection', 'keep-alive'].includes(name)).sort();
    const unknownRoute = await fetch(`${t.url}/api/no-such-thing`);
    for (const path of ['/api/campaigns/%zz', `/api/campaigns/${'a'.repeat(3000)}`]) {
      const refused = await fetch(`${t.url}${path}`);
      expect(refused.status).toBe(404);
      expect(names(refused)).toEqual(names(unknownRoute));
      for (const name of ['content-security-policy', 'strict-transport-security', 'x-frame-options', 'referrer-policy', 'cross-origin-opener-policy']) {
        expect([name, refused.headers.get(name)]).toEqual([name, unknownRoute.headers.get(name)]);
      }
    }
  });

  it('answers 404 in the error format for an unknown method on a known path', async () => {
    const response = await fetch(`${t.url}/health/live`, { method: 'DELETE' });
    expect(response.status).toBe(404);
    expectStandardHeaders(response);
    await expectErrorBody(response, 'RESOURCE_NOT_FOUND');
  });

  it('sends them on a 400, naming the bad fields', async () => {
    const response = await fetch(`${t.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'someone@example.com', extra: true }),
    });
    expect(response.status).toBe(400);
    expectStandardHeaders(response);
    const body = await expectErrorBody(response, 'VALIDATION_ERROR');
    expect(body.details).toMatchObject({ password: 'is required', extra: 'is not allowed' });
  });

  it('answers 400 VALIDATION_ERROR for a body that is not JSON', async () => {
    const response = await fetch(`${t.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email": ',
    });
    expect(response.status).toBe(400);
    expectStandardHeaders(response);
    const body = await expectErrorBody(response, 'VALIDATION_ERROR');
    expect(body.details).toEqual({ body: 'is not valid JSON' });
  });

  it('sends them on an authenticated 200 through the SDK', async () => {
    const owner = await registerOrg(t, 'Header Org');
    const { response } = await owner.client.GET('/api/auth/user');
    expect(response.status).toBe(200);
    expectStandardHeaders(response);
  });
});

describe('X-Request-Id', () => {
  it('echoes a safe incoming id on success and in error bodies', async () => {
    const ok = await fetch(`${t.url}/health/live`, { headers: { 'X-Request-Id': 'trace-abc.123:x_Y' } });
    expect(ok.headers.get('x-request-id')).toBe('trace-abc.123:x_Y');

    const notFound = await fetch(`${t.url}/nope`, { headers: { 'X-Request-Id': 'req-42' } });
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get('x-request-id')).toBe('req-42');
    expect(((await notFound.json()) as { requestId: string }).requestId).toBe('req-42');
  });

  it.each([
    ['spaces and markup', 'abc <script>alert(1)</script>'],
    ['a header-injection attempt', 'abc%0d%0aSet-Cookie:x=1'],
    ['an id longer than 64 characters', 'a'.repeat(65)],
    ['quotes', '"quoted"'],
  ])('replaces an unsafe id (%s) with a fresh UUID, also in the error body', async (_label, unsafe) => {
    const response = await fetch(`${t.url}/api/campaigns`, { headers: { 'X-Request-Id': unsafe } });
    expect(response.status).toBe(401);
    const id = response.headers.get('x-request-id');
    expect(id).toMatch(UUID);
    expect(id).not.toBe(unsafe);
    const body = (await response.json()) as { requestId: string };
    expect(body.requestId).toBe(id);
  });

  it('gives each request its own id when none is sent', async () => {
    const ids = new Set<string | null>();
    for (let i = 0; i < 3; i += 1) ids.add((await fetch(`${t.url}/health/live`)).headers.get('x-request-id'));
    expect(ids.size).toBe(3);
    for (const id of ids) expect(id).toMatch(UUID);
  });
});

describe('health probes', () => {
  it('GET /health/live answers ok with the package version and uptime', async () => {
    const { data, response } = await t.client().GET('/health/live');
    expect(response.status).toBe(200);
    expect(data).toEqual({ status: 'ok', version: PACKAGE_VERSION, uptimeSeconds: expect.any(Number) });
    expect(Number.isInteger(data?.uptimeSeconds)).toBe(true);
    expect(data!.uptimeSeconds).toBeGreaterThanOrEqual(0);
  });

  it('GET /health/ready answers ready with the database ok', async () => {
    const { data, response } = await t.client().GET('/health/ready');
    expect(response.status).toBe(200);
    expect(data).toEqual({ status: 'ready', checks: { database: 'ok' } });
    expectStandardHeaders(response);
  });
});

describe('API documentation', () => {
  it('serves Swagger UI as HTML at /docs/', async () => {
    const response = await fetch(`${t.url}/docs/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('swagger-ui');
    expectStandardHeaders(response);
  });

  it('serves the spec at /docs/json with exactly the operationIds of openapi.yaml', async () => {
    const response = await fetch(`${t.url}/docs/json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const served = (await response.json()) as ReturnType<typeof loadSpec>;
    const operationIds = (doc: ReturnType<typeof loadSpec>) =>
      Object.values(doc.paths)
        .flatMap((item) => Object.values(item as Record<string, { operationId?: string }>))
        .map((op) => op?.operationId)
        .filter((id): id is string => typeof id === 'string')
        .sort();
    const expected = operationIds(loadSpec());
    expect(expected.length).toBeGreaterThan(20);
    expect(operationIds(served)).toEqual(expected);
    expect(served.openapi).toBe(loadSpec().openapi);
    expect(Object.keys(served.paths).sort()).toEqual(Object.keys(loadSpec().paths).sort());
  });

  it('gives Swagger UI its own CSP, different from the strict API CSP', async () => {
    const docs = await fetch(`${t.url}/docs/`);
    const api = await fetch(`${t.url}/health/live`);
    const docsCsp = docs.headers.get('content-security-policy');
    const apiCsp = api.headers.get('content-security-policy');
    expect(apiCsp).toBe(API_CSP);
    expect(docsCsp).toBeTruthy();
    expect(docsCsp).not.toBe(apiCsp);
    expect(docsCsp).toContain("default-src 'self'");
    // Swagger UI's scripts are same-origin files: the docs CSP need not (and must not) allow inline script.
    expect(docsCsp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    const html = await docs.text();
    const inlineScripts = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>/g)];
    expect(inlineScripts).toEqual([]);
  });
});
