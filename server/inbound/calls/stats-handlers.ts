// Seed 002's call statistics: GET /api/calls/stats/summary and /api/calls/stats/by-disposition,
// over the calls the caller reaches (access.ts), filtered as GET /api/calls is.
import type { Deps, HandlerGroup } from '../../handler-types.js';
import { callScope } from './access.js';
import { callFiltersFromQuery } from './filters.js';
import { callCountsByDisposition, callStatsSummary } from './queries/index.js';
import { presentCallStats, presentDispositionCounts } from './stats.js';

export function createCallStatsHandlers({ db }: Deps): HandlerGroup<'getCallStatsSummary' | 'getCallStatsByDisposition'> {
  return {
    async getCallStatsSummary(ctx) {
      const row = await callStatsSummary(db, callScope(ctx.principal()), callFiltersFromQuery(ctx.query));
      return { status: 200, body: presentCallStats(row) };
    },

    async getCallStatsByDisposition(ctx) {
      const rows = await callCountsByDisposition(db, callScope(ctx.principal()), callFiltersFromQuery(ctx.query));
      return { status: 200, body: presentDispositionCounts(rows) };
    },
  };
}
