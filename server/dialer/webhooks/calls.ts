// The outbound call a webhook is about, by our id (`callId` in the URL) and Twilio's CallSid.
// The first webhook of a call whose sid was not stored yet (the dialer died between placing the
// call and storing its sid) stores it and extends its lead's claim; a sid that belongs to another call is not this call. Its
// progress (and the call.started / call.answered events) moves forward only.
import { sql } from 'kysely';
import type { CallRow, Db } from '../../../db/types.js';
import { isUniqueViolation } from '../../platform/common/pg-errors.js';
import { inTransaction } from '../../platform/common/transaction.js';
import { type CallEventType, raiseCallEvents } from '../../platform/events/call-events.js';
import { callPlaced, isPlaceholderSid } from '../loop/queries.js';

export async function outboundCall(db: Db, callId: number, callSid: string): Promise<CallRow | undefined> {
  const call = await db.selectFrom('calls').selectAll().where('id', '=', callId).where('direction', '=', 'outbound').executeTakeFirst();
  if (!call) return undefined;
  if (call.call_sid === callSid) return call;
  if (!isPlaceholderSid(call.call_sid)) return undefined;
  try {
    // As the dialer would have: the sid stored, and the lead's claim extended to a placed call's
    // (else the claim lapses while the call is live and the lead is dialled again).
    await callPlaced(db, callId, callSid);
  } catch (err) {
    // The sid is another call's: not this call.
    if (isUniqueViolation(err)) return undefined;
    throw err;
  }
  return db.selectFrom('calls').selectAll().where('id', '=', callId).where('call_sid', '=', callSid).executeTakeFirst();
}

const RANK = { queued: 0, initiated: 1, ringing: 2, 'in-progress': 3 } as const;
type ProgressStatus = keyof typeof RANK;
/** status_rank of an answered call (in progress); a final status is 4. */
export const IN_PROGRESS_RANK = RANK['in-progress'];

/**
 * The events of a call moving forward from rank `was` to `status` (pure): leaving `queued` is
 * call.started (the carrier started it), reaching `in-progress` is call.answered.
 */
export function progressEventsOf(was: number, status: ProgressStatus): CallEventType[] {
  const events: CallEventType[] = [];
  if (was < RANK.initiated && RANK[status] >= RANK.initiated) events.push('call.started');
  if (was < RANK['in-progress'] && status === 'in-progress') events.push('call.answered');
  return events;
}

/**
 * A progress status (initiated, ringing, in-progress) moves the call forward, never back, and
 * raises its events (progressEventsOf) in the same transaction: a repeated or late callback
 * changes nothing and raises nothing. `in-progress` also sets answered_at (once).
 */
export async function markProgress(db: Db, callId: number, status: ProgressStatus): Promise<void> {
  const rank = RANK[status];
  await inTransaction(db, async (trx) => {
    // FOR UPDATE: a concurrent callback waits, then sees this one's rank and changes nothing.
    const { rows } = await sql<{ org_id: string | null; was: number }>`
      WITH cur AS (SELECT id, status_rank FROM calls WHERE id = ${callId} FOR UPDATE)
      UPDATE calls c
         SET status = ${status}, status_rank = ${rank}, updated_at = now(),
             answered_at = CASE WHEN ${rank}::integer = 3 THEN COALESCE(c.answered_at, now()) ELSE c.answered_at END
        FROM cur
       WHERE c.id = cur.id AND cur.status_rank < ${rank}
      RETURNING c.org_id, cur.status_rank AS was`.execute(trx);
    const moved = rows[0];
    if (!moved?.org_id) return;
    await raiseCallEvents(trx, { orgId: moved.org_id, callId }, progressEventsOf(moved.was, status));
  });
}

/** The call answered (in progress), once; later statuses are never moved back. */
export function markInProgress(db: Db, callId: number): Promise<void> {
  return markProgress(db, callId, 'in-progress');
}

/**
 * A completed recording of the call: its sid (the first one kept, as call control's stop uses it)
 * and its URL — the call's `recordingUrl`, the last one completed winning as for inbound calls.
 * A repeat changes nothing.
 */
export async function keepRecording(db: Db, callId: number, recordingSid: string, url: string | undefined): Promise<void> {
  await db
    .updateTable('calls')
    .set({
      recording_sid: sql<string>`COALESCE(recording_sid, ${recordingSid})`,
      ...(url ? { recording_url: url } : {}),
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', callId)
    .where((eb) => eb.or([eb('recording_sid', 'is', null), ...(url ? [eb('recording_url', 'is distinct from', url)] : [])]))
    .execute();
}
