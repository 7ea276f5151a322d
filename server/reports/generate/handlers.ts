// Seed 003's POST /reports/generate (issue 19 item 5), answered at once: the report's figures in
// one snapshot in the caller's scope, built into the JSON report, and for `csv` / `pdf` that
// report as a table in a file (an attachment).
import type { components } from '../../../client/schema.js';
import type { Db } from '../../../db/types.js';
import type { Deps, HandlerGroup } from '../../handler-types.js';
import { agentsInScope, type ReportScope, resolveReportScope } from '../report-scope.js';
import { snapshot } from '../snapshot.js';
import { agentPerformanceReport } from './agent-performance.js';
import { callOutcomesReport } from './call-outcomes.js';
import { reportCsv } from './csv.js';
import { agentFigures, campaignNames, leadFigures, organizationName, outcomeFigures } from './figures.js';
import { leadConversionReport } from './lead-conversion.js';
import { type ReportMeta, reportMeta } from './meta.js';
import { type PdfLabels, reportPdf } from './pdf.js';
import { type ReportRequest, reportRequestOf } from './request.js';
import { reportTable } from './table.js';

type GeneratedReport = components['schemas']['GeneratedReport'];

async function buildReport(db: Db, scope: ReportScope, r: ReportRequest, now: Date): Promise<{ report: GeneratedReport; meta: ReportMeta; labels: PdfLabels }> {
  const meta = reportMeta(r, await organizationName(db, scope.orgId), scope.own, now);
  const agents = r.agents === undefined ? [] : (await agentsInScope(db, scope)).map((a) => a.name);
  const names = r.campaigns === undefined ? new Map<string, string>() : await campaignNames(db, scope.orgId);
  const labels = { campaigns: (r.campaigns ?? []).map((id) => names.get(id) ?? id), agents };
  const report = await (async (): Promise<GeneratedReport> => {
    switch (r.type) {
      case 'agent_performance':
        return agentPerformanceReport(meta, await agentFigures(db, scope, r));
      case 'call_outcomes':
        return callOutcomesReport(meta, r.groupBy === 'campaign' ? 'campaign' : 'day', r.period.timeZone, await outcomeFigures(db, scope, r));
      case 'lead_conversion':
        return leadConversionReport(meta, r.groupBy === 'source' ? 'source' : 'campaign', await leadFigures(db, scope, r));
    }
  })();
  return { report, meta, labels };
}

export function createGenerateReportHandlers({ db }: Deps): HandlerGroup<'generateReport'> {
  return {
    async generateReport(ctx) {
      const now = new Date();
      const request = reportRequestOf(ctx.body, now.getTime());
      const scope = await resolveReportScope(db, ctx.principal(), { agentIds: request.agents, campaignIds: request.campaigns });
      const { report, meta, labels } = await snapshot(db, (trx) => buildReport(trx, scope, request, now));
      if (request.format === 'json') return { status: 200, body: report };
      const file = `${request.type}_${request.period.startDate}_${request.period.endDate}.${request.format}`;
      ctx.reply.header('content-disposition', `attachment; filename="${file}"`);
      if (request.format === 'csv') {
        ctx.reply.type('text/csv; charset=utf-8');
        return { status: 200, body: reportCsv(reportTable(report)) };
      }
      ctx.reply.type('application/pdf');
      return { status: 200, body: await reportPdf(meta, reportTable(report), labels) };
    },
  };
}
