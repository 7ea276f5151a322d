// Seed 003's GET /analytics/performance (issue 19 item 5): calls from the report summaries, logged
// calls and leads from their own tables, all in one snapshot, in the caller's scope (report-scope.ts).
import type { Db } from '../../../db/types.js';
import type { Deps, HandlerGroup } from '../../handler-types.js';
import { callLogSums, type LogWindow } from '../call-log-figures.js';
import { callSumsByDisposition } from '../disposition-figures.js';
import { leadFunnel } from '../lead-figures.js';
import { type Period, reportRange, windowOf } from '../periods.js';
import { resolveReportScope } from '../report-scope.js';
import { snapshot } from '../snapshot.js';
import { analyticsPeriod } from './period.js';
import { performanceBody } from './performance.js';

const logWindow = (orgId: string, p: Period): LogWindow => ({ orgId, from: new Date(p.from), to: new Date(p.to) });

export function createAnalyticsHandlers({ db }: Deps): HandlerGroup<'getPerformanceAnalytics'> {
  return {
    async getPerformanceAnalytics(ctx) {
      const now = Date.now();
      const { name, period } = analyticsPeriod(ctx.query, now);
      const today = analyticsPeriod({ period: 'today', timeZone: period.timeZone }, now).period;
      const week = analyticsPeriod({ period: 'this_week', timeZone: period.timeZone }, now).period;
      const { agentId, campaignId } = ctx.query;
      const scope = await resolveReportScope(db, ctx.principal(), {
        agentIds: agentId === undefined ? undefined : [agentId],
        campaignIds: campaignId === undefined ? undefined : [campaignId],
      });
      const callFilters = { agentIds: scope.agentIds, campaignIds: scope.campaignIds };
      const peopleFilters = { userIds: scope.userIds, campaignIds: scope.campaignIds, outcomes: null };
      const calls = (trx: Db, p: Period) => callSumsByDisposition(trx, windowOf(scope.orgId, p.from, p.to, []), 'none', callFilters);
      const logs = (trx: Db, p: Period) => callLogSums(trx, logWindow(scope.orgId, p), 'none', peopleFilters);
      const figures = await snapshot(db, async (trx) => ({
        calls: { period: await calls(trx, period), today: await calls(trx, today), week: await calls(trx, week) },
        logs: { period: await logs(trx, period), today: await logs(trx, today), week: await logs(trx, week) },
        leads: (await leadFunnel(trx, logWindow(scope.orgId, period), 'none', peopleFilters))[0],
      }));
      const filters = { scope: scope.own ? ('own' as const) : ('organization' as const), campaignId: campaignId?.toLowerCase() ?? null, agentId: agentId?.toLowerCase() ?? null };
      return { status: 200, body: performanceBody(name, reportRange(period), filters, figures, new Date(now)) };
    },
  };
}
