// The lead conversion report from its figures (pure): the funnel of the leads created in the
// period per campaign (by name; `(none)` for leads without one) or per source, and the totals.
import type { components } from '../../../client/schema.js';
import type { LeadFunnelRow } from '../lead-figures.js';
import { share } from '../tallies.js';
import type { LeadFigures } from './figures.js';
import { campaignLabel, compareGroups, type ReportMeta } from './meta.js';

type Schemas = components['schemas'];

function funnel(rows: readonly LeadFunnelRow[]): Schemas['LeadConversionTotals'] {
  const sum = (pick: (r: LeadFunnelRow) => number) => rows.reduce((n, r) => n + pick(r), 0);
  const leads = sum((r) => r.leads);
  const reached = {
    contacted: sum((r) => r.reached.contacted),
    followUp: sum((r) => r.reached.follow_up),
    qualified: sum((r) => r.reached.qualified),
    converted: sum((r) => r.reached.converted),
  };
  return {
    leads,
    stages: {
      new: sum((r) => r.stages.new),
      contacted: sum((r) => r.stages.contacted),
      followUp: sum((r) => r.stages.follow_up),
      qualified: sum((r) => r.stages.qualified),
      converted: sum((r) => r.stages.converted),
      lost: sum((r) => r.stages.lost),
    },
    reached,
    qualificationRate: share(reached.qualified, leads),
    conversionRate: share(reached.converted, leads),
  };
}

export function leadConversionReport(meta: ReportMeta, groupBy: 'campaign' | 'source', f: LeadFigures): Schemas['LeadConversionReport'] {
  const label = (key: string | null) => (groupBy === 'source' && key !== null ? key : campaignLabel(f.campaignNames, key));
  const rows = f.rows.map((r) => ({ groupKey: label(r.key), groupId: r.key, ...funnel([r]) })).sort(compareGroups);
  return { reportType: 'lead_conversion', ...meta, groupBy, rows, totals: funnel(f.rows) };
}
