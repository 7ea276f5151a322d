// The pixel delivery worker (DESIGN.md 4.6): claims due rows of the pixel_deliveries queue and sends
// each through the guarded outbound client (SSRF guard again at connect time, no redirects, 5 s
// time-out, capped response). Claims are `locked_until` leases taken with FOR UPDATE SKIP LOCKED,
// so two instances never send one row at the same time and a crashed worker's lease simply expires.
//
// Outcomes: a 2xx is delivered. Anything else is a failed attempt; every attempt is a pixel_attempts
// row. 3 tries in all: after a failed try the next one is due after retryBaseMs, then 2 × retryBaseMs;
// the third failure marks the delivery failed. Permanent failures end it at once: the guard refused
// the address or the URL, or the receiver answered a 4xx other than 408 / 429 (retrying the same
// request cannot change its mind).
import { sql } from 'kysely';
import type { Dispatcher } from 'undici';
import type { Db } from '../../../db/types.js';
import { createGuardedDispatcher, guardedRequest, type OutboundResult } from '../../platform/http/outbound/guarded-client.js';
import type { OutboundPolicy } from '../../platform/http/outbound/types.js';
import { SIGNATURE_HEADER, signatureHeader } from './signature.js';

export const PIXEL_MAX_ATTEMPTS = 3;
export const PIXEL_TIMEOUT_MS = 5000;
const MAX_RESPONSE_BYTES = 65_536;
const USER_AGENT = 'CallCenterPro-Pixels/1';

export interface DeliveryOptions {
  dispatcher: Dispatcher;
  policy: OutboundPolicy;
  /** First retry delay; doubled for each further retry. */
  retryBaseMs: number;
  maxAttempts?: number;
  timeoutMs?: number;
  /** Rows claimed per call. */
  batchSize?: number;
  /** How long a claim lasts (longer than a send and its bookkeeping). */
  leaseMs?: number;
}

interface ClaimedDelivery {
  id: string;
  url: string;
  method: 'GET' | 'POST';
  body: string | null;
  attempts: number;
  signing_secret: string | null;
}

/** The pixels' own keep-alive dispatcher, guarded like every outbound client. */
export function createPixelDispatcher(policy: OutboundPolicy): Dispatcher {
  return createGuardedDispatcher(policy, { connections: 10, connectTimeoutMs: PIXEL_TIMEOUT_MS });
}

/** Claim up to `limit` due deliveries for `leaseMs` (with each pixel's signing secret, for the send only). */
export async function claimDueDeliveries(db: Db, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
  const result = await sql<ClaimedDelivery>`
    WITH due AS (
      SELECT id FROM pixel_deliveries
       WHERE status = 'pending' AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until < now())
       ORDER BY next_attempt_at, id
       LIMIT ${limit}
       FOR UPDATE SKIP LOCKED)
    UPDATE pixel_deliveries d
       SET locked_until = now() + ${leaseMs} * interval '1 millisecond'
      FROM due, tracking_pixels p
     WHERE d.id = due.id AND p.org_id = d.org_id AND p.id = d.pixel_id
    RETURNING d.id::text AS id, d.url, d.method, d.body, d.attempts, p.signing_secret`.execute(db);
  return result.rows;
}

export type AttemptVerdict = { kind: 'delivered' } | { kind: 'retry'; delayMs: number } | { kind: 'failed' };

/** Whether an answer or failure is worth another try (pure). */
export function isPermanentFailure(result: OutboundResult): boolean {
  if (!result.ok) return result.kind === 'blocked' || result.kind === 'invalid_url';
  return result.status >= 400 && result.status < 500 && result.status !== 408 && result.status !== 429;
}

/** What happens to a delivery after its `attempt`-th try (pure). */
export function verdictOf(result: OutboundResult, attempt: number, options: { maxAttempts: number; retryBaseMs: number }): AttemptVerdict {
  if (result.ok && result.status >= 200 && result.status < 300) return { kind: 'delivered' };
  if (isPermanentFailure(result) || attempt >= options.maxAttempts) return { kind: 'failed' };
  return { kind: 'retry', delayMs: options.retryBaseMs * 2 ** (attempt - 1) };
}

/** A short description of a failed try, for last_error and the attempt row (no headers, no body). */
function failureText(result: OutboundResult): string | null {
  if (result.ok) return result.status >= 200 && result.status < 300 ? null : `HTTP ${result.status}`;
  return `${result.kind}: ${result.message}`;
}

async function send(delivery: ClaimedDelivery, options: DeliveryOptions): Promise<OutboundResult> {
  const body = delivery.method === 'POST' ? (delivery.body ?? '') : undefined;
  const headers: Record<string, string> = { 'user-agent': USER_AGENT };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (delivery.signing_secret) {
    headers[SIGNATURE_HEADER.toLowerCase()] = signatureHeader(delivery.signing_secret, body ?? '', Math.floor(Date.now() / 1000));
  }
  return guardedRequest(options.dispatcher, {
    url: delivery.url,
    method: delivery.method,
    headers,
    ...(body === undefined ? {} : { body }),
    timeoutMs: options.timeoutMs ?? PIXEL_TIMEOUT_MS,
    maxBodyBytes: MAX_RESPONSE_BYTES,
    policy: options.policy,
  });
}

/** Record one try and its consequence in one statement; the lease is released. */
async function recordAttempt(db: Db, delivery: ClaimedDelivery, result: OutboundResult, verdict: AttemptVerdict): Promise<void> {
  const attempt = delivery.attempts + 1;
  const error = failureText(result);
  const httpStatus = result.ok ? result.status : (result.status ?? null);
  const status = verdict.kind === 'retry' ? 'pending' : verdict.kind;
  const delayMs = verdict.kind === 'retry' ? verdict.delayMs : 0;
  await sql`
    WITH attempt_row AS (
      INSERT INTO pixel_attempts (delivery_id, attempt, http_status, error, duration_ms)
      SELECT id, ${attempt}, ${httpStatus}::integer, ${error}::text, ${result.durationMs}::integer
        FROM pixel_deliveries WHERE id = ${delivery.id}::bigint
      ON CONFLICT (delivery_id, attempt) DO NOTHING)
    UPDATE pixel_deliveries
       SET attempts = ${attempt},
           status = ${status},
           last_error = ${error},
           locked_until = NULL,
           next_attempt_at = now() + ${delayMs} * interval '1 millisecond',
           delivered_at = CASE WHEN ${status} = 'delivered' THEN now() ELSE NULL END
     WHERE id = ${delivery.id}::bigint AND status = 'pending'`.execute(db);
}

/**
 * Claim the due deliveries and send them (concurrently), recording every attempt. Returns how many
 * were tried. Never throws for a receiver's failure; a database error is thrown to the runner.
 */
export async function deliverDuePixels(db: Db, options: DeliveryOptions): Promise<number> {
  const claimed = await claimDueDeliveries(db, options.batchSize ?? 20, options.leaseMs ?? 60_000);
  const limits = { maxAttempts: options.maxAttempts ?? PIXEL_MAX_ATTEMPTS, retryBaseMs: options.retryBaseMs };
  await Promise.all(
    claimed.map(async (delivery) => {
      const result = await send(delivery, options);
      await recordAttempt(db, delivery, result, verdictOf(result, delivery.attempts + 1, limits));
    }),
  );
  return claimed.length;
}
