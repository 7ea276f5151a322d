// The queue tables' SQL, for any queue (types.ts): claiming due rows under a lease, recording a
// try, and counting an owner's deliveries. Claims are `locked_until` leases taken with FOR UPDATE
// SKIP LOCKED, so two workers (two instances) never send one row at the same time and a crashed
// worker's lease simply expires.
import { sql } from 'kysely';
import type { Db } from '../../../db/types.js';
import { inTransaction } from '../common/transaction.js';
import type { OutboundResult } from '../http/outbound/guarded-client.js';
import type { ClaimedDelivery, DeliveryQueue } from './types.js';
import { type AttemptVerdict, failureText } from './verdict.js';

/** Claim up to `limit` due deliveries for `leaseMs`, each with its owner's signing secret (for the send only). */
export async function claimDue(db: Db, queue: DeliveryQueue, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
  const deliveries = sql.table(queue.deliveries);
  const result = await sql<ClaimedDelivery>`
    WITH due AS (
      SELECT id FROM ${deliveries}
       WHERE status = 'pending' AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until < now())
       ORDER BY next_attempt_at, id
       LIMIT ${limit}
       FOR UPDATE SKIP LOCKED)
    UPDATE ${deliveries} d
       SET locked_until = now() + ${leaseMs} * interval '1 millisecond'
      FROM due, ${sql.table(queue.owners)} o
     WHERE d.id = due.id AND o.org_id = d.org_id AND o.id = d.${sql.ref(queue.ownerKey)}
    RETURNING d.id::text AS id, o.id::text AS owner_id, d.url, d.method, d.headers, d.body, d.attempts, d.locked_until::text AS lease, o.signing_secret`.execute(db);
  return result.rows;
}

/**
 * Record one try and its consequence; the lease is released. One statement, plus the queue's
 * onSettled in the same transaction (the owner's row held first) when the try ended the delivery.
 * Returns whether the row took the try's outcome. A delivery ended meanwhile (its endpoint
 * disabled) keeps its end unless this try was answered 2xx: the receiver has the event, so the
 * delivery is delivered (a failed one would invite a replay, and a second copy). Its `attempts`
 * still being the claim's proves no other try was recorded since. The try is recorded (logged and
 * counted in `attempts`) either way. A try whose lease ran out while the delivery was claimed again
 * (another worker is trying it) records nothing: that worker's try decides, and the row stays its.
 */
export async function recordAttempt(db: Db, queue: DeliveryQueue, delivery: ClaimedDelivery, result: OutboundResult, verdict: AttemptVerdict): Promise<boolean> {
  const attempt = delivery.attempts + 1;
  const error = failureText(result);
  const httpStatus = result.ok ? result.status : (result.status ?? null);
  const status = verdict.kind === 'retry' ? 'pending' : verdict.kind;
  const delayMs = verdict.kind === 'retry' ? verdict.delayMs : 0;
  const deliveries = sql.table(queue.deliveries);
  const stillOurs =
    verdict.kind === 'delivered'
      ? sql`((status = 'pending' AND locked_until = ${delivery.lease}::timestamptz) OR (status = 'failed' AND attempts = ${delivery.attempts}::integer))`
      : sql`status = 'pending' AND locked_until = ${delivery.lease}::timestamptz`;
  const logAttempt = sql`
    INSERT INTO ${sql.table(queue.attempts)} (delivery_id, attempt, http_status, error, duration_ms)
    SELECT id, ${attempt}, ${httpStatus}::integer, ${error}::text, ${result.durationMs}::integer FROM recorded
    ON CONFLICT (delivery_id, attempt) DO NOTHING`;
  const write = async (trx: Db) => {
    const { rows } = await sql<{ id: string }>`
      WITH recorded AS (
        UPDATE ${deliveries}
           SET attempts = ${attempt},
               status = ${status},
               last_error = ${error},
               locked_until = NULL,
               next_attempt_at = now() + ${delayMs} * interval '1 millisecond',
               delivered_at = CASE WHEN ${status} = 'delivered' THEN now() ELSE NULL END
         WHERE id = ${delivery.id}::bigint AND ${stillOurs}
        RETURNING id),
      logged AS (${logAttempt})
      SELECT id FROM recorded`.execute(trx);
    if (rows.length > 0) return true;
    // Ended meanwhile and keeping its end: the try still counts (its attempts agree with its log).
    // Still pending, it was claimed again after this try's lease ran out: nothing is recorded.
    await sql`
      WITH recorded AS (
        UPDATE ${deliveries} SET attempts = ${attempt}, locked_until = NULL
         WHERE id = ${delivery.id}::bigint AND status <> 'pending' AND attempts = ${delivery.attempts}::integer
        RETURNING id)
      ${logAttempt}`.execute(trx);
    return false;
  };
  const onSettled = queue.onSettled;
  if (verdict.kind === 'retry' || !onSettled) return write(db);
  return inTransaction(db, async (trx) => {
    // The owner's row first, the order every change of an owner and its deliveries takes (a
    // disabled endpoint ends its pending deliveries): written first, the delivery was held while
    // its settling waited for the owner, held by another settling waiting for that delivery.
    await sql`SELECT 1 FROM ${sql.table(queue.owners)} WHERE id = ${delivery.owner_id} FOR NO KEY UPDATE`.execute(trx);
    const updated = await write(trx);
    if (updated) await onSettled(trx, delivery, { kind: verdict.kind, error });
    return updated;
  });
}

export interface DeliveryCounts {
  pending: number;
  delivered: number;
  failed: number;
}

export const NO_DELIVERIES: DeliveryCounts = Object.freeze({ pending: 0, delivered: 0, failed: 0 });

/** Deliveries per owner and status (owners without any are absent from the map). */
export async function deliveryCounts<Id extends string | number>(db: Db, queue: DeliveryQueue, orgId: string, ownerIds: readonly Id[]): Promise<Map<Id, DeliveryCounts>> {
  const counts = new Map<Id, DeliveryCounts>();
  if (ownerIds.length === 0) return counts;
  const owner = sql.ref(queue.ownerKey);
  const { rows } = await sql<{ owner: Id; status: keyof DeliveryCounts; n: string }>`
    SELECT ${owner} AS owner, status, count(*) AS n
      FROM ${sql.table(queue.deliveries)}
     WHERE org_id = ${orgId} AND ${owner} IN (${sql.join(ownerIds)})
     GROUP BY ${owner}, status`.execute(db);
  for (const row of rows) {
    const entry = counts.get(row.owner) ?? { ...NO_DELIVERIES };
    entry[row.status] = Number(row.n);
    counts.set(row.owner, entry);
  }
  return counts;
}
