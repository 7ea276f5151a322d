// A report request (POST /api/reports/generate) as the contract validated it, made ready to run
// (pure): the period from seed 003's dateRange, the grouping each report type takes, the filters
// with outcomes in our spelling. What the contract cannot say is a 400 naming the field here.
import type { components } from '../../../client/schema.js';
import type { CallLogOutcome } from '../../../db/types.js';
import { parseOutcome } from '../../crm/call-logs/outcome.js';
import { ERRORS } from '../../platform/errors.js';
import { MAX_RANGE_DAYS, type Period, periodOf } from '../periods.js';

type Body = components['schemas']['ReportRequest'];
export type ReportType = Body['reportType'];
export type ReportFormat = NonNullable<Body['format']>;
export type ReportGroup = 'agent' | 'day' | 'campaign' | 'source';

export interface ReportRequest {
  type: ReportType;
  format: ReportFormat;
  period: Period;
  groupBy: ReportGroup;
  /** Ids as given (lower case); undefined: not filtered (not sent, or an empty list). */
  campaigns: string[] | undefined;
  agents: string[] | undefined;
  outcomes: CallLogOutcome[] | undefined;
}

/** The groupings each type takes, its default first. */
const GROUPINGS: Record<ReportType, readonly ReportGroup[]> = {
  agent_performance: ['agent'],
  call_outcomes: ['day', 'campaign'],
  lead_conversion: ['campaign', 'source'],
};

const PERIOD_FIELDS = { startDate: 'dateRange.start', endDate: 'dateRange.end', timeZone: 'timeZone' };

function groupingOf(type: ReportType, given: Body['groupBy']): ReportGroup {
  const allowed = GROUPINGS[type];
  if (given === undefined) return allowed[0]!;
  if (type === 'agent_performance') throw ERRORS.validation({ groupBy: 'is not taken by agent_performance (its rows are agents)' });
  if (!allowed.includes(given)) throw ERRORS.validation({ groupBy: `must be ${allowed.join(' or ')} for ${type}` });
  return given;
}

function outcomesOf(type: ReportType, given: readonly string[] | undefined): CallLogOutcome[] | undefined {
  if (given === undefined || given.length === 0) return undefined;
  if (type === 'lead_conversion') throw ERRORS.validation({ 'filters.outcomes': 'does not apply to lead_conversion (leads have stages, not call outcomes)' });
  const outcomes: CallLogOutcome[] = [];
  for (const [i, value] of given.entries()) {
    const outcome = parseOutcome(value);
    if (outcome === null) throw ERRORS.validation({ [`filters.outcomes[${i}]`]: 'must be a call outcome' });
    if (!outcomes.includes(outcome)) outcomes.push(outcome);
  }
  return outcomes;
}

/** An empty list filters nothing out, as a list not sent (the report shows both as [], "all" in print). */
const lowerIds = (ids: readonly string[] | undefined) => (ids === undefined || ids.length === 0 ? undefined : ids.map((id) => id.toLowerCase()));

export function reportRequestOf(body: Body, now: number): ReportRequest {
  const period = periodOf({ startDate: body.dateRange?.start, endDate: body.dateRange?.end, timeZone: body.timeZone }, now, MAX_RANGE_DAYS, PERIOD_FIELDS);
  return {
    type: body.reportType,
    format: body.format ?? 'json',
    period,
    groupBy: groupingOf(body.reportType, body.groupBy),
    campaigns: lowerIds(body.filters?.campaigns),
    agents: lowerIds(body.filters?.agents),
    outcomes: outcomesOf(body.reportType, body.filters?.outcomes),
  };
}
