// Raising a call's events (call.started, call.answered, call.completed) from wherever the call
// changed — the inbound webhooks (attribution/calls/call-events.ts) and the dialer's — in the
// transaction of the change. The call's row is read (after the change) only when somebody listens.
import type { Db } from '../../../db/types.js';
import { callEventData } from './call-data.js';
import { listenedTypes } from './listeners.js';
import { raiseEvent } from './raise.js';
import type { EventType } from './types.js';

export type CallEventType = Extract<EventType, `call.${string}`>;

/** Raises `types` for the call, in order; returns how many deliveries were queued. */
export async function raiseCallEvents(db: Db, call: { orgId: string; callId: number }, types: readonly CallEventType[]): Promise<number> {
  const wanted = await listenedTypes(db, call.orgId, types);
  if (wanted.length === 0) return 0;
  const row = await db.selectFrom('calls').selectAll().where('org_id', '=', call.orgId).where('id', '=', call.callId).executeTakeFirst();
  if (!row) return 0;
  const data = callEventData(row);
  let deliveries = 0;
  for (const type of wanted) deliveries += (await raiseEvent(db, { orgId: call.orgId, type, data })).deliveries;
  return deliveries;
}
