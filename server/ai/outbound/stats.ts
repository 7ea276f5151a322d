// Seed 004's queue statistics for AI outbound calls: the queue by state, and the calls coming up
// in the next 24 hours and 7 days — scheduled calls plus the runs active schedules will make
// (counted with the same nextRunAt as the worker uses).
import type { Db } from '../../../db/types.js';
import { runsBetween } from './next-run.js';
import { recurrenceOf, schedulesDueBefore } from './schedule-queries.js';

export interface AiQueueStats {
  queue: { waiting: number; active: number; completed: number; failed: number };
  scheduledCalls: { next24Hours: number; nextWeek: number };
}

const DAY_MS = 24 * 3600 * 1000;

export async function aiQueueStats(db: Db, orgId: string, now: Date): Promise<AiQueueStats> {
  const day = new Date(now.getTime() + DAY_MS);
  const week = new Date(now.getTime() + 7 * DAY_MS);
  const row = await db
    .selectFrom('ai_outbound_calls')
    .select((eb) => [
      eb.fn.countAll<string>().filterWhere('status', 'in', ['scheduled', 'queued']).as('waiting'),
      eb.fn.countAll<string>().filterWhere('status', '=', 'in-progress').as('active'),
      eb.fn.countAll<string>().filterWhere('status', '=', 'completed').as('completed'),
      eb.fn.countAll<string>().filterWhere('status', 'in', ['failed', 'no-answer', 'busy']).as('failed'),
      eb.fn.countAll<string>().filterWhere((w) => w.and([w('status', '=', 'scheduled'), w('scheduled_for', '<=', day)])).as('day'),
      eb.fn.countAll<string>().filterWhere((w) => w.and([w('status', '=', 'scheduled'), w('scheduled_for', '<=', week)])).as('week'),
    ])
    .where('org_id', '=', orgId)
    .executeTakeFirstOrThrow();
  let runsDay = 0;
  let runsWeek = 0;
  for (const schedule of await schedulesDueBefore(db, orgId, week)) {
    const first = schedule.next_run_at!;
    const later = runsBetween(recurrenceOf(schedule), first, week, 40);
    const runs = [first, ...later];
    runsWeek += runs.length;
    runsDay += runs.filter((r) => r.getTime() <= day.getTime()).length;
  }
  return {
    queue: { waiting: Number(row.waiting), active: Number(row.active), completed: Number(row.completed), failed: Number(row.failed) },
    scheduledCalls: { next24Hours: Number(row.day) + runsDay, nextWeek: Number(row.week) + runsWeek },
  };
}
