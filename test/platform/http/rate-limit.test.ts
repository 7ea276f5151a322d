import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyRequest } from 'fastify';
import { loadConfig, rateLimitPolicies } from '../../../server/platform/config.js';
import { createRateLimiter } from '../../../server/platform/http/rate-limit/hook.js';
import { MemoryRateLimitStore } from '../../../server/platform/http/rate-limit/store.js';
import { makeMp3 } from '../../crm/audio-fixtures.js';
import { upload } from '../../crm/audio-helpers.js';
import { PASSWORD, registerOrg, uniqueEmail } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

interface RateLimitHeaders {
  limit: number;
  remaining: number;
  reset: number;
  retryAfter: string | null;
}

function rateHeaders(response: Response): RateLimitHeaders {
  return {
    limit: Number(response.headers.get('x-ratelimit-limit')),
    remaining: Number(response.headers.get('x-ratelimit-remaining')),
    reset: Number(response.headers.get('x-ratelimit-reset')),
    retryAfter: response.headers.get('retry-after'),
  };
}

/** A 429 in the error format, with Retry-After (within the window, default one minute) and nothing left in the window. */
async function expectRateLimited(response: Response, limit: number, sdkError?: unknown, windowSeconds?: number): Promise<void> {
  expect(response.status).toBe(429);
  const headers = rateHeaders(response);
  expect(headers.limit).toBe(limit);
  expect(headers.remaining).toBe(0);
  const retryAfter = Number(headers.retryAfter);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds ?? 60);
  if (windowSeconds !== undefined) expect(Number(response.headers.get('x-ratelimit-window'))).toBe(windowSeconds);
  // The SDK has already read the body of its responses and hands it over as `error`.
  const body = (sdkError ?? (await response.json())) as { code: string; details: unknown; requestId: string };
  expect(body.code).toBe('RATE_LIMIT_EXCEEDED');
  expect(body.details).toEqual({ limit, retryAfterSeconds: retryAfter });
  expect(body.requestId).toBe(response.headers.get('x-request-id'));
}

describe('general limit (general=3)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { RATE_LIMITS: 'general=3,login=1000' } });
  });
  afterAll(async () => t.close());

  it('counts per session user: two users on the same IP have separate budgets', async () => {
    const alice = await registerOrg(t, 'Alice Org');
    const bob = await registerOrg(t, 'Bob Org');
    for (const expectedRemaining of [2, 1, 0]) {
      const { response } = await alice.client.GET('/api/auth/user');
      expect(response.status).toBe(200);
      expect(rateHeaders(response)).toMatchObject({ limit: 3, remaining: expectedRemaining, retryAfter: null });
    }
    const fourth = await alice.client.GET('/api/auth/user');
    await expectRateLimited(fourth.response, 3, fourth.error);

    // Bob, on the same IP, still has his whole budget.
    const bobs = await bob.client.GET('/api/auth/user');
    expect(bobs.response.status).toBe(200);
    expect(rateHeaders(bobs.response)).toMatchObject({ limit: 3, remaining: 2 });
    // And so does the anonymous budget of the IP itself.
    const anonymous = await fetch(`${t.url}/health/live`);
    expect(anonymous.status).toBe(200);
    expect(rateHeaders(anonymous).remaining).toBe(2);
    // Alice stays limited.
    expect((await alice.client.GET('/api/campaigns')).response.status).toBe(429);
  });

  it('counts per API key, apart from the session of the key creator', async () => {
    const owner = await registerOrg(t, 'Key Org');
    const created = await owner.client.POST('/api/api-keys', { body: { name: 'partner', role: 'agent' } });
    expect(created.response.status).toBe(201);
    expect(rateHeaders(created.response).remaining).toBe(2);
    const partner = t.client({ apiKey: created.data!.key });
    for (const expectedRemaining of [2, 1, 0]) {
      const { response } = await partner.GET('/api/campaigns');
      expect(response.status).toBe(200);
      expect(rateHeaders(response).remaining).toBe(expectedRemaining);
    }
    const fourth = await partner.GET('/api/campaigns');
    await expectRateLimited(fourth.response, 3, fourth.error);

    // The owner's session budget was not touched by the key's requests.
    const mine = await owner.client.GET('/api/campaigns');
    expect(mine.response.status).toBe(200);
    expect(rateHeaders(mine.response).remaining).toBe(1);

    // A second key of the same organisation has its own budget.
    const second = await owner.client.POST('/api/api-keys', { body: { name: 'second', role: 'agent' } });
    expect(second.response.status).toBe(201);
    const other = await t.client({ apiKey: second.data!.key }).GET('/api/campaigns');
    expect(other.response.status).toBe(200);
    expect(rateHeaders(other.response).remaining).toBe(2);
  });

  it('does not give a made-up bearer token a fresh budget of its own', async () => {
    // Exhaust the anonymous budget of this IP (one request may already be used above).
    let last: Response | undefined;
    for (let i = 0; i < 4; i += 1) last = await fetch(`${t.url}/health/ready`);
    expect(last!.status).toBe(429);
    // Rotating invented keys must not be a way around the per-IP limit.
    for (const token of ['made-up-1', 'made-up-2', 'made-up-3']) {
      const response = await fetch(`${t.url}/health/ready`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status, `Bearer ${token} escaped the IP limit`).toBe(429);
    }
  });

  it('counts paths the router cannot read (bad percent-encoding, an over-long segment) like unknown routes: a scanner is limited too', async () => {
    // A fresh app: the IP budget of 127.0.0.1 here is shared with the other tests of this block.
    const scan = await startTestApp({ env: { RATE_LIMITS: 'general=3,login=1000' } });
    try {
      const paths = ['/api/campaigns/%zz', '/api/no-such-thing', `/api/campaigns/${'a'.repeat(3000)}`];
      for (const [i, path] of paths.entries()) {
        const response = await fetch(`${scan.url}${path}`);
        expect([path.slice(0, 30), response.status]).toEqual([path.slice(0, 30), 404]);
        expect(rateHeaders(response)).toMatchObject({ limit: 3, remaining: 2 - i });
      }
      await expectRateLimited(await fetch(`${scan.url}/api/campaigns/%zz`), 3);
      await expectRateLimited(await fetch(`${scan.url}/api/no-such-thing`), 3);
    } finally {
      await scan.close();
    }
  });

  it('sends X-RateLimit-Reset as epoch seconds within the next 60 s', async () => {
    const owner = await registerOrg(t, 'Reset Org');
    const before = Date.now();
    const { response } = await owner.client.GET('/api/auth/user');
    const after = Date.now();
    const { reset } = rateHeaders(response);
    expect(Number.isInteger(reset)).toBe(true);
    expect(reset).toBeGreaterThan(Math.floor(before / 1000));
    expect(reset).toBeLessThanOrEqual(Math.ceil(after / 1000) + 60);
    // The same window: a second request reports the same reset.
    const again = await owner.client.GET('/api/auth/user');
    expect(rateHeaders(again.response).reset).toBe(reset);
  });
});

describe('login limit (login=2, TRUST_PROXY)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { RATE_LIMITS: 'general=1000,login=2', TRUST_PROXY: 'true' } });
  });
  afterAll(async () => t.close());

  function login(ip: string, email: string, password = 'wrong-password', path = '/api/login') {
    return fetch(`${t.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
      body: JSON.stringify({ email, password }),
    });
  }

  it('allows 2 login attempts per 5 minutes per IP (seed 003), then 429', async () => {
    const first = await login('203.0.113.1', uniqueEmail());
    expect(first.status).toBe(401);
    expect(rateHeaders(first)).toMatchObject({ limit: 2, remaining: 1 });
    const second = await login('203.0.113.1', uniqueEmail());
    expect(second.status).toBe(401);
    expect(rateHeaders(second)).toMatchObject({ limit: 2, remaining: 0 });
    await expectRateLimited(await login('203.0.113.1', uniqueEmail()), 2, undefined, 300);
    // Another IP is not affected.
    expect((await login('203.0.113.2', uniqueEmail())).status).toBe(401);
  });

  it('shares the per-IP login bucket between /api/login, /api/auth/login and /api/auth/register', async () => {
    const ip = '203.0.113.10';
    expect((await login(ip, uniqueEmail())).status).toBe(401);
    expect((await login(ip, uniqueEmail(), 'wrong-password', '/api/auth/login')).status).toBe(401);
    const register = await fetch(`${t.url}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
      body: JSON.stringify({ organizationName: 'Too Many', email: uniqueEmail(), password: PASSWORD }),
    });
    await expectRateLimited(register, 2, undefined, 300);
  });

  it('does not lock an account for everyone: wrong guesses from other IPs leave the owner\'s right password working', async () => {
    const owner = await registerOrg(t, 'Target Org');
    // Wrong guesses from three IPs (more than the login limit of 2)...
    expect((await login('198.51.100.1', owner.email)).status).toBe(401);
    expect((await login('198.51.100.2', owner.email.toUpperCase())).status).toBe(401);
    expect((await login('198.51.100.3', owner.email)).status).toBe(401);
    // ...slow the guessing address down (a backoff, 429) but not the owner, from a fresh IP, on
    // either login path (test/accounts/auth/login-lockout.test.ts covers the backoff).
    await expectRateLimited(await login('198.51.100.3', owner.email), 2);
    expect((await login('198.51.100.4', owner.email, PASSWORD)).status).toBe(200);
    expect((await login('198.51.100.5', owner.email, PASSWORD, '/api/auth/login')).status).toBe(200);
  });

  it('uses the X-Forwarded-For IP for the general bucket of anonymous requests too', async () => {
    const a = await fetch(`${t.url}/health/live`, { headers: { 'x-forwarded-for': '192.0.2.50' } });
    const a2 = await fetch(`${t.url}/health/live`, { headers: { 'x-forwarded-for': '192.0.2.50' } });
    const b = await fetch(`${t.url}/health/live`, { headers: { 'x-forwarded-for': '192.0.2.51' } });
    expect(rateHeaders(a).remaining).toBe(999);
    expect(rateHeaders(a2).remaining).toBe(998);
    expect(rateHeaders(b).remaining).toBe(999);
  });

  it('takes the address the proxy saw, not one the client wrote into X-Forwarded-For before it', async () => {
    // The proxy appends the address it was reached from; whatever the client sent stays in front.
    const spoofed = (fake: string) => login(`${fake}, 203.0.113.77`, uniqueEmail());
    expect((await spoofed('10.9.9.1')).status).toBe(401);
    expect((await spoofed('10.9.9.2')).status).toBe(401);
    await expectRateLimited(await spoofed('10.9.9.3'), 2, undefined, 300);
    await expectRateLimited(await login('203.0.113.77', uniqueEmail()), 2, undefined, 300);
  });
});

describe('without TRUST_PROXY', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { RATE_LIMITS: 'general=1000,login=2' } });
  });
  afterAll(async () => t.close());

  it('ignores X-Forwarded-For, so a client cannot spoof its way past the login limit', async () => {
    const attempt = (ip: string) =>
      fetch(`${t.url}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
        body: JSON.stringify({ email: uniqueEmail(), password: 'wrong-password' }),
      });
    expect((await attempt('10.0.0.1')).status).toBe(401);
    expect((await attempt('10.0.0.2')).status).toBe(401);
    await expectRateLimited(await attempt('10.0.0.3'), 2, undefined, 300);
  });
});

describe("seed 003's categories: uploads per hour, analytics per 15 minutes with bursts", () => {
  let t: TestApp;
  beforeAll(async () => {
    // analytics at its default (50 per 15 minutes, bursts of 5 per 90 s); uploads lowered to 2 per hour.
    t = await startTestApp({ env: { RATE_LIMITS: 'general=1000,login=1000,uploads=2' } });
  });
  afterAll(async () => t.close());

  it('counts audio uploads in their own hourly bucket, apart from the general one', async () => {
    const owner = await registerOrg(t, 'Upload Org');
    for (const expectedRemaining of [1, 0]) {
      const { response } = await upload(owner.client, { data: makeMp3(5) });
      expect(response.status).toBe(201);
      expect(rateHeaders(response)).toMatchObject({ limit: 2, remaining: expectedRemaining });
      expect(response.headers.get('x-ratelimit-window')).toBe('3600');
    }
    const third = await upload(owner.client, { data: makeMp3(5) });
    await expectRateLimited(third.response, 2, third.error, 3600);
    expect(Number(third.response.headers.get('retry-after'))).toBeGreaterThan(60);
    // Nothing was stored by the refused upload, and the general budget is untouched.
    const list = await owner.client.GET('/api/audio');
    expect(list.data!.pagination.total).toBe(2);
    expect(rateHeaders(list.response)).toMatchObject({ limit: 1000 });
    expect(list.response.headers.get('x-ratelimit-window')).toBe('60');
  });

  it('lets 5 analytics requests through in quick succession, then 429 for the burst window (90 s), per caller', async () => {
    const owner = await registerOrg(t, 'Analytics Org');
    for (let i = 0; i < 5; i += 1) {
      const { response } = await owner.client.GET('/api/stats/dashboard');
      expect(response.status).toBe(200);
      // The headers describe the 15-minute window of 50.
      expect(rateHeaders(response)).toMatchObject({ limit: 50, remaining: 49 - i });
      expect(response.headers.get('x-ratelimit-window')).toBe('900');
    }
    const sixth = await owner.client.GET('/api/reports/call-analytics');
    await expectRateLimited(sixth.response, 5, sixth.error, 90);
    // Another user has its own budget; other operations are not analytics.
    const other = await registerOrg(t, 'Other Analytics Org');
    expect((await other.client.GET('/api/stats/dashboard')).response.status).toBe(200);
    expect((await owner.client.GET('/api/campaigns')).response.status).toBe(200);
  });
});

describe("seed 003's Call Logging category over HTTP: call logs and follow-ups in call_logs, a lead's timeline in leads", () => {
  let t: TestApp;
  beforeAll(async () => {
    // call_logs at its default (200 per 15 minutes, bursts of 20 per 90 s); leads raised to 300.
    t = await startTestApp({ env: { RATE_LIMITS: 'general=1000,login=1000,leads=300' } });
  });
  afterAll(async () => t.close());

  it('counts every call-log and follow-up operation against one 15-minute budget with bursts of 20', async () => {
    const owner = await registerOrg(t, 'Call Logging Org');
    const lead = await owner.client.POST('/api/leads', { body: { phone: '+14155550901' } });
    expect(rateHeaders(lead.response)).toMatchObject({ limit: 300 });
    const leadId = lead.data!.id;
    const created = await owner.client.POST('/api/call-logs', { body: { leadId, outcome: 'Busy', scheduledFollowUp: '2030-01-01T09:00:00Z' } });
    expect(created.response.status).toBe(201);
    const requests = [
      () => owner.client.GET('/api/call-logs'),
      () => owner.client.GET('/api/call-logs/{id}', { params: { path: { id: created.data!.id } } }),
      () => owner.client.PUT('/api/call-logs/{id}', { params: { path: { id: created.data!.id } }, body: { notes: 'again' } }),
      () => owner.client.GET('/api/follow-ups'),
      () => owner.client.GET('/api/follow-ups/{id}', { params: { path: { id: created.data!.followUp!.id } } }),
    ];
    for (let i = 1; i < 20; i += 1) {
      const { response } = await requests[i % requests.length]!();
      expect(response.status).toBe(200);
      expect(rateHeaders(response)).toMatchObject({ limit: 200, remaining: 199 - i });
      expect(response.headers.get('x-ratelimit-window')).toBe('900');
    }
    const refused = await owner.client.GET('/api/follow-ups');
    await expectRateLimited(refused.response, 20, refused.error, 90);
    // The timeline is a lead operation: its own budget.
    const timeline = await owner.client.GET('/api/leads/{id}/activity', { params: { path: { id: leadId } } });
    expect(timeline.response.status).toBe(200);
    expect(rateHeaders(timeline.response)).toMatchObject({ limit: 300 });
  });
});

describe('createRateLimiter: windows and bursts (leads, call_logs)', () => {
  const req = () => ({ log: { warn: () => undefined }, rateLimitHeaders: null }) as unknown as FastifyRequest;
  const limited = (fn: () => unknown) => {
    try {
      fn();
      return false;
    } catch (err) {
      return (err as { code?: string }).code === 'RATE_LIMIT_EXCEEDED';
    }
  };

  it('allows a burst of 10 lead requests, then waits out the 90 s burst window, up to 100 per 15 minutes', () => {
    let now = 0;
    const store = new MemoryRateLimitStore(() => now);
    const limiter = createRateLimiter(store, rateLimitPolicies(loadConfig({}).rateLimits));
    const hit = () => limited(() => limiter.consume(req(), 'leads', 'user:1', true));
    const seen: boolean[] = [];
    // 15 minutes = ten burst windows of 90 s: ten requests pass in each, the rest are refused.
    for (let window = 0; window < 10; window += 1) {
      now = window * 90_000;
      for (let i = 0; i < 12; i += 1) seen.push(hit());
    }
    expect(seen.filter((refused) => !refused)).toHaveLength(100);
    expect(seen.slice(0, 12)).toEqual([...Array(10).fill(false), true, true]);
    // The 15-minute window is spent: a fresh burst window does not help until it ends.
    now = 10 * 90_000 - 1;
    expect(hit()).toBe(true);
    now = 15 * 60_000;
    expect(hit()).toBe(false);
    // Another caller, and another bucket, count apart.
    expect(limited(() => limiter.consume(req(), 'call_logs', 'user:1', true))).toBe(false);
  });

  it('reports the burst limit when the burst refuses, the main window otherwise', () => {
    const store = new MemoryRateLimitStore(() => 0);
    const limiter = createRateLimiter(store, rateLimitPolicies(loadConfig({}).rateLimits));
    const last = req();
    for (let i = 0; i < 20; i += 1) limiter.consume(req(), 'call_logs', 'key:a', true);
    expect(limited(() => limiter.consume(last, 'call_logs', 'key:a', true))).toBe(true);
    expect(last.rateLimitHeaders).toMatchObject({ limit: 20, remaining: 0, window: 90 });
    const first = req();
    limiter.consume(first, 'call_logs', 'key:b', true);
    expect(first.rateLimitHeaders).toMatchObject({ limit: 200, remaining: 199, window: 900 });
  });
});

describe('MemoryRateLimitStore', () => {
  it.each([
    ['the first hit opens a window', [0], [{ count: 1, resetAt: 1_000_000 + 60_000 }]],
    ['hits in the window count up and keep its end', [0, 10_000, 59_999], [
      { count: 1, resetAt: 1_060_000 },
      { count: 2, resetAt: 1_060_000 },
      { count: 3, resetAt: 1_060_000 },
    ]],
    ['the window ends exactly at resetAt and a new one starts', [0, 30_000, 60_000, 70_000], [
      { count: 1, resetAt: 1_060_000 },
      { count: 2, resetAt: 1_060_000 },
      { count: 1, resetAt: 1_120_000 },
      { count: 2, resetAt: 1_120_000 },
    ]],
    ['a long pause starts a fresh window', [0, 5_000, 500_000], [
      { count: 1, resetAt: 1_060_000 },
      { count: 2, resetAt: 1_060_000 },
      { count: 1, resetAt: 1_560_000 },
    ]],
  ] as const)('%s', async (_label, offsets, expected) => {
    let now = 1_000_000;
    const store = new MemoryRateLimitStore(() => now);
    const seen = [];
    for (const offset of offsets) {
      now = 1_000_000 + offset;
      seen.push(await store.hit('general:user:1', 60_000));
    }
    expect(seen).toEqual(expected);
  });

  it('keeps keys apart and returns copies the caller cannot tamper with', async () => {
    let now = 0;
    const store = new MemoryRateLimitStore(() => now);
    const a1 = await store.hit('a', 1000);
    a1.count = 999;
    expect(await store.hit('a', 1000)).toEqual({ count: 2, resetAt: 1000 });
    expect(await store.hit('b', 1000)).toEqual({ count: 1, resetAt: 1000 });
    now = 999;
    expect((await store.hit('a', 1000)).count).toBe(3);
    now = 1000;
    expect(await store.hit('a', 1000)).toEqual({ count: 1, resetAt: 2000 });
    expect(await store.hit('b', 1000)).toEqual({ count: 1, resetAt: 2000 });
  });

  it('forgets everything on close', async () => {
    const store = new MemoryRateLimitStore(() => 0);
    await store.hit('k', 1000);
    await store.hit('k', 1000);
    await store.close();
    expect((await store.hit('k', 1000)).count).toBe(1);
  });
});

describe('MemoryRateLimitStore.peek', () => {
  it('shows the open window without counting, and nothing once it has ended', () => {
    let now = 1_000_000;
    const store = new MemoryRateLimitStore(() => now);
    expect(store.peek('k')).toBeNull();
    store.hit('k', 2_000);
    expect(store.peek('k')).toEqual({ count: 1, resetAt: 1_002_000 });
    expect(store.peek('k')).toEqual({ count: 1, resetAt: 1_002_000 });
    now = 1_002_000;
    expect(store.peek('k')).toBeNull();
  });
});
