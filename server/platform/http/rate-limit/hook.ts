// Counts each request in its bucket (from the operation's x-rate-limit, default "general") and
// sets X-RateLimit-* on every response; over the limit answers 429 RATE_LIMIT_EXCEEDED.
// Identity: the verified API key or session user for authenticated operations, else the IP.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RateLimitBucket } from '../../config.js';
import { ERRORS } from '../../errors.js';
import type { RateLimitStore, WindowCount } from './store.js';

export const WINDOW_MS = 60_000;

export interface RateLimiter {
  /**
   * Count one request under `key` in `bucket`; 429 when over the limit — thrown at once when the
   * store answers at once (memory), else a promise (Redis). Callers `await` it either way.
   */
  consume(req: FastifyRequest, bucket: RateLimitBucket, key: string, setHeaders: boolean): void | Promise<void>;
}

export function createRateLimiter(store: RateLimitStore, limits: Readonly<Record<RateLimitBucket, number>>): RateLimiter {
  // A store outage must not take the API down: count nothing, say so in the log.
  const unavailable = (req: FastifyRequest, err: unknown) => req.log.warn({ err }, 'rate-limit store unavailable; request not counted');
  const judge = (req: FastifyRequest, limit: number, window: WindowCount, setHeaders: boolean): void => {
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
  };
  return {
    consume(req, bucket, key, setHeaders) {
      const limit = limits[bucket];
      let counted: WindowCount | Promise<WindowCount>;
      try {
        counted = store.hit(`${bucket}:${key}`, WINDOW_MS);
      } catch (err) {
        unavailable(req, err);
        return;
      }
      if (!(counted instanceof Promise)) return judge(req, limit, counted, setHeaders);
      return counted.then(
        (window) => judge(req, limit, window, setHeaders),
        (err: unknown) => unavailable(req, err),
      );
    },
  };
}

export function installRateLimit(app: FastifyInstance, limiter: RateLimiter): void {
  app.decorateRequest('rateLimitHeaders', null);
  // Public routes and unknown paths count per IP here; authenticated operations count in their
  // own onRequest once the caller is verified, Twilio webhooks only when their signature fails
  // (routes.ts).
  // A callback hook: with the memory store the count is made without a promise (every public
  // request, the DNI fast path included, passes here).
  app.addHook('onRequest', (req, _reply, done) => {
    // Twilio webhooks are counted only when unsigned or badly signed (routes.ts).
    if (req.routeOptions.config?.authenticated || req.routeOptions.config?.twilioSigned) return done();
    const bucket: RateLimitBucket = req.routeOptions.config?.rateLimit ?? 'general';
    let pending: void | Promise<void>;
    try {
      pending = limiter.consume(req, bucket, `ip:${req.ip}`, true);
    } catch (err) {
      return done(err as Error);
    }
    if (pending) pending.then(() => done(), done);
    else done();
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
