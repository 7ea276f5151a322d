// Recurring AI calls in the database (ai_schedules). Date columns are read as YYYY-MM-DD text
// (`::text`), so that no time zone of the server's ever shifts a day. Functions take `db` first.
import { sql } from 'kysely';
import type { AiCallPriority, AiSchedulePattern, AiScheduleRow, Db } from '../../../db/types.js';
import type { Recurrence } from './next-run.js';

const COLUMNS = [
  'id',
  'org_id',
  'agent_id',
  'to_phone',
  'context',
  'pattern',
  'time_of_day',
  'timezone',
  'days_of_week',
  'day_of_month',
  'business_hours_only',
  'priority',
  'is_active',
  'next_run_at',
  'last_run_at',
  'locked_until',
  'created_by_user_id',
  'created_at',
  'updated_at',
] as const;

const startDate = sql<string>`start_date::text`.as('start_date');
const endDate = sql<string | null>`end_date::text`.as('end_date');

export function recurrenceOf(row: Pick<AiScheduleRow, 'pattern' | 'time_of_day' | 'timezone' | 'start_date' | 'end_date' | 'days_of_week' | 'day_of_month' | 'business_hours_only'>): Recurrence {
  const day = (v: Date | string | null) => (v === null ? null : typeof v === 'string' ? v.slice(0, 10) : v.toISOString().slice(0, 10));
  return {
    pattern: row.pattern,
    time: row.time_of_day,
    timeZone: row.timezone,
    startDate: day(row.start_date)!,
    endDate: day(row.end_date),
    daysOfWeek: row.days_of_week,
    dayOfMonth: row.day_of_month,
    businessHoursOnly: row.business_hours_only,
  };
}

export interface NewSchedule {
  orgId: string;
  agentId: string;
  toPhone: string;
  context: string | null;
  pattern: AiSchedulePattern;
  time: string;
  timezone: string;
  startDate: string;
  endDate: string | null;
  daysOfWeek: number[] | null;
  dayOfMonth: number | null;
  businessHoursOnly: boolean;
  priority: AiCallPriority;
  nextRunAt: Date;
  userId: number | null;
}

export function insertSchedule(db: Db, s: NewSchedule): Promise<AiScheduleRow> {
  return db
    .insertInto('ai_schedules')
    .values({
      org_id: s.orgId,
      agent_id: s.agentId,
      to_phone: s.toPhone,
      context: s.context,
      pattern: s.pattern,
      time_of_day: s.time,
      timezone: s.timezone,
      start_date: s.startDate,
      end_date: s.endDate,
      days_of_week: s.daysOfWeek,
      day_of_month: s.dayOfMonth,
      business_hours_only: s.businessHoursOnly,
      priority: s.priority,
      next_run_at: s.nextRunAt,
      created_by_user_id: s.userId,
    })
    .returning([...COLUMNS, startDate, endDate])
    .executeTakeFirstOrThrow();
}

export function findSchedule(db: Db, orgId: string, id: string): Promise<AiScheduleRow | undefined> {
  return db.selectFrom('ai_schedules').select([...COLUMNS, startDate, endDate]).where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export async function listSchedules(db: Db, orgId: string, isActive: boolean | undefined, limit: number, offset: number): Promise<{ rows: AiScheduleRow[]; total: number }> {
  let base = db.selectFrom('ai_schedules').where('org_id', '=', orgId);
  if (isActive !== undefined) base = base.where('is_active', '=', isActive);
  const rows = await base.select([...COLUMNS, startDate, endDate]).orderBy('created_at', 'desc').orderBy('id').limit(limit).offset(offset).execute();
  const total = await base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return { rows, total: Number(total.n) };
}

/** Deactivate: no next run. Undefined for another organisation's or an unknown schedule. */
export function deactivateSchedule(db: Db, orgId: string, id: string): Promise<AiScheduleRow | undefined> {
  return db
    .updateTable('ai_schedules')
    .set({ is_active: false, next_run_at: null, updated_at: sql<Date>`now()` })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returning([...COLUMNS, startDate, endDate])
    .executeTakeFirst();
}

/** Active schedules whose next run is before `until` (for the stats' look ahead). */
export function schedulesDueBefore(db: Db, orgId: string, until: Date): Promise<AiScheduleRow[]> {
  return db
    .selectFrom('ai_schedules')
    .select([...COLUMNS, startDate, endDate])
    .where('org_id', '=', orgId)
    .where('is_active', '=', true)
    .where('next_run_at', '<=', until)
    .execute();
}
