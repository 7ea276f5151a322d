// A call's events (call_started, call_answered, call_completed, conversion) as they leave the call
// path: a conversion event of the visitor session the call is attributed to (once per call and
// event: a unique index, so a callback delivered twice records once), the tracking pixels'
// deliveries (attribution/pixels/enqueue.ts), and the raised events of event webhooks
// (platform/events/call-events.ts: call.started, call.answered, call.completed). Written in the
// transaction of the call's change; none ever fails the webhook or holds up its answer beyond its
// statements.
import { sql, type Transaction } from 'kysely';
import type { DB, Db, PixelEvent } from '../../../db/types.js';
import { withSavepoint } from '../../platform/common/transaction.js';
import { type CallEventType, raiseCallEvents } from '../../platform/events/call-events.js';
import type { PixelLog } from '../pixels/fire.js';
import { enqueuePixelEvent } from '../pixels/enqueue.js';

export interface CallEventTarget {
  orgId: string | null;
  callId: number;
  /** The call's visitor session; null: not attributed (nothing to record); undefined: not known here. */
  visitorSessionId?: string | null | undefined;
}

/**
 * Records `events` as conversion events of the call's visitor session (nothing for a call that is
 * not attributed). The value of `conversion` and `call_completed` is the call's revenue then.
 * Returns how many were new.
 */
export async function recordCallConversionEvents(db: Db, call: { orgId: string; callId: number }, events: readonly PixelEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const { rows } = await sql<{ id: string }>`
    INSERT INTO conversion_events (org_id, visitor_session_id, call_id, event_type, event_value, phone_number, metadata, source)
    SELECT c.org_id, c.visitor_session_id, c.id, e.event,
           CASE WHEN e.event IN ('conversion', 'call_completed') THEN COALESCE(c.revenue_override, c.revenue) END,
           c.from_number,
           jsonb_build_object('callSid', c.call_sid, 'campaignId', c.campaign_id, 'status', c.status, 'durationSec', c.duration_sec),
           'call'
      FROM calls c
      CROSS JOIN jsonb_array_elements_text(${JSON.stringify(events)}::jsonb) AS e(event)
     WHERE c.id = ${call.callId} AND c.org_id = ${call.orgId} AND c.visitor_session_id IS NOT NULL
    ON CONFLICT (call_id, event_type) WHERE call_id IS NOT NULL AND source = 'call' DO NOTHING
    RETURNING id`.execute(db);
  return rows.length;
}

/**
 * The call's events, written in the transaction that made the transition, so that a crash loses
 * none or all: the `raise`d events, conversion events (when the call is, or may be, attributed) and
 * the pixels' deliveries (unless `pixels` is false: the organisation has none for these events).
 * Each kind behind its own savepoint — the raised events, the conversion events, the pixels — so
 * that one failing loses only itself, is logged, and never undoes the call's own write.
 */
export async function recordCallEvents(
  trx: Transaction<DB>,
  call: CallEventTarget,
  events: readonly PixelEvent[],
  log?: PixelLog,
  options: { pixels?: boolean; raise?: readonly CallEventType[] } = {},
): Promise<void> {
  const { orgId, callId } = call;
  if (orgId === null) return;
  const raise = options.raise ?? [];
  if (raise.length > 0) {
    await withSavepoint(
      trx,
      async () => void (await raiseCallEvents(trx, { orgId, callId }, raise)),
      (err) => log?.warn({ err, callId, raise }, 'Could not raise call events'),
    );
  }
  if (events.length === 0) return;
  if (call.visitorSessionId !== null) {
    await withSavepoint(
      trx,
      async () => void (await recordCallConversionEvents(trx, { orgId, callId }, events)),
      (err) => log?.warn({ err, callId, events }, 'Could not record conversion events'),
    );
  }
  if (options.pixels === false) return;
  await withSavepoint(
    trx,
    async () => {
      for (const event of events) await enqueuePixelEvent(trx, { orgId, callId, event });
    },
    (err) => log?.warn({ err, callId, events }, 'Could not queue tracking pixels'),
  );
}
