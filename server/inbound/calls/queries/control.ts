// The calls that call control acts on, and the recording it started last. Every query is scoped
// to the caller's organisation (another organisation's call is simply not found).
import type { CallStatusValue, Db } from '../../../../db/types.js';
import type { CallScope } from '../access.js';
import { callConditions } from './conditions.js';

export interface ControlledCall {
  id: number;
  status: CallStatusValue;
  /** Our tracking number, the number the caller dialled. */
  to_number: string | null;
  recording_sid: string | null;
}

export async function findOrgCallBySid(db: Db, scope: CallScope, callSid: string): Promise<ControlledCall | undefined> {
  return db
    .selectFrom('calls')
    .select(['id', 'status', 'to_number', 'recording_sid'])
    .where((eb) => callConditions(eb, scope, {}))
    .where('call_sid', '=', callSid)
    .executeTakeFirst();
}

/** Remember the recording started last on the call. */
export async function saveRecordingSid(db: Db, orgId: string, callId: number, recordingSid: string): Promise<void> {
  await db.updateTable('calls').set({ recording_sid: recordingSid }).where('org_id', '=', orgId).where('id', '=', callId).execute();
}

/** Forget the stored recording, only if it is still `recordingSid` (a newer one is kept). */
export async function clearRecordingSid(db: Db, orgId: string, callId: number, recordingSid: string): Promise<void> {
  await db
    .updateTable('calls')
    .set({ recording_sid: null })
    .where('org_id', '=', orgId)
    .where('id', '=', callId)
    .where('recording_sid', '=', recordingSid)
    .execute();
}
