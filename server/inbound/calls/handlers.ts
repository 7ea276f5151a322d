import { parseIntId } from '../../platform/common/ids.js';
import { ERRORS } from '../../platform/errors.js';
import type { Deps, HandlerGroup } from '../../handler-types.js';
import { callScope } from './access.js';
import { callFiltersFromQuery } from './filters.js';
import { presentCallDetail, presentCallSummary } from './present.js';
import { findCallWithLegs, listCallsPage } from './queries/index.js';
import { createCallStatsHandlers } from './stats-handlers.js';

const DEFAULT_LIMIT = 25;

export function createCallHandlers(deps: Deps): HandlerGroup<'listCalls' | 'getCall' | 'getCallStatsSummary' | 'getCallStatsByDisposition'> {
  const { db } = deps;
  return {
    async listCalls(ctx) {
      const scope = callScope(ctx.principal());
      const page = ctx.query.page ?? 1;
      const limit = ctx.query.limit ?? DEFAULT_LIMIT;
      const { rows, total } = await listCallsPage(db, scope, callFiltersFromQuery(ctx.query), page, limit);
      const totalPages = Math.ceil(total / limit);
      return {
        status: 200,
        body: {
          calls: rows.map(presentCallSummary),
          pagination: { page, limit, total, totalPages, hasNextPage: page < totalPages, hasPreviousPage: page > 1 },
        },
      };
    },

    async getCall(ctx) {
      const id = parseIntId(ctx.params.id);
      const found = id === null ? undefined : await findCallWithLegs(db, callScope(ctx.principal()), id);
      if (!found) throw ERRORS.notFound('Call', ctx.params.id);
      return { status: 200, body: presentCallDetail(found.call, found.legs) };
    },

    ...createCallStatsHandlers(deps),
  };
}
