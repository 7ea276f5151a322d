// Seed 002's call statistics, each one statement over the calls the caller reaches
// (conditions.ts): the summary as FILTER aggregates in one pass, the disposition breakdown as
// one GROUP BY. Averages and sums stay numeric text; stats.ts turns them into the API's numbers.
import { sql } from 'kysely';
import type { CallDisposition, Db } from '../../../../db/types.js';
import type { CallScope } from '../access.js';
import type { CallFilters } from '../filters.js';
import { MACHINE_ANSWERS } from '../../../dialer/loop/outcome.js';
import { callConditions } from './conditions.js';

export interface CallStatsRow {
  total_calls: string;
  answered_calls: string;
  voicemail_calls: string;
  no_answer_calls: string;
  busy_calls: string;
  failed_calls: string;
  abandoned_calls: string;
  canceled_calls: string;
  human_answered: string;
  machine_answered: string;
  /** numeric text, two decimals; null when no call has a duration. */
  avg_duration: string | null;
  avg_talk_time: string | null;
  /** numeric text; '0' when no call has a cost. */
  total_cost: string;
}

export async function callStatsSummary(db: Db, scope: CallScope, filters: CallFilters): Promise<CallStatsRow> {
  const disposition = (value: CallDisposition) => sql<string>`count(*) FILTER (WHERE calls.disposition = ${value})`;
  return db
    .selectFrom('calls')
    .where((eb) => callConditions(eb, scope, filters))
    .select([
      sql<string>`count(*)`.as('total_calls'),
      disposition('answered').as('answered_calls'),
      disposition('voicemail').as('voicemail_calls'),
      disposition('no_answer').as('no_answer_calls'),
      disposition('busy').as('busy_calls'),
      disposition('failed').as('failed_calls'),
      disposition('abandoned').as('abandoned_calls'),
      disposition('canceled').as('canceled_calls'),
      sql<string>`count(*) FILTER (WHERE calls.answered_by = 'human')`.as('human_answered'),
      sql<string>`count(*) FILTER (WHERE calls.answered_by IN (${sql.join(MACHINE_ANSWERS)}))`.as('machine_answered'),
      sql<string | null>`round(avg(calls.duration_sec), 2)`.as('avg_duration'),
      sql<string | null>`round(avg(calls.talk_time_sec), 2)`.as('avg_talk_time'),
      sql<string>`coalesce(sum(calls.cost), 0)`.as('total_cost'),
    ])
    .executeTakeFirstOrThrow();
}

export interface DispositionCountRow {
  disposition: CallDisposition;
  count: string;
}

/** Calls per disposition (calls without one left out), most first, ties by name in byte order. */
export async function callCountsByDisposition(db: Db, scope: CallScope, filters: CallFilters): Promise<DispositionCountRow[]> {
  const rows = await db
    .selectFrom('calls')
    .where((eb) => callConditions(eb, scope, filters))
    .where('calls.disposition', 'is not', null)
    .select(['calls.disposition', sql<string>`count(*)`.as('count')])
    .groupBy('calls.disposition')
    .orderBy(sql`count(*)`, 'desc')
    .orderBy(sql`calls.disposition COLLATE "C"`)
    .execute();
  return rows as DispositionCountRow[];
}
