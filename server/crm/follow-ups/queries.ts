// Follow-up tasks. Reads are scoped by organisation, and for an agent by assignee (`scope`).
// Whatever changes a lead's tasks runs in a transaction that locked the lead first
// (leads/queries.ts lockLead) and ends with refreshNextFollowUp, so that the lead's
// next_follow_up_at is always its soonest open task.
import { sql } from 'kysely';
import type { Db, FollowUpRow, FollowUpStatus } from '../../../db/types.js';
import type { AuthorScope } from '../call-logs/access.js';

export interface FollowUpFilters {
  status: FollowUpStatus;
  dueBefore?: Date;
  dueAfter?: Date;
  leadId?: string;
  userId?: number;
  limit: number;
  offset: number;
}

export interface NewFollowUp {
  org_id: string;
  lead_id: string;
  call_log_id: string;
  user_id: number | null;
  due_at: string;
}

export function findFollowUp(db: Db, scope: AuthorScope, id: string): Promise<FollowUpRow | undefined> {
  let query = db.selectFrom('follow_ups').selectAll().where('org_id', '=', scope.orgId).where('id', '=', id);
  if (scope.userId !== null) query = query.where('user_id', '=', scope.userId);
  return query.executeTakeFirst();
}

/** The task a call log scheduled, if any. */
export function followUpOfCallLog(db: Db, callLogId: string): Promise<FollowUpRow | undefined> {
  return db.selectFrom('follow_ups').selectAll().where('call_log_id', '=', callLogId).executeTakeFirst();
}

/** One page of tasks, soonest first, and how many match in all. */
export async function listFollowUps(db: Db, scope: AuthorScope, filters: FollowUpFilters): Promise<{ rows: FollowUpRow[]; total: number }> {
  let base = db.selectFrom('follow_ups').where('org_id', '=', scope.orgId).where('status', '=', filters.status);
  if (scope.userId !== null) base = base.where('user_id', '=', scope.userId);
  if (filters.userId !== undefined) base = base.where('user_id', '=', filters.userId);
  if (filters.leadId !== undefined) base = base.where('lead_id', '=', filters.leadId);
  if (filters.dueBefore !== undefined) base = base.where('due_at', '<', filters.dueBefore);
  if (filters.dueAfter !== undefined) base = base.where('due_at', '>=', filters.dueAfter);
  const rows = await base.selectAll().orderBy('due_at').orderBy('id').limit(filters.limit).offset(filters.offset).execute();
  const total =
    filters.offset === 0 && rows.length < filters.limit
      ? rows.length
      : Number((await base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  return { rows, total };
}

export async function insertFollowUp(db: Db, values: NewFollowUp): Promise<void> {
  await db.insertInto('follow_ups').values(values).execute();
}

/**
 * Change a task (in scope): its status (done and cancelled stamp completedAt when they are new,
 * open clears it) and / or its due time. Undefined when there is none.
 */
export function updateFollowUp(db: Db, scope: AuthorScope, id: string, change: { status?: FollowUpStatus; dueAt?: string }): Promise<FollowUpRow | undefined> {
  const status = change.status ?? null;
  let query = db
    .updateTable('follow_ups')
    .set({
      ...(change.dueAt !== undefined ? { due_at: change.dueAt } : {}),
      ...(status !== null
        ? {
            status,
            completed_at: status === 'open' ? null : sql<Date | null>`CASE WHEN status = ${status} THEN completed_at ELSE now() END`,
          }
        : {}),
      updated_at: sql<Date>`now()`,
    })
    .where('org_id', '=', scope.orgId)
    .where('id', '=', id);
  if (scope.userId !== null) query = query.where('user_id', '=', scope.userId);
  return query.returningAll().executeTakeFirst();
}

/** The lead's next_follow_up_at: the soonest of its open tasks (null when none). */
export async function refreshNextFollowUp(db: Db, leadId: string): Promise<void> {
  await db
    .updateTable('leads')
    .set({
      next_follow_up_at: (eb) =>
        eb.selectFrom('follow_ups').select((f) => f.fn.min('due_at').as('due')).where('lead_id', '=', leadId).where('status', '=', 'open'),
    })
    .where('id', '=', leadId)
    .execute();
}
