// A lead's timeline: the calls placed to it (call records naming it), its call logs, follow-up
// tasks (at their due time), stage changes and the import that created it, in one time-ordered page. Each kind is read from its own table by the
// lead's id (each has an index on it) and the kinds are merged with UNION ALL, so PostgreSQL pages
// the merged list. The lead itself is checked by the caller (leads/access.ts).
import { type SelectQueryBuilder, sql } from 'kysely';
import type { DB, Db } from '../../../db/types.js';

export type ActivityType = 'call' | 'call_log' | 'follow_up' | 'stage_change' | 'import';

/**
 * One item, in columns every kind shares: call (text1 status, text2 disposition, num1 duration,
 * num2 call id; user_id the user of the agent it was bridged to), call_log (text1 outcome, text2 notes, num1 duration,
 * num2 call id), follow_up (text1 status, text2 call log id, time1 completed at), stage_change
 * (text1 from, text2 to), import (text1 file name).
 */
export interface ActivityRow {
  type: ActivityType;
  at: Date;
  id: string;
  user_id: number | null;
  text1: string | null;
  text2: string | null;
  num1: number | null;
  num2: number | null;
  time1: Date | null;
}

export interface ActivityQuery {
  orgId: string;
  leadId: string;
  /** Only this author's call logs and follow-ups, and the calls bridged to its agent (an agent); null: everyone's. */
  authorId: number | null;
  types: ReadonlySet<ActivityType>;
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}

type Branch = SelectQueryBuilder<DB, any, ActivityRow>;

function branches(db: Db, q: ActivityQuery): Branch[] {
  const out: Branch[] = [];
  const nullText = sql<string | null>`NULL::text`;
  const nullInt = sql<number | null>`NULL::integer`;
  const nullTime = sql<Date | null>`NULL::timestamptz`;
  if (q.types.has('call')) {
    let calls = db.selectFrom('calls').leftJoin('agents', 'agents.id', 'calls.agent_id').where('calls.org_id', '=', q.orgId).where('calls.lead_id', '=', q.leadId);
    if (q.authorId !== null) calls = calls.where('agents.org_id', '=', q.orgId).where('agents.user_id', '=', q.authorId);
    out.push(
      calls
        .select([
          sql<ActivityType>`'call'`.as('type'),
          'calls.created_at as at',
          sql<string>`calls.id::text`.as('id'),
          'agents.user_id as user_id',
          sql<string | null>`calls.status`.as('text1'),
          sql<string | null>`calls.disposition`.as('text2'),
          'calls.duration_sec as num1',
          'calls.id as num2',
          nullTime.as('time1'),
        ])
        .$castTo<ActivityRow>(),
    );
  }
  if (q.types.has('call_log')) {
    let logs = db.selectFrom('call_logs').where('org_id', '=', q.orgId).where('lead_id', '=', q.leadId);
    if (q.authorId !== null) logs = logs.where('user_id', '=', q.authorId);
    out.push(
      logs
        .select([
          sql<ActivityType>`'call_log'`.as('type'),
          'created_at as at',
          sql<string>`id::text`.as('id'),
          'user_id',
          sql<string | null>`outcome`.as('text1'),
          'notes as text2',
          'duration_sec as num1',
          'call_id as num2',
          nullTime.as('time1'),
        ])
        .$castTo<ActivityRow>(),
    );
  }
  if (q.types.has('follow_up')) {
    let tasks = db.selectFrom('follow_ups').where('org_id', '=', q.orgId).where('lead_id', '=', q.leadId);
    if (q.authorId !== null) tasks = tasks.where('user_id', '=', q.authorId);
    out.push(
      tasks
        .select([
          sql<ActivityType>`'follow_up'`.as('type'),
          'due_at as at',
          sql<string>`id::text`.as('id'),
          'user_id',
          sql<string | null>`status`.as('text1'),
          sql<string | null>`call_log_id::text`.as('text2'),
          nullInt.as('num1'),
          nullInt.as('num2'),
          'completed_at as time1',
        ])
        .$castTo<ActivityRow>(),
    );
  }
  if (q.types.has('stage_change')) {
    out.push(
      db
        .selectFrom('lead_stage_changes')
        .where('org_id', '=', q.orgId)
        .where('lead_id', '=', q.leadId)
        .select([
          sql<ActivityType>`'stage_change'`.as('type'),
          'changed_at as at',
          sql<string>`id::text`.as('id'),
          'user_id',
          sql<string | null>`from_stage`.as('text1'),
          sql<string | null>`to_stage`.as('text2'),
          nullInt.as('num1'),
          nullInt.as('num2'),
          nullTime.as('time1'),
        ])
        .$castTo<ActivityRow>(),
    );
  }
  if (q.types.has('import')) {
    out.push(
      db
        .selectFrom('leads')
        .innerJoin('lead_imports', 'lead_imports.id', 'leads.import_id')
        .where('leads.org_id', '=', q.orgId)
        .where('leads.id', '=', q.leadId)
        .select([
          sql<ActivityType>`'import'`.as('type'),
          'leads.created_at as at',
          sql<string>`lead_imports.id::text`.as('id'),
          'lead_imports.created_by_user_id as user_id',
          'lead_imports.file_name as text1',
          nullText.as('text2'),
          nullInt.as('num1'),
          nullInt.as('num2'),
          nullTime.as('time1'),
        ])
        .$castTo<ActivityRow>(),
    );
  }
  return out;
}

/** One page of the lead's timeline and how many items it has in all (of the kinds asked for). */
export async function listActivity(db: Db, q: ActivityQuery): Promise<{ rows: ActivityRow[]; total: number }> {
  const parts = branches(db, q);
  const [first, ...rest] = parts;
  if (!first) return { rows: [], total: 0 };
  const merged = rest.reduce((union, part) => union.unionAll(part), first);
  const rows = await db
    .selectFrom(merged.as('items'))
    .selectAll()
    .orderBy('at', q.order)
    .orderBy('type', q.order)
    .orderBy('id', q.order)
    .limit(q.limit)
    .offset(q.offset)
    .execute();
  const total =
    q.offset === 0 && rows.length < q.limit
      ? rows.length
      : Number((await db.selectFrom(merged.as('items')).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  return { rows, total };
}
