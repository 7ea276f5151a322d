// Counts each request in its bucket (from the operation's x-rate-limit, default "general") and
// sets X-RateLimit-* on every response; over the limit answers 429 RATE_LIMIT_EXCEEDED.
// Identity: the verified API key or session user for authenticated operations, else the source
// address (an IPv6 one as its /64: client-network.ts).
// Each bucket has its own fixed window (one minute, or seed 003's 5 / 15 / 60 minutes) and, for
// seed 003's lead, call-log and analytics categories, a short burst window counted beside it:
// a request must fit both. X-RateLimit-Window says the window's length in seconds (seed 003).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RateLimitBucket, RateLimitPolicy } from '../../config.js';
import { ERRORS } from '../../errors.js';
import { clientNetwork } from '../client-network.js';
import type { RateLimitStore, WindowCount } from './store.js';

export interface RateLimiter {
  /**
   * Count one request under `key` in `bucket`; 429 when over the limit — thrown at once when the
   * store answers at once (memory), else a promise (Redis). Callers `await` it either way.
   */
  consume(req: FastifyRequest, bucket: RateLimitBucket, key: string, setHeaders: boolean): void | Promise<void>;
}

export function createRateLimiter(store: RateLimitStore, policies: Readonly<Record<RateLimitBucket, RateLimitPolicy>>): RateLimiter {
  // A store outage must not take the API down: count nothing, say so in the log.
  const unavailable = (req: FastifyRequest, err: unknown) => req.log.warn({ err }, 'rate-limit store unavailable; request not counted');
  const refuse = (req: FastifyRequest, limit: number, windowMs: number, window: WindowCount): never => {
    const retryAfter = Math.max(1, Math.ceil((window.resetAt - Date.now()) / 1000));
    req.rateLimitHeaders = { limit, remaining: 0, reset: Math.ceil(window.resetAt / 1000), window: windowMs / 1000, retryAfter };
    throw ERRORS.rateLimited(limit, retryAfter);
  };
  const judgeMain = (req: FastifyRequest, policy: RateLimitPolicy, main: WindowCount, setHeaders: boolean): void => {
    if (setHeaders) {
      req.rateLimitHeaders = { limit: policy.limit, remaining: Math.max(0, policy.limit - main.count), reset: Math.ceil(main.resetAt / 1000), window: policy.windowMs / 1000 };
    }
    if (main.count > policy.limit) refuse(req, policy.limit, policy.windowMs, main);
  };
  /** Count in the main window (memory: at once; Redis: a promise). */
  const countMain = (req: FastifyRequest, bucket: RateLimitBucket, key: string, policy: RateLimitPolicy, setHeaders: boolean): void | Promise<void> => {
    let main: WindowCount | Promise<WindowCount>;
    try {
      main = store.hit(`${bucket}:${key}`, policy.windowMs);
    } catch (err) {
      return unavailable(req, err);
    }
    if (!(main instanceof Promise)) return judgeMain(req, policy, main, setHeaders);
    return main.then(
      (window) => judgeMain(req, policy, window, setHeaders),
      (err: unknown) => unavailable(req, err),
    );
  };
  return {
    consume(req, bucket, key, setHeaders) {
      const policy = policies[bucket];
      const burst = policy.burst;
      if (!burst) return countMain(req, bucket, key, policy, setHeaders);
      // The burst window first: a request it refuses does not use up the long window's budget.
      let counted: WindowCount | Promise<WindowCount>;
      try {
        counted = store.hit(`${bucket}~burst:${key}`, burst.windowMs);
      } catch (err) {
        return unavailable(req, err);
      }
      if (!(counted instanceof Promise)) {
        if (counted.count > burst.limit) refuse(req, burst.limit, burst.windowMs, counted);
        return countMain(req, bucket, key, policy, setHeaders);
      }
      return counted.then(
        (window) => {
          if (window.count > burst.limit) refuse(req, burst.limit, burst.windowMs, window);
          return countMain(req, bucket, key, policy, setHeaders);
        },
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
      pending = limiter.consume(req, bucket, `ip:${clientNetwork(req.ip)}`, true);
    } catch (err) {
      return done(err as Error);
    }
    if (pending) pending.then(() => done(), done);
    else done();
  });
  app.addHook('onSend', (req, reply, payload, done) => {
    setRateLimitHeaders(req, reply);
    done(null, payload);
  });
}

/** The request's X-RateLimit-* headers on its answer (onSend; a hijacked answer calls it itself: SSE). */
export function setRateLimitHeaders(req: FastifyRequest, reply: FastifyReply): void {
  const headers = req.rateLimitHeaders;
  if (!headers) return;
  reply.header('X-RateLimit-Limit', headers.limit);
  reply.header('X-RateLimit-Remaining', headers.remaining);
  reply.header('X-RateLimit-Reset', headers.reset);
  if (headers.window !== undefined) reply.header('X-RateLimit-Window', headers.window);
  if (headers.retryAfter !== undefined) reply.header('Retry-After', headers.retryAfter);
}
