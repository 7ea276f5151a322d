// Call flow rows <-> API shapes, and the save-time check of a flow's definition (pure).
//
// A flow is checked as a whole ('active' mode of validateFlow) when the row being written is
// active (DESIGN 4.5); otherwise only its shape is checked ('draft'), even when it names a campaign.
// What is stored:
//  - checked as 'active': the normalised flow validateFlow returns (Menu `action` -> `next`,
//    unknown node-level keys dropped), so the runtime reads one clean shape;
//  - checked as 'draft': the definition exactly as the client sent it (an incomplete draft has no
//    normal form, and the client gets back what it saved, e.g. `startNodeId: null`).
import type { components } from '../../../client/schema.js';
import type { CallFlowStatus } from '../../../db/types.js';
import { iso } from '../../platform/common/dates.js';
import { validateFlow } from '../flows/validate.js';
import type { CallFlowRow } from './queries.js';

type CallFlow = components['schemas']['CallFlow'];
type FlowDefinition = components['schemas']['FlowDefinition'];

export function presentCallFlow(row: CallFlowRow): CallFlow {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    campaignId: row.campaign_id,
    status: row.status,
    isActive: row.status === 'active',
    // Written only by this module, after validateFlow (and the contract's FlowDefinition schema).
    flowDefinition: row.flow_definition as FlowDefinition,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

/** The row a write would leave: status, campaign and definition after merging the request. */
export interface FlowTarget {
  status: CallFlowStatus;
  campaignId: string | null;
  definition: unknown;
}

export type FlowCheck = { ok: true; mode: 'draft' | 'active'; store: unknown } | { ok: false; details: Record<string, string> };

/**
 * Active flows must be complete; drafts only well-shaped, even one that names a campaign and a
 * start node that does not exist yet (seed 000, DESIGN.md 4.5): a draft never runs, and making
 * it active validates it.
 */
export function checkMode(target: Pick<FlowTarget, 'status'>): 'draft' | 'active' {
  return target.status === 'active' ? 'active' : 'draft';
}

/** Validate the definition for the target row; problems are keyed `flowDefinition.<path>`. */
export function checkFlow(target: FlowTarget): FlowCheck {
  const mode = checkMode(target);
  const result = validateFlow(withoutNullStart(target.definition), mode);
  if (!result.ok) return { ok: false, details: prefixDetails(result.details) };
  return { ok: true, mode, store: mode === 'active' ? result.flow : target.definition };
}

/** The contract allows `startNodeId: null` (not chosen yet); validateFlow expects it absent. */
function withoutNullStart(def: unknown): unknown {
  if (typeof def !== 'object' || def === null || Array.isArray(def)) return def;
  const record = def as Record<string, unknown>;
  if (record.startNodeId !== null) return def;
  const { startNodeId: _omit, ...rest } = record;
  return rest;
}

export function prefixDetails(details: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, message] of Object.entries(details)) {
    out[key === 'flowDefinition' ? key : `flowDefinition.${key}`] = message;
  }
  return out;
}
