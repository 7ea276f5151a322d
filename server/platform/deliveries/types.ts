// The durable outbound delivery queues (tracking pixels, event webhooks): what a queue is, what a
// claimed row carries, how a worker pass is configured. One worker serves every queue
// (worker.ts); a queue is its tables and its limits.
import type { Transaction } from 'kysely';
import type { Dispatcher } from 'undici';
import type { DB } from '../../../db/types.js';
import type { OutboundPolicy } from '../http/outbound/types.js';

/** A delivery that is over: a 2xx came back, or it failed for good. */
export interface Settled {
  kind: 'delivered' | 'failed';
  /** The last try's failure (`HTTP 500`, `timeout: …`); null when delivered. */
  error: string | null;
}

export interface DeliveryQueue {
  /** For logs: `pixels`, `webhooks`. */
  name: string;
  /** The queue table: rendered requests, pending → delivered / failed, leased by `locked_until`. */
  deliveries: 'pixel_deliveries' | 'webhook_deliveries';
  /** Every try of a delivery. */
  attempts: 'pixel_attempts' | 'webhook_attempts';
  /** Whose deliveries they are (and where the signing secret is, column `signing_secret`). */
  owners: 'tracking_pixels' | 'webhook_endpoints';
  /** The delivery column naming the owner. */
  ownerKey: 'pixel_id' | 'endpoint_id';
  userAgent: string;
  /** Tries in all, unless a pass says otherwise. */
  maxAttempts: number;
  /** Connect + response time-out of one try. */
  timeoutMs: number;
  /**
   * Runs in the transaction that records the try ending a delivery (webhooks: the endpoint's
   * failure streak). Not called when the row was no longer pending (ended meanwhile).
   */
  onSettled?: (trx: Transaction<DB>, delivery: ClaimedDelivery, settled: Settled) => Promise<void>;
}

export interface ClaimedDelivery {
  id: string;
  /** The pixel's or endpoint's id, as text. */
  owner_id: string;
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string> | null;
  body: string | null;
  attempts: number;
  /** The claim's lease (its `locked_until`, as text): a try is recorded only while the row is still under it. */
  lease: string;
  /** The owner's signing secret (opened by the secret-columns plugin), for the send only. */
  signing_secret: string | null;
}

export interface DeliveryOptions {
  dispatcher: Dispatcher;
  policy: OutboundPolicy;
  /** First retry delay; doubled for each further retry. */
  retryBaseMs: number;
  /** Default: the queue's. */
  maxAttempts?: number;
  /** Default: the queue's. */
  timeoutMs?: number;
  /** Rows claimed per call: at most (and by default) DELIVERY_BATCH_SIZE, the dispatcher's sockets per receiver. */
  batchSize?: number;
  /** How long a claim lasts (longer than a send and its bookkeeping). */
  leaseMs?: number;
}
