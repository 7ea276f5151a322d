// The figures each generated report needs, read in one snapshot (the caller's): calls from the
// report summaries, logged calls, leads and conversions from their own tables, and the names
// that label the rows and the filters.
import type { Db } from '../../../db/types.js';
import { callLogSums, type LogWindow } from '../call-log-figures.js';
import { callSumsByDisposition } from '../disposition-figures.js';
import { conversionsByUser, type LeadFunnelRow, leadFunnel } from '../lead-figures.js';
import { dayBoundaries, windowOf } from '../periods.js';
import { type AgentLabel, agentsInScope, type ReportScope } from '../report-scope.js';
import type { CallSumRow, LogSumRow } from '../tallies.js';
import type { ReportRequest } from './request.js';

export interface AgentFigures {
  agents: AgentLabel[];
  calls: CallSumRow[];
  logs: LogSumRow[];
  conversions: Map<number, number>;
}

export interface OutcomeFigures {
  /** The days' first instants (groupBy day). */
  days: number[];
  calls: CallSumRow[];
  logs: LogSumRow[];
  campaignNames: Map<string, string>;
}

export interface LeadFigures {
  rows: LeadFunnelRow[];
  campaignNames: Map<string, string>;
}

const logWindow = (scope: ReportScope, r: ReportRequest): LogWindow => ({ orgId: scope.orgId, from: new Date(r.period.from), to: new Date(r.period.to) });

export async function organizationName(db: Db, orgId: string): Promise<string> {
  return (await db.selectFrom('organizations').select('name').where('id', '=', orgId).executeTakeFirstOrThrow()).name;
}

/** Names of the organisation's campaigns, by id (all of them: few per organisation). */
export async function campaignNames(db: Db, orgId: string): Promise<Map<string, string>> {
  const rows = await db.selectFrom('campaigns').select(['id', 'name']).where('org_id', '=', orgId).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

export async function agentFigures(db: Db, scope: ReportScope, r: ReportRequest): Promise<AgentFigures> {
  const agents = await agentsInScope(db, scope);
  const agentIds = agents.map((a) => a.id);
  const userIds = agents.flatMap((a) => (a.userId === null ? [] : [a.userId]));
  const people = { userIds, campaignIds: scope.campaignIds };
  return {
    agents,
    calls: await callSumsByDisposition(db, windowOf(scope.orgId, r.period.from, r.period.to, []), 'agent', { agentIds, campaignIds: scope.campaignIds }),
    logs: await callLogSums(db, logWindow(scope, r), 'user', { ...people, outcomes: r.outcomes ?? null }),
    conversions: await conversionsByUser(db, logWindow(scope, r), people),
  };
}

export async function outcomeFigures(db: Db, scope: ReportScope, r: ReportRequest): Promise<OutcomeFigures> {
  const byDay = r.groupBy === 'day';
  const days = byDay ? dayBoundaries(r.period) : [];
  const dates = days.map((d) => new Date(d));
  const key = byDay ? 'bucket' : 'campaign';
  return {
    days,
    calls: await callSumsByDisposition(db, windowOf(scope.orgId, r.period.from, r.period.to, days), key, { agentIds: scope.agentIds, campaignIds: scope.campaignIds }, dates),
    logs: await callLogSums(db, logWindow(scope, r), key, { userIds: scope.userIds, campaignIds: scope.campaignIds, outcomes: r.outcomes ?? null }, dates),
    campaignNames: await campaignNames(db, scope.orgId),
  };
}

export async function leadFigures(db: Db, scope: ReportScope, r: ReportRequest): Promise<LeadFigures> {
  const key = r.groupBy === 'source' ? 'source' : 'campaign';
  return {
    rows: await leadFunnel(db, logWindow(scope, r), key, { userIds: scope.userIds, campaignIds: scope.campaignIds }),
    campaignNames: await campaignNames(db, scope.orgId),
  };
}
