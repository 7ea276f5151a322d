// RTB router rows <-> API shapes (pure).
import type { components } from '../../../client/schema.js';
import type { RtbRouterPatch, RtbRouterRow } from './queries.js';
import { iso } from '../../platform/common/dates.js';

type RtbRouter = components['schemas']['RtbRouter'];
type RtbRouterUpdate = components['schemas']['RtbRouterUpdate'];

export function presentRouter(row: RtbRouterRow): RtbRouter {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    biddingTimeoutMs: row.bidding_timeout_ms,
    minBiddersRequired: row.min_bidders_required,
    enablePredictiveRouting: row.enable_predictive_routing,
    isActive: row.is_active,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

/** Only the fields sent become column changes (create bodies are a subset of update bodies). */
export function routerPatch(body: RtbRouterUpdate): RtbRouterPatch {
  const patch: RtbRouterPatch = {};
  if (body.name !== undefined) patch.name = body.name;
  if (body.description !== undefined) patch.description = body.description;
  if (body.biddingTimeoutMs !== undefined) patch.bidding_timeout_ms = body.biddingTimeoutMs;
  if (body.minBiddersRequired !== undefined) patch.min_bidders_required = body.minBiddersRequired;
  if (body.enablePredictiveRouting !== undefined) patch.enable_predictive_routing = body.enablePredictiveRouting;
  if (body.isActive !== undefined) patch.is_active = body.isActive;
  return patch;
}
