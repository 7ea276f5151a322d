// The period of GET /api/analytics/performance (pure): seed 003's named periods, or startDate …
// endDate like the other reports (then `custom`); bad values are 400s naming the field.
import { ERRORS } from '../../platform/errors.js';
import { lastDays, mondayOf, type Period, periodOf } from '../periods.js';

export type NamedPeriod = 'today' | 'this_week' | 'last_7_days' | 'last_30_days' | 'last_90_days';
export type PeriodName = NamedPeriod | 'custom';

const LAST_DAYS: Partial<Record<NamedPeriod, number>> = { today: 1, last_7_days: 7, last_30_days: 30, last_90_days: 90 };

export interface AnalyticsPeriodQuery {
  period?: NamedPeriod | undefined;
  startDate?: string | undefined;
  endDate?: string | undefined;
  timeZone?: string | undefined;
}

export function analyticsPeriod(q: AnalyticsPeriodQuery, now: number): { name: PeriodName; period: Period } {
  if (q.startDate !== undefined || q.endDate !== undefined) {
    if (q.period !== undefined) throw ERRORS.validation({ period: 'must not be sent with startDate or endDate' });
    return { name: 'custom', period: periodOf(q, now) };
  }
  const name = q.period ?? 'last_30_days';
  const days = LAST_DAYS[name];
  if (days !== undefined) return { name, period: lastDays(days, q.timeZone, now) };
  const today = lastDays(1, q.timeZone, now);
  return { name, period: periodOf({ startDate: mondayOf(today.endDate), endDate: today.endDate, timeZone: today.timeZone }, now) };
}
