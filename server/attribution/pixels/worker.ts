// The tracking pixels' delivery queue (DESIGN.md 4.6): pixel_deliveries, sent by the one delivery
// worker (platform/deliveries/) that also serves event webhooks. 3 tries in all, 5 s time-out: a
// failed try is retried after PIXEL_RETRY_BASE_MS, then twice that; a refused address or a 4xx
// other than 408 / 429 ends a delivery at once. Every try is a pixel_attempts row.
import type { Dispatcher } from 'undici';
import type { Db } from '../../../db/types.js';
import { claimDue } from '../../platform/deliveries/queries.js';
import type { ClaimedDelivery, DeliveryOptions, DeliveryQueue } from '../../platform/deliveries/types.js';
import { createDeliveryDispatcher, deliverDue } from '../../platform/deliveries/worker.js';
import type { OutboundPolicy } from '../../platform/http/outbound/types.js';

export { verdictOf } from '../../platform/deliveries/verdict.js';
export type { DeliveryOptions } from '../../platform/deliveries/types.js';

export const PIXEL_MAX_ATTEMPTS = 3;
export const PIXEL_TIMEOUT_MS = 5000;

export const PIXEL_QUEUE: DeliveryQueue = Object.freeze({
  name: 'pixels',
  deliveries: 'pixel_deliveries',
  attempts: 'pixel_attempts',
  owners: 'tracking_pixels',
  ownerKey: 'pixel_id',
  userAgent: 'CallCenterPro-Pixels/1',
  maxAttempts: PIXEL_MAX_ATTEMPTS,
  timeoutMs: PIXEL_TIMEOUT_MS,
});

/** The pixels' own keep-alive dispatcher, guarded like every outbound client. */
export function createPixelDispatcher(policy: OutboundPolicy): Dispatcher {
  return createDeliveryDispatcher(policy, PIXEL_QUEUE);
}

/** Claim up to `limit` due pixel deliveries for `leaseMs`. */
export function claimDueDeliveries(db: Db, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
  return claimDue(db, PIXEL_QUEUE, limit, leaseMs);
}

/** One pass over the due pixel deliveries; returns how many were tried. */
export function deliverDuePixels(db: Db, options: DeliveryOptions): Promise<number> {
  return deliverDue(db, PIXEL_QUEUE, options);
}
