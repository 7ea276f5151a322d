// The shared store: one atomic INCR + PEXPIRE per hit, so all instances count together.
import { Redis } from 'ioredis';
import type { RateLimitStore, WindowCount } from './store.js';

const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
`;

export class RedisRateLimitStore implements RateLimitStore {
  private readonly redis: Redis;

  constructor(url: string, private readonly keyPrefix = 'ccp:rl:') {
    this.redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: true });
  }

  async hit(key: string, windowMs: number): Promise<WindowCount> {
    const [count, ttl] = (await this.redis.eval(HIT_SCRIPT, 1, this.keyPrefix + key, String(windowMs))) as [number, number];
    return { count, resetAt: Date.now() + ttl };
  }

  async peek(key: string): Promise<WindowCount | null> {
    const [[, count], [, ttl]] = (await this.redis.multi().get(this.keyPrefix + key).pttl(this.keyPrefix + key).exec()) as [[null, string | null], [null, number]];
    if (count === null || ttl <= 0) return null;
    return { count: Number(count), resetAt: Date.now() + ttl };
  }

  async close(): Promise<void> {
    await this.redis.quit();
  }
}
