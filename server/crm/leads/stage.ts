// Stages in our spelling or seed 003's, and the `status` filter that takes a stage or a dial status (pure).
import type { LeadDialStatus, LeadStage } from '../../../db/types.js';

const STAGES: Record<string, LeadStage> = {
  new: 'new',
  contacted: 'contacted',
  follow_up: 'follow_up',
  'follow-up': 'follow_up',
  followup: 'follow_up',
  'follow up': 'follow_up',
  qualified: 'qualified',
  converted: 'converted',
  lost: 'lost',
};
const DIAL_STATUSES = new Set<string>(['pending', 'queued', 'previewing', 'calling', 'completed', 'failed', 'dnc']);

/** A stage from any accepted spelling (`New`, `Follow-up`, `follow_up`, ...); null when it is none. */
export function parseStage(value: string): LeadStage | null {
  const key = value.trim().toLowerCase();
  // (own keys only: `constructor` or `__proto__` in a CSV cell is no stage)
  return Object.hasOwn(STAGES, key) ? STAGES[key]! : null;
}

/** Seed 002's and seed 003's `status` filter: a dial status, or a stage. */
export function parseStatusFilter(value: string): { stage: LeadStage } | { dialStatus: LeadDialStatus } | null {
  const lower = value.trim().toLowerCase();
  if (DIAL_STATUSES.has(lower)) return { dialStatus: lower as LeadDialStatus };
  const stage = parseStage(value);
  return stage ? { stage } : null;
}
