import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyRequest } from 'fastify';
import { loadConfig, rateLimitPolicies } from '../../../server/platform/config.js';
import { createRateLimiter } from '../../../server/platform/http/rate-limit/hook.js';
import { RedisRateLimitStore } from '../../../server/platform/http/rate-limit/redis-store.js';
import { registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
// One prefix per run, so parallel or repeated runs never see each other's counts.
const PREFIX = `ccp:test:${process.pid}:${randomBytes(4).toString('hex')}:`;

let admin: Redis;
const stores: RedisRateLimitStore[] = [];

function newStore(prefix = PREFIX): RedisRateLimitStore {
  const store = new RedisRateLimitStore(REDIS_URL, prefix);
  stores.push(store);
  return store;
}

function uniqueKey(label: string): string {
  return `${label}:${randomBytes(4).toString('hex')}`;
}

beforeAll(() => {
  admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  const keys = await admin.keys(`${PREFIX}*`);
  if (keys.length > 0) await admin.del(...keys);
  await Promise.all(stores.map((s) => s.close()));
  await admin.quit();
});

describe('RedisRateLimitStore', () => {
  it('counts hits on a key, starting at 1', async () => {
    const store = newStore();
    const key = uniqueKey('count');
    const counts = [];
    for (let i = 0; i < 5; i += 1) counts.push((await store.hit(key, 60_000)).count);
    expect(counts).toEqual([1, 2, 3, 4, 5]);
    expect(await admin.get(PREFIX + key)).toBe('5');
    // Another key starts on its own.
    expect((await store.hit(uniqueKey('other'), 60_000)).count).toBe(1);
  });

  it('sets the window TTL on the first hit, reports resetAt from it, and never extends it', async () => {
    const store = newStore();
    const key = uniqueKey('ttl');
    const before = Date.now();
    const first = await store.hit(key, 60_000);
    const pttl = await admin.pttl(PREFIX + key);
    expect(pttl).toBeGreaterThan(55_000);
    expect(pttl).toBeLessThanOrEqual(60_000);
    expect(first.resetAt).toBeGreaterThanOrEqual(before + 55_000);
    expect(first.resetAt).toBeLessThanOrEqual(Date.now() + 60_000);

    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = await store.hit(key, 60_000);
    expect(second.count).toBe(2);
    // A fixed window: later hits do not push the end out.
    expect(Math.abs(second.resetAt - first.resetAt)).toBeLessThan(30);
    expect(await admin.pttl(PREFIX + key)).toBeLessThanOrEqual(pttl);
  });

  it('starts a new window once the old one has expired', async () => {
    const store = newStore();
    const key = uniqueKey('rollover');
    expect((await store.hit(key, 300)).count).toBe(1);
    expect((await store.hit(key, 300)).count).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(await admin.exists(PREFIX + key)).toBe(0);
    const fresh = await store.hit(key, 300);
    expect(fresh.count).toBe(1);
    expect(fresh.resetAt).toBeGreaterThan(Date.now());
  });

  it('repairs a key that lost its expiry instead of counting it forever', async () => {
    const store = newStore();
    const key = uniqueKey('no-ttl');
    await admin.set(PREFIX + key, '7');
    const hit = await store.hit(key, 60_000);
    expect(hit.count).toBe(8);
    const pttl = await admin.pttl(PREFIX + key);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(60_000);
  });

  it('shares counts between two store instances (as two app instances would)', async () => {
    const one = newStore();
    const two = newStore();
    const key = uniqueKey('shared');
    expect((await one.hit(key, 60_000)).count).toBe(1);
    expect((await two.hit(key, 60_000)).count).toBe(2);
    expect((await one.hit(key, 60_000)).count).toBe(3);
    const concurrent = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? one : two).hit(key, 60_000)));
    expect(concurrent.map((w) => w.count).sort((a, b) => a - b)).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  });

  it('keeps stores with different prefixes apart', async () => {
    const a = newStore(`${PREFIX}a:`);
    const b = newStore(`${PREFIX}b:`);
    const key = uniqueKey('prefixed');
    await a.hit(key, 60_000);
    await a.hit(key, 60_000);
    expect((await b.hit(key, 60_000)).count).toBe(1);
  });
});

describe('an app on the Redis store', () => {
  let t1: TestApp;
  let t2: TestApp;
  beforeAll(async () => {
    const prefix = `${PREFIX}app:`;
    const env = { RATE_LIMITS: 'general=3,login=1000' };
    t1 = await startTestApp({ env, rateLimitStore: new RedisRateLimitStore(REDIS_URL, prefix) });
    t2 = await startTestApp({ env, rateLimitStore: new RedisRateLimitStore(REDIS_URL, prefix) });
  });
  afterAll(async () => {
    await t1?.close();
    await t2?.close();
  });

  it('enforces the general limit: the 4th request is 429 with Retry-After', async () => {
    const owner = await registerOrg(t1, 'Redis Org');
    for (const remaining of ['2', '1', '0']) {
      const { response } = await owner.client.GET('/api/auth/user');
      expect(response.status).toBe(200);
      expect(response.headers.get('x-ratelimit-remaining')).toBe(remaining);
    }
    const { response, error } = await owner.client.GET('/api/auth/user');
    expect(response.status).toBe(429);
    expect(error?.code).toBe('RATE_LIMIT_EXCEEDED');
    expect(response.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(response.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    const reset = Number(response.headers.get('x-ratelimit-reset'));
    expect(reset).toBeGreaterThan(Math.floor(Date.now() / 1000) - 1);
    expect(reset).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 60);
    expect(await admin.keys(`${PREFIX}app:general:*`)).not.toEqual([]);
  });

  it('counts across two app instances sharing the Redis store', async () => {
    // Anonymous requests from 127.0.0.1 to either instance share one per-IP budget.
    const statuses = [];
    for (const t of [t1, t2, t1, t2]) statuses.push((await fetch(`${t.url}/health/live`)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});

describe('the limiter over Redis: windows and bursts', () => {
  const req = () => ({ log: { warn: () => undefined }, rateLimitHeaders: null }) as unknown as FastifyRequest;

  it('lets 5 analytics requests through, refuses the 6th by the 90 s burst window, and keeps the long window unspent by it', async () => {
    const store = newStore();
    const limiter = createRateLimiter(store, rateLimitPolicies(loadConfig({}).rateLimits));
    const caller = uniqueKey('user');
    for (let i = 0; i < 5; i += 1) {
      const r = req();
      await limiter.consume(r, 'analytics', caller, true);
      expect(r.rateLimitHeaders).toMatchObject({ limit: 50, remaining: 49 - i, window: 900 });
    }
    const refused = req();
    await expect(limiter.consume(refused, 'analytics', caller, true)).rejects.toMatchObject({ code: 'RATE_LIMIT_EXCEEDED' });
    expect(refused.rateLimitHeaders).toMatchObject({ limit: 5, remaining: 0, window: 90 });
    expect(refused.rateLimitHeaders!.retryAfter).toBeLessThanOrEqual(90);
    // The refused request did not count in the 15-minute window.
    expect(await store.peek(`analytics:${caller}`)).toMatchObject({ count: 5 });
  });
});
