// AI outbound calls in the database (ai_outbound_calls, one row per attempt): create, list, read,
// cancel, retries. Every function takes `db` (or a transaction) first and is scoped to the
// organisation it is given.
import { sql } from 'kysely';
import type { AiCallPriority, AiOutboundCallRow, AiOutboundCallStatus, Db } from '../../../db/types.js';

export interface NewOutboundCall {
  orgId: string;
  agentId: string;
  toPhone: string;
  context: string | null;
  scheduledFor: Date;
  timezone: string;
  priority: AiCallPriority;
  userId: number | null;
  attempt?: number;
  originalCallId?: string | null;
  scheduleId?: string | null;
}

export function insertOutboundCall(db: Db, call: NewOutboundCall): Promise<AiOutboundCallRow> {
  return db
    .insertInto('ai_outbound_calls')
    .values({
      org_id: call.orgId,
      agent_id: call.agentId,
      to_phone: call.toPhone,
      context: call.context,
      scheduled_for: call.scheduledFor,
      timezone: call.timezone,
      priority: call.priority,
      created_by_user_id: call.userId,
      attempt: call.attempt ?? 1,
      original_call_id: call.originalCallId ?? null,
      schedule_id: call.scheduleId ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findOutboundCall(db: Db, orgId: string, id: string): Promise<AiOutboundCallRow | undefined> {
  return db.selectFrom('ai_outbound_calls').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export interface OutboundCallFilter {
  status?: AiOutboundCallStatus | undefined;
  agentId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

export async function listOutboundCalls(db: Db, orgId: string, filter: OutboundCallFilter, limit: number, offset: number): Promise<{ rows: AiOutboundCallRow[]; total: number }> {
  let base = db.selectFrom('ai_outbound_calls').where('org_id', '=', orgId);
  if (filter.status) base = base.where('status', '=', filter.status);
  if (filter.agentId) base = base.where('agent_id', '=', filter.agentId);
  if (filter.from) base = base.where('scheduled_for', '>=', filter.from);
  if (filter.to) base = base.where('scheduled_for', '<', filter.to);
  const rows = await base.selectAll().orderBy('scheduled_for', 'desc').orderBy('id').limit(limit).offset(offset).execute();
  const total = await base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return { rows, total: Number(total.n) };
}

/** The summary and outcome of the call's conversation (the runtime writes them when it ends). */
export async function conversationOf(db: Db, orgId: string, outboundCallId: string): Promise<{ id: string; summary: string | null; outcome: string | null } | undefined> {
  return db
    .selectFrom('ai_conversations')
    .select(['id', 'summary', 'outcome'])
    .where('org_id', '=', orgId)
    .where('outbound_call_id', '=', outboundCallId)
    .orderBy('started_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/**
 * Cancel a call that has not started: `scheduled` only. A `queued` call is being placed (the
 * worker claimed it and its carrier request may be in flight, with no CallSid yet): canceling it
 * would answer "canceled" while the phone rings, so it is not; a claim whose worker died is given
 * back (`scheduled`) when its lease lapses, and can be canceled then. Undefined when it is not
 * canceled (the caller tells a 404 from a 409 by reading it).
 */
export function cancelOutboundCall(db: Db, orgId: string, id: string): Promise<AiOutboundCallRow | undefined> {
  return db
    .updateTable('ai_outbound_calls')
    .set({ status: 'canceled', ended_at: sql<Date>`now()`, locked_until: null, updated_at: sql<Date>`now()` })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('status', '=', 'scheduled')
    .returningAll()
    .executeTakeFirst();
}

/** The next attempt of `previous`: a new row, the same call, `attempt` + 1, due at `at`. */
export function insertRetry(db: Db, previous: AiOutboundCallRow, at: Date, userId: number | null): Promise<AiOutboundCallRow> {
  return db
    .insertInto('ai_outbound_calls')
    .values({
      org_id: previous.org_id,
      agent_id: previous.agent_id,
      to_phone: previous.to_phone,
      context: previous.context,
      scheduled_for: at,
      timezone: previous.timezone,
      priority: previous.priority,
      attempt: previous.attempt + 1,
      original_call_id: previous.original_call_id ?? previous.id,
      schedule_id: previous.schedule_id,
      import_id: previous.import_id,
      created_by_user_id: userId ?? previous.created_by_user_id,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Locks the first call of `call`'s chain of attempts (until the transaction ends): retries of one chain one at a time. */
export async function lockCallChain(trx: Db, orgId: string, call: AiOutboundCallRow): Promise<void> {
  await trx.selectFrom('ai_outbound_calls').select('id').where('org_id', '=', orgId).where('id', '=', call.original_call_id ?? call.id).forUpdate().execute();
}

/** Whether a later attempt of the same call exists already (a retry made by policy or by hand). */
export async function hasLaterAttempt(db: Db, call: AiOutboundCallRow): Promise<boolean> {
  const root = call.original_call_id ?? call.id;
  const row = await db
    .selectFrom('ai_outbound_calls')
    .select('id')
    .where('org_id', '=', call.org_id)
    .where((eb) => eb.or([eb('original_call_id', '=', root), eb('id', '=', root)]))
    .where('attempt', '>', call.attempt)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export interface PendingRetryRow {
  id: string;
  original_call_id: string | null;
  agent_id: string;
  to_phone: string;
  attempt: number;
  scheduled_for: Date;
  previous_failure: string | null;
}

/** Later attempts still waiting, soonest first, with why the attempt before each failed. */
export async function listPendingRetries(db: Db, orgId: string, limit: number, offset: number): Promise<{ rows: PendingRetryRow[]; total: number }> {
  const base = db.selectFrom('ai_outbound_calls as r').where('r.org_id', '=', orgId).where('r.status', '=', 'scheduled').where('r.attempt', '>', 1);
  const rows = await base
    .select(['r.id', 'r.original_call_id', 'r.agent_id', 'r.to_phone', 'r.attempt', 'r.scheduled_for'])
    .select((eb) =>
      eb
        .selectFrom('ai_outbound_calls as p')
        .select('p.failure_reason')
        .where('p.org_id', '=', orgId)
        .where((w) => w.or([w('p.id', '=', w.ref('r.original_call_id')), w('p.original_call_id', '=', w.ref('r.original_call_id'))]))
        .where('p.attempt', '=', sql<number>`r.attempt - 1`)
        .orderBy('p.created_at', 'desc')
        .limit(1)
        .as('previous_failure'),
    )
    .orderBy('r.scheduled_for')
    .orderBy('r.id')
    .limit(limit)
    .offset(offset)
    .execute();
  const total = await base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return { rows, total: Number(total.n) };
}
