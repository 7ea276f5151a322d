// Call-log queries. Every one is scoped by organisation, and for an agent by authorship (`scope`).
// A log is read with the follow-up task it scheduled.
import { sql } from 'kysely';
import type { CallLogOutcome, CallLogPatch, Db, NewCallLog } from '../../../db/types.js';
import type { AuthorScope } from './access.js';
import type { CallLogWithFollowUp } from './mapping.js';

export interface CallLogFilters {
  leadId?: string;
  outcome?: CallLogOutcome;
  userId?: number;
  /** Logged at or after. */
  from?: Date;
  /** Logged before. */
  before?: Date;
  limit: number;
  offset: number;
}

function withFollowUp(db: Db, scope: AuthorScope) {
  let query = db
    .selectFrom('call_logs')
    .leftJoin('follow_ups', 'follow_ups.call_log_id', 'call_logs.id')
    .selectAll('call_logs')
    .select(['follow_ups.id as follow_up_id', 'follow_ups.due_at as follow_up_due_at', 'follow_ups.status as follow_up_status'])
    .where('call_logs.org_id', '=', scope.orgId);
  if (scope.userId !== null) query = query.where('call_logs.user_id', '=', scope.userId);
  return query;
}

export function findCallLog(db: Db, scope: AuthorScope, id: string): Promise<CallLogWithFollowUp | undefined> {
  return withFollowUp(db, scope).where('call_logs.id', '=', id).executeTakeFirst();
}

/** One page of logs, newest first, and how many match in all. */
export async function listCallLogs(db: Db, scope: AuthorScope, filters: CallLogFilters): Promise<{ rows: CallLogWithFollowUp[]; total: number }> {
  let base = db.selectFrom('call_logs').where('call_logs.org_id', '=', scope.orgId);
  if (scope.userId !== null) base = base.where('call_logs.user_id', '=', scope.userId);
  if (filters.userId !== undefined) base = base.where('call_logs.user_id', '=', filters.userId);
  if (filters.leadId !== undefined) base = base.where('call_logs.lead_id', '=', filters.leadId);
  if (filters.outcome !== undefined) base = base.where('call_logs.outcome', '=', filters.outcome);
  if (filters.from !== undefined) base = base.where('call_logs.created_at', '>=', filters.from);
  if (filters.before !== undefined) base = base.where('call_logs.created_at', '<', filters.before);
  const rows = await base
    .leftJoin('follow_ups', 'follow_ups.call_log_id', 'call_logs.id')
    .selectAll('call_logs')
    .select(['follow_ups.id as follow_up_id', 'follow_ups.due_at as follow_up_due_at', 'follow_ups.status as follow_up_status'])
    .orderBy('call_logs.created_at', 'desc')
    .orderBy('call_logs.id')
    .limit(filters.limit)
    .offset(filters.offset)
    .execute();
  const total =
    filters.offset === 0 && rows.length < filters.limit
      ? rows.length
      : Number((await base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  return { rows, total };
}

export async function insertCallLog(db: Db, values: NewCallLog): Promise<string> {
  return (await db.insertInto('call_logs').values(values).returning('id').executeTakeFirstOrThrow()).id;
}

/** Change a log (in scope); its author as it stands after the change (null: removed), undefined when there is none. */
export async function updateCallLog(db: Db, scope: AuthorScope, id: string, patch: CallLogPatch): Promise<{ user_id: number | null } | undefined> {
  let query = db
    .updateTable('call_logs')
    .set({ ...patch, updated_at: sql<Date>`now()` })
    .where('org_id', '=', scope.orgId)
    .where('id', '=', id);
  if (scope.userId !== null) query = query.where('user_id', '=', scope.userId);
  return query.returning('user_id').executeTakeFirst();
}

/**
 * Keep a log's author from being removed until the transaction ends (FOR KEY SHARE: a removal
 * waits for it); false when the author is already gone. Taken before the log is written: a removal
 * holding the user first would otherwise wait on the log (its SET NULL) while the write waits on it.
 */
export async function holdAuthor(trx: Db, orgId: string, userId: number): Promise<boolean> {
  return (await trx.selectFrom('users').select('id').where('org_id', '=', orgId).where('id', '=', userId).forKeyShare().executeTakeFirst()) !== undefined;
}

/** Delete a log (in scope) and, with it, its follow-up task; false when there is none. */
export async function deleteCallLog(db: Db, scope: AuthorScope, id: string): Promise<boolean> {
  let query = db.deleteFrom('call_logs').where('org_id', '=', scope.orgId).where('id', '=', id);
  if (scope.userId !== null) query = query.where('user_id', '=', scope.userId);
  return (await query.executeTakeFirst()).numDeletedRows > 0n;
}

/** Whether a call record (`/api/calls/{id}`) is the organisation's. */
export async function isCallOfOrg(db: Db, orgId: string, callId: number): Promise<boolean> {
  return (await db.selectFrom('calls').select('id').where('org_id', '=', orgId).where('id', '=', callId).executeTakeFirst()) !== undefined;
}
