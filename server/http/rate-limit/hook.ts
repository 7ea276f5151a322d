// Counts each request in its bucket (from the operation's x-rate-limit, default "general") and
// sets X-RateLimit-* on every response; over the limit answers 429 RATE_LIMIT_EXCEEDED.
// Identity: the verified API key or session user for authenticated operations, else the IP.
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

export function installRateLimit(app: FastifyInstance, limiter: RateLimiter): void {
  app.decorateRequest('rateLimitHeaders', null);
  // Public routes and unknown paths count per IP here; authenticated operations count in their
  // own onRequest once the caller is verified, Twilio webhooks only when their signature fails
  // (routes.ts).
  app.addHook('onRequest', async (req) => {
    // Twilio webhooks are counted only when unsigned or badly signed (routes.ts).
    if (req.routeOptions.config?.authenticated || req.routeOptions.config?.twilioSigned) return;
    const bucket: RateLimitBucket = req.routeOptions.config?.rateLimit ?? 'general';
    await limiter.consume(req, bucket, `ip:${req.ip}`, true);
  });
  app.addHook('onSend', (req, reply, payload, done) => {
    const headers = req.rateLimitHeaders;
    if (headers) {
      reply.header('X-RateLimit-Limit', headers.limit);
      reply.header('X-RateLimit-Remaining', headers.remaining);
      reply.header('X-RateLimit-Reset', headers.reset);
      if (headers.retryAfter !== undefined) reply.header('Retry-After', headers.retryAfter);
    }
    done(null, payload);
  });
}
