// Counts each request in its bucket (from the operation's x-rate-limit, default "general") and
// sets X-RateLimit-* on every response; over the limit answers 429 RATE_LIMIT_EXCEEDED.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RateLimitBucket } from '../../config.js';
import { ERRORS } from '../../errors.js';
import type { RateLimitStore } from './store.js';

export const WINDOW_MS = 60_000;

export interface RateLimiter {
  /** Count one request under `key` in `bucket`; throws 429 when over the limit. */
  consume(req: FastifyRequest, bucket: RateLimitBucket, key: string, setHeaders: boolean): Promise<void>;
}

export function createRateLimiter(store: RateLimitStore, limits: Readonly<Record<RateLimitBucket, number>>): RateLimiter {
  return {
    async consume(req, bucket, key, setHeaders) {
      const limit = limits[bucket];
      let window;
      try {
        window = await store.hit(`${bucket}:${key}`, WINDOW_MS);
      } catch (err) {
        // A store outage must not take the API down: count nothing, say so in the log.
        req.log.warn({ err }, 'rate-limit store unavailable; request not counted');
        return;
      }
      const remaining = Math.max(0, limit - window.count);
      const resetSeconds = Math.ceil(window.resetAt / 1000);
      if (setHeaders) {
        req.rateLimitHeaders = { limit, remaining, reset: resetSeconds };
      }
      if (window.count > limit) {
        const retryAfter = Math.max(1, Math.ceil((window.resetAt - Date.now()) / 1000));
        req.rateLimitHeaders = { limit, remaining: 0, reset: resetSeconds, retryAfter };
        throw ERRORS.rateLimited(limit, retryAfter);
      }
    },
  };
}

function bearerToken(req: FastifyRequest): string | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1] ?? null;
}

/** Who a request counts against in the general bucket: its API key, session user, or IP. */
export function principalKey(req: FastifyRequest): string {
  const token = bearerToken(req);
  if (token) return `key:${createHash('sha256').update(token).digest('hex').slice(0, 24)}`;
  const uid = req.session?.get('uid');
  if (typeof uid === 'number') return `user:${uid}`;
  return `ip:${req.ip}`;
}

export function installRateLimit(app: FastifyInstance, limiter: RateLimiter): void {
  app.decorateRequest('rateLimitHeaders', null);
  app.addHook('onRequest', async (req) => {
    const bucket: RateLimitBucket = req.routeOptions.config?.rateLimit ?? 'general';
    const key = bucket === 'general' ? principalKey(req) : `ip:${req.ip}`;
    await limiter.consume(req, bucket, key, true);
  });
  app.addHook('onSend', async (req, reply) => {
    const headers = req.rateLimitHeaders;
    if (!headers) return;
    reply.header('X-RateLimit-Limit', headers.limit);
    reply.header('X-RateLimit-Remaining', headers.remaining);
    reply.header('X-RateLimit-Reset', headers.reset);
    if (headers.retryAfter !== undefined) reply.header('Retry-After', headers.retryAfter);
  });
}
