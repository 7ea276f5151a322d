// The call filters of GET /api/calls and the call statistics, read from a validated query. Pure.
// Days are UTC days: `dateFrom` from its midnight on, `dateTo` up to the next midnight (included).
import type { AnsweredBy, CallDisposition, CallSource, Direction } from '../../../db/types.js';
import { ERRORS } from '../../platform/errors.js';
import type { CallStatus } from './status.js';

/** The filters the list and the statistics share, as the contract bounded them. */
interface CommonCallFilters {
  campaignId?: string | undefined;
  status?: CallStatus | undefined;
  source?: CallSource | undefined;
  agentId?: string | undefined;
  leadId?: string | undefined;
  disposition?: CallDisposition | undefined;
  answeredBy?: AnsweredBy | undefined;
  direction?: Direction | undefined;
}

export interface CallFilters extends CommonCallFilters {
  /** Calls created at or after this instant. */
  from?: Date | undefined;
  /** Calls created before this instant. */
  before?: Date | undefined;
}

/** What the operations' queries may hold (each names a subset; the contract has bounded every value). */
export interface CallFilterQuery extends CommonCallFilters {
  dateFrom?: string | undefined;
  dateTo?: string | undefined;
}

const DAY_MS = 86_400_000;

function startOfUtcDay(day: string): Date {
  return new Date(`${day}T00:00:00.000Z`);
}

/** The filters of a query; 400 naming `dateTo` when it is before `dateFrom`. */
export function callFiltersFromQuery(q: CallFilterQuery): CallFilters {
  if (q.dateFrom !== undefined && q.dateTo !== undefined && q.dateTo < q.dateFrom) throw ERRORS.validation({ dateTo: 'must not be before dateFrom' });
  return {
    campaignId: q.campaignId,
    status: q.status,
    source: q.source,
    agentId: q.agentId,
    leadId: q.leadId,
    disposition: q.disposition,
    answeredBy: q.answeredBy,
    direction: q.direction,
    from: q.dateFrom === undefined ? undefined : startOfUtcDay(q.dateFrom),
    before: q.dateTo === undefined ? undefined : new Date(startOfUtcDay(q.dateTo).getTime() + DAY_MS),
  };
}
