// Password guessing is slowed per (account, source address), never per account alone (an IPv6
// address counts as its /64: platform/http/client-network.ts): a stranger
// who fails from many addresses must not lock the owner out. Each source address also has its own
// budget for all login attempts (the `login` bucket of the rate-limit hook, per IP).
//
// - Failures are counted per account and per (account, address) over FAILURE_WINDOW_MS.
// - An address gets `freeFailures` failed guesses against an account (the login limit, 5 by
//   default) before a backoff; once the account has more failures than that from anywhere (it is
//   under attack), every address gets one. The backoff doubles with each further failure
//   (1 s, 2 s, 4 s ... up to MAX_BACKOFF_MS); during it the address gets 429 without its password
//   being tried, so it cannot keep guessing.
// - A right password from an address without a backoff always logs in: the owner, from a known
//   or a new address, is never locked out by others.
// - The account is the user (both login paths, email or username, share one budget; a login that
//   names accounts in several organisations counts against each); an unknown login is counted
//   under its lower-cased text, exactly like a known one.
// - One attempt per address at a time (on this instance): guesses sent at once would all pass the
//   check before any failure is counted, so each waits for the previous one from its address.
import type { FastifyRequest } from 'fastify';
import { ERRORS } from '../../platform/errors.js';
import { clientNetwork } from '../../platform/http/client-network.js';
import type { RateLimitStore, WindowCount } from '../../platform/http/rate-limit/store.js';

export const FAILURE_WINDOW_MS = 15 * 60_000;
const FIRST_BACKOFF_MS = 1_000;
export const MAX_BACKOFF_MS = 15 * 60_000;

export interface LoginThrottle {
  /** Run one login attempt (check, password, failed) after the earlier ones from this address have ended. */
  oneAtATime<T>(req: FastifyRequest, attempt: () => Promise<T>): Promise<T>;
  /** 429 when this address is in a backoff for this account (before the password is checked). */
  check(req: FastifyRequest, account: string): Promise<void>;
  /** Count a failed password; may start this address's backoff for this account. */
  failed(req: FastifyRequest, account: string): Promise<void>;
}

export function loginBackoffMs(pairFailures: number, freeFailures: number): number {
  if (pairFailures < freeFailures) return 0;
  return Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (pairFailures - freeFailures));
}

export function createLoginThrottle(store: RateLimitStore, freeFailures: number): LoginThrottle {
  const unavailable = (req: FastifyRequest, err: unknown) => req.log.warn({ err }, 'rate-limit store unavailable; login not throttled');
  const pairKey = (req: FastifyRequest, account: string) => `${account}|ip:${clientNetwork(req.ip)}`;
  /** The last attempt queued per address (removed once it ends with nothing behind it). */
  const queues = new Map<string, Promise<unknown>>();
  return {
    async oneAtATime(req, attempt) {
      const address = clientNetwork(req.ip);
      const previous = queues.get(address) ?? Promise.resolve();
      const current = previous.then(attempt, attempt);
      const settled = current.catch(() => undefined);
      queues.set(address, settled);
      void settled.then(() => {
        if (queues.get(address) === settled) queues.delete(address);
      });
      return current;
    },

    async check(req, account) {
      let lock: WindowCount | null;
      try {
        lock = await store.peek(`login-backoff:${pairKey(req, account)}`);
      } catch (err) {
        return unavailable(req, err);
      }
      if (!lock) return;
      const retryAfter = Math.max(1, Math.ceil((lock.resetAt - Date.now()) / 1000));
      req.rateLimitHeaders = { limit: freeFailures, remaining: 0, reset: Math.ceil(lock.resetAt / 1000), retryAfter };
      throw ERRORS.rateLimited(freeFailures, retryAfter);
    },

    async failed(req, account) {
      try {
        const pair = pairKey(req, account);
        const [pairFailures, accountFailures] = await Promise.all([
          store.hit(`login-fail:${pair}`, FAILURE_WINDOW_MS),
          store.hit(`login-fail:${account}`, FAILURE_WINDOW_MS),
        ]);
        const underAttack = accountFailures.count > freeFailures;
        const backoff = loginBackoffMs(pairFailures.count, underAttack ? 1 : freeFailures);
        if (backoff > 0) await store.hit(`login-backoff:${pair}`, backoff);
      } catch (err) {
        unavailable(req, err);
      }
    },
  };
}
