// server/ai/analytics (issue 20): seed 004's call, agent and cost analytics and system stats, over
// the AI calls of the caller's organisation (another organisation's agent is a 404). Managers and
// above (x-min-role): costs and every agent's calls are the organisation's business figures.
import type { Deps, HandlerGroup } from '../../handler-types.js';
import { parseUuid } from '../../platform/common/ids.js';
import type { Db } from '../../../db/types.js';
import { ERRORS } from '../../platform/errors.js';
import { SERVICE_VERSION } from '../../platform/version.js';
import { agentExtras, callBuckets, type CallFilter } from './call-figures.js';
import { costRows } from './cost-figures.js';
import { byDateOf, costsOf, percent, totalsOf } from './present.js';
import { type AnalyticsRange, bucketsOf, type GroupBy, rangeBody, rangeOf } from './range.js';
import { aiStats } from './stats-figures.js';

/** When this process started (what `uptime` counts from). */
const PROCESS_STARTED_AT = Date.now() - Math.round(process.uptime() * 1000);

type AiAnalyticsOps = 'getAiCallAnalytics' | 'getAiAgentAnalytics' | 'getAiCostAnalytics' | 'getAiStats';

/** The organisation's agent (archived ones too), else a 404 naming what was asked for. */
async function ownAgent(db: Db, orgId: string, raw: string): Promise<{ id: string; name: string }> {
  const id = parseUuid(raw);
  const row = id === null ? undefined : await db.selectFrom('ai_agents').select(['id', 'name']).where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  if (!row) throw ERRORS.notFound('AI agent', raw);
  return row;
}

function filterOf(orgId: string, range: AnalyticsRange, agentId: string | null): CallFilter {
  return { orgId, from: new Date(range.from), to: new Date(range.to), agentId };
}

export function createAiAnalyticsHandlers({ db }: Deps): HandlerGroup<AiAnalyticsOps> {
  return {
    async getAiCallAnalytics(ctx) {
      const { orgId } = ctx.principal();
      const range = rangeOf(ctx.query);
      const agent = ctx.query.agentId === undefined ? null : await ownAgent(db, orgId, ctx.query.agentId);
      const groupBy: GroupBy = ctx.query.groupBy ?? 'day';
      const rows = await callBuckets(db, filterOf(orgId, range, agent?.id ?? null), { groupBy, timeZone: range.timeZone });
      const { byStatus, ...summary } = totalsOf(rows);
      return {
        status: 200,
        body: { range: rangeBody(range), agentId: agent?.id ?? null, groupBy, summary, byStatus, byDate: byDateOf(rows, bucketsOf(range, groupBy)) },
      };
    },

    async getAiAgentAnalytics(ctx) {
      const { orgId } = ctx.principal();
      const agent = await ownAgent(db, orgId, ctx.params.id);
      const range = rangeOf(ctx.query);
      const filter = { ...filterOf(orgId, range, agent.id), agentId: agent.id };
      const [rows, extras] = [await callBuckets(db, filter, null), await agentExtras(db, filter)];
      const totals = totalsOf(rows);
      return {
        status: 200,
        body: {
          range: rangeBody(range),
          agentId: agent.id,
          agentName: agent.name,
          totalCalls: totals.totalCalls,
          successfulCalls: totals.successfulCalls,
          successRate: totals.successRate,
          averageDuration: totals.averageDuration,
          voicemailDetectionRate: percent(extras.voicemails, extras.outboundCalls),
          retrySuccessRate: percent(extras.retriesCompleted, extras.retries),
          topFailureReasons: extras.failureReasons,
        },
      };
    },

    async getAiCostAnalytics(ctx) {
      const { orgId } = ctx.principal();
      const range = rangeOf(ctx.query);
      const agent = ctx.query.agentId === undefined ? null : await ownAgent(db, orgId, ctx.query.agentId);
      const groupBy = ctx.query.groupBy ?? null;
      const rows = await costRows(db, filterOf(orgId, range, agent?.id ?? null), groupBy === null ? null : { groupBy, timeZone: range.timeZone });
      const costs = costsOf(rows, groupBy === null ? null : bucketsOf(range, groupBy));
      return { status: 200, body: { range: rangeBody(range), agentId: agent?.id ?? null, ...costs } };
    },

    async getAiStats(ctx) {
      const { orgId } = ctx.principal();
      const s = await aiStats(db, orgId);
      const now = Date.now();
      const total = s.inbound + s.outbound;
      return {
        status: 200,
        body: {
          calls: { total, inbound: s.inbound, outbound: s.outbound, successRate: percent(s.inboundCompleted + s.outboundCompleted, total) },
          agents: { total: s.agents, active: s.activeAgents },
          queue: { waiting: s.waiting, scheduled: s.scheduled, active: s.active },
          uptime: Math.max(0, Math.floor((now - PROCESS_STARTED_AT) / 1000)),
          startedAt: new Date(PROCESS_STARTED_AT).toISOString(),
          version: SERVICE_VERSION,
          generatedAt: new Date(now).toISOString(),
        },
      };
    },
  };
}
