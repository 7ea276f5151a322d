// The delivery worker of every outbound queue (tracking pixels, event webhooks): claims due rows
// (queries.ts) and sends each through the guarded outbound client — the SSRF guard again at
// connect time, no redirects, the queue's time-out, a capped response — signed when its owner has
// a secret (signature.ts), then records the try (verdict.ts decides what it means).
import type { Dispatcher } from 'undici';
import type { Db } from '../../../db/types.js';
import { createGuardedDispatcher, guardedRequest, type OutboundResult } from '../http/outbound/guarded-client.js';
import type { OutboundPolicy } from '../http/outbound/types.js';
import { claimDue, recordAttempt } from './queries.js';
import { SIGNATURE_HEADER, signatureHeader } from './signature.js';
import type { ClaimedDelivery, DeliveryOptions, DeliveryQueue } from './types.js';
import { answerOf, verdictOf } from './verdict.js';

const MAX_RESPONSE_BYTES = 65_536;

/**
 * The most deliveries a pass claims and sends at once, and the dispatcher's sockets per receiver:
 * a claimed delivery never waits for a socket on its own try's clock (with fewer sockets, the ones
 * waiting timed out while the receiver answered the others within the time-out).
 */
export const DELIVERY_BATCH_SIZE = 20;

/** A queue's own keep-alive dispatcher, guarded like every outbound client. */
export function createDeliveryDispatcher(policy: OutboundPolicy, queue: Pick<DeliveryQueue, 'timeoutMs'>): Dispatcher {
  return createGuardedDispatcher(policy, { connections: DELIVERY_BATCH_SIZE, connectTimeoutMs: queue.timeoutMs });
}

/**
 * What a delivery's signature covers after `<t>.`: a POST's body; a GET's path and query as sent
 * (its data: a GET pixel's macros are in its URL, so an empty string would sign nothing of it).
 */
export function signedPayload(delivery: Pick<ClaimedDelivery, 'method' | 'url' | 'body'>): string {
  if (delivery.method === 'POST') return delivery.body ?? '';
  // A URL that does not parse is never sent (the guard refuses its shape): nothing to sign then.
  const url = URL.parse(delivery.url);
  return url === null ? delivery.url : url.pathname + url.search;
}

/** The request of a claimed delivery (pure): its headers, the content type of a body, the signature. */
export function deliveryHeaders(queue: DeliveryQueue, delivery: ClaimedDelivery, unixSeconds: number): Record<string, string> {
  const headers: Record<string, string> = { 'user-agent': queue.userAgent };
  for (const [name, value] of Object.entries(delivery.headers ?? {})) headers[name.toLowerCase()] = value;
  if (delivery.method === 'POST') headers['content-type'] = 'application/json';
  if (delivery.signing_secret) headers[SIGNATURE_HEADER.toLowerCase()] = signatureHeader(delivery.signing_secret, signedPayload(delivery), unixSeconds);
  return headers;
}

async function send(queue: DeliveryQueue, delivery: ClaimedDelivery, options: DeliveryOptions): Promise<OutboundResult> {
  const body = delivery.method === 'POST' ? (delivery.body ?? '') : undefined;
  return guardedRequest(options.dispatcher, {
    url: delivery.url,
    method: delivery.method,
    headers: deliveryHeaders(queue, delivery, Math.floor(Date.now() / 1000)),
    ...(body === undefined ? {} : { body }),
    timeoutMs: options.timeoutMs ?? queue.timeoutMs,
    maxBodyBytes: MAX_RESPONSE_BYTES,
    policy: options.policy,
  });
}

/**
 * Claim the queue's due deliveries and send them (concurrently), recording every try. Returns how
 * many were tried. Never throws for a receiver's failure; a database error is thrown to the runner,
 * but only once every other send of the pass has settled and been recorded (an answer left
 * unrecorded would be sent again when its claim lapses).
 */
export async function deliverDue(db: Db, queue: DeliveryQueue, options: DeliveryOptions): Promise<number> {
  const claimed = await claimDue(db, queue, Math.min(options.batchSize ?? DELIVERY_BATCH_SIZE, DELIVERY_BATCH_SIZE), options.leaseMs ?? 60_000);
  const limits = { maxAttempts: options.maxAttempts ?? queue.maxAttempts, retryBaseMs: options.retryBaseMs };
  const settled = await Promise.allSettled(
    claimed.map(async (delivery) => {
      const result = answerOf(await send(queue, delivery, options));
      await recordAttempt(db, queue, delivery, result, verdictOf(result, delivery.attempts + 1, limits));
    }),
  );
  const failure = settled.find((outcome) => outcome.status === 'rejected');
  if (failure) throw failure.reason;
  return claimed.length;
}
