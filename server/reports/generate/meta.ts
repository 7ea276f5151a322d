// What every generated report says about itself (pure): its title, the organisation, the period,
// the filters applied, whose figures they are and when it was made.
import type { components } from '../../../client/schema.js';
import { reportRange } from '../periods.js';
import type { ReportRequest, ReportType } from './request.js';

type Schemas = components['schemas'];

export interface ReportMeta {
  title: string;
  organizationName: string;
  range: Schemas['ReportRange'];
  filters: Schemas['ReportFiltersApplied'];
  scope: Schemas['ReportScope'];
  generatedAt: string;
}

export const REPORT_TITLES: Record<ReportType, string> = {
  agent_performance: 'Agent performance',
  call_outcomes: 'Call outcomes',
  lead_conversion: 'Lead conversion',
};

export function reportMeta(r: ReportRequest, organizationName: string, own: boolean, generatedAt: Date): ReportMeta {
  return {
    title: REPORT_TITLES[r.type],
    organizationName,
    range: reportRange(r.period),
    filters: { campaigns: r.campaigns ?? [], agents: r.agents ?? [], outcomes: r.outcomes ?? [] },
    scope: own ? 'own' : 'organization',
    generatedAt: generatedAt.toISOString(),
  };
}

/** A campaign group's label: its name, `(none)` for no campaign, or what was deleted. */
export function campaignLabel(names: ReadonlyMap<string, string>, key: string | null): string {
  return key === null ? '(none)' : (names.get(key) ?? `(deleted campaign ${key})`);
}

/** Groups by label (then id), the group without an id last. */
export function compareGroups(a: { groupKey: string; groupId: string | null }, b: { groupKey: string; groupId: string | null }): number {
  if (a.groupId === null || b.groupId === null) return (a.groupId === null ? 1 : 0) - (b.groupId === null ? 1 : 0);
  return a.groupKey.localeCompare(b.groupKey) || a.groupId.localeCompare(b.groupId);
}
