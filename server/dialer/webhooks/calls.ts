// The outbound call a webhook is about, by our id (`callId` in the URL) and Twilio's CallSid.
// The first webhook of a call whose sid was not stored yet (the dialer died between placing the
// call and storing its sid) stores it; a sid that belongs to another call is not this call.
import { sql } from 'kysely';
import type { CallRow, Db } from '../../../db/types.js';
import { isUniqueViolation } from '../../platform/common/pg-errors.js';
import { isPlaceholderSid } from '../loop/queries.js';

export async function outboundCall(db: Db, callId: number, callSid: string): Promise<CallRow | undefined> {
  const call = await db.selectFrom('calls').selectAll().where('id', '=', callId).where('direction', '=', 'outbound').executeTakeFirst();
  if (!call) return undefined;
  if (call.call_sid === callSid) return call;
  if (!isPlaceholderSid(call.call_sid)) return undefined;
  let linked: CallRow | undefined;
  try {
    linked = await db
      .updateTable('calls')
      .set({ call_sid: callSid, updated_at: sql<Date>`now()` })
      .where('id', '=', callId)
      .where('call_sid', 'like', 'DL%')
      .returningAll()
      .executeTakeFirst();
  } catch (err) {
    // The sid is another call's: not this call.
    if (isUniqueViolation(err)) return undefined;
    throw err;
  }
  return linked ?? (await db.selectFrom('calls').selectAll().where('id', '=', callId).where('call_sid', '=', callSid).executeTakeFirst());
}

/** The call answered (in progress), once; later statuses are never moved back. */
export async function markInProgress(db: Db, callId: number): Promise<void> {
  await db
    .updateTable('calls')
    .set({ status: 'in-progress', status_rank: 3, answered_at: sql<Date>`COALESCE(answered_at, now())`, updated_at: sql<Date>`now()` })
    .where('id', '=', callId)
    .where('status_rank', '<', 3)
    .execute();
}

const RANK = { queued: 0, initiated: 1, ringing: 2, 'in-progress': 3 } as const;

/** A progress status (initiated, ringing, in-progress) moves the call forward, never back. */
export async function markProgress(db: Db, callId: number, status: keyof typeof RANK): Promise<void> {
  if (status === 'in-progress') return markInProgress(db, callId);
  await db
    .updateTable('calls')
    .set({ status, status_rank: RANK[status], updated_at: sql<Date>`now()` })
    .where('id', '=', callId)
    .where('status_rank', '<', RANK[status])
    .execute();
}
