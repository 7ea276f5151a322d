// The event webhooks' delivery queue: webhook_deliveries, sent by the one delivery worker
// (platform/deliveries/) that also sends tracking pixels. 8 tries in all, 10 s time-out each: a
// failed try is retried after WEBHOOK_RETRY_BASE_MS (default 60 s), doubling (1, 2, 4 … 64 min:
// about two hours in all); a refused address or a 4xx other than 408 / 429 ends a delivery at once.
// A delivery's end moves its endpoint's failure streak (disable-policy.ts), in the transaction that
// records the last try: delivered resets it; the DISABLE_AFTER_FAILURES-th failure in a row
// disables the endpoint and ends its other pending deliveries.
import { sql, type Transaction } from 'kysely';
import type { DB } from '../../../db/types.js';
import type { ClaimedDelivery, DeliveryQueue, Settled } from '../../platform/deliveries/types.js';
import { autoDisableReason, cancelledDeliveryError, DISABLE_AFTER_FAILURES } from './disable-policy.js';

export const WEBHOOK_MAX_ATTEMPTS = 8;
export const WEBHOOK_TIMEOUT_MS = 10_000;

async function settleEndpoint(trx: Transaction<DB>, delivery: ClaimedDelivery, settled: Settled): Promise<void> {
  if (settled.kind === 'delivered') {
    await trx.updateTable('webhook_endpoints').set({ consecutive_failures: 0 }).where('id', '=', delivery.owner_id).where('consecutive_failures', '>', 0).execute();
    return;
  }
  const reason = autoDisableReason(settled.error);
  // The endpoint's row is locked first: concurrent ends of its deliveries count one after another.
  await sql`
    WITH cur AS (
      SELECT id, is_active, consecutive_failures + 1 AS failures FROM webhook_endpoints WHERE id = ${delivery.owner_id}::uuid FOR UPDATE),
    upd AS (
      UPDATE webhook_endpoints e
         SET consecutive_failures = cur.failures,
             is_active = cur.is_active AND cur.failures < ${DISABLE_AFTER_FAILURES},
             disabled_at = CASE WHEN cur.is_active AND cur.failures >= ${DISABLE_AFTER_FAILURES} THEN now() ELSE e.disabled_at END,
             disabled_reason = CASE WHEN cur.is_active AND cur.failures >= ${DISABLE_AFTER_FAILURES} THEN ${reason} ELSE e.disabled_reason END,
             updated_at = CASE WHEN cur.is_active AND cur.failures >= ${DISABLE_AFTER_FAILURES} THEN now() ELSE e.updated_at END
        FROM cur
       WHERE e.id = cur.id
      RETURNING e.id, cur.is_active AND NOT e.is_active AS disabled_now)
    UPDATE webhook_deliveries d
       SET status = 'failed', last_error = ${cancelledDeliveryError(reason)}, locked_until = NULL
      FROM upd
     WHERE upd.disabled_now AND d.endpoint_id = upd.id AND d.status = 'pending'`.execute(trx);
}

export const WEBHOOK_QUEUE: DeliveryQueue = Object.freeze({
  name: 'webhooks',
  deliveries: 'webhook_deliveries',
  attempts: 'webhook_attempts',
  owners: 'webhook_endpoints',
  ownerKey: 'endpoint_id',
  userAgent: 'CallCenterPro-Webhooks/1',
  maxAttempts: WEBHOOK_MAX_ATTEMPTS,
  timeoutMs: WEBHOOK_TIMEOUT_MS,
  onSettled: settleEndpoint,
});
