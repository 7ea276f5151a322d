// Tracking pixel rows <-> API shapes (pure). The signing secret is write-only: presentPixel only
// says whether there is one.
import type { components } from '../../../client/schema.js';
import type { TrackingPixelRow } from '../../../db/types.js';
import { iso } from '../../platform/common/dates.js';
import type { DeliveryCounts, PixelPatch } from './queries.js';

type TrackingPixel = components['schemas']['TrackingPixel'];
type TrackingPixelUpdate = components['schemas']['TrackingPixelUpdate'];

export function presentPixel(row: TrackingPixelRow, deliveries: DeliveryCounts): TrackingPixel {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    method: row.method,
    fireOn: row.fire_on,
    campaignId: row.campaign_id,
    hasSigningSecret: row.signing_secret !== null && row.signing_secret !== '',
    isActive: row.is_active,
    deliveries: { ...deliveries },
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

/**
 * Only the fields sent become column changes (create bodies are a subset of update bodies);
 * campaign_id is set by the handler once the campaign is known to be the caller's.
 */
export function pixelPatch(body: TrackingPixelUpdate): PixelPatch {
  const patch: PixelPatch = {};
  if (body.name !== undefined) patch.name = body.name;
  if (body.url !== undefined) patch.url = body.url.trim();
  if (body.method !== undefined) patch.method = body.method;
  if (body.fireOn !== undefined) patch.fire_on = JSON.stringify(body.fireOn);
  if (body.signingSecret !== undefined) patch.signing_secret = body.signingSecret;
  if (body.isActive !== undefined) patch.is_active = body.isActive;
  return patch;
}
