// Tracking tag rows <-> API shapes (pure).
import { randomInt } from 'node:crypto';
import type { components } from '../../../client/schema.js';
import { iso } from '../../platform/common/dates.js';
import type { TrackingTagPatch, TrackingTagRow } from './queries.js';

type TrackingTag = components['schemas']['TrackingTag'];
type TrackingTagUpdate = components['schemas']['TrackingTagUpdate'];

/** The snippet's URL (publicBaseUrl has no trailing slash; tag codes are URL-safe by their pattern). */
export function snippetUrl(publicBaseUrl: string, tagCode: string): string {
  return `${publicBaseUrl}/dni/${tagCode}.js`;
}

/** The script element to paste into a landing page. */
export function javascriptCode(publicBaseUrl: string, tagCode: string): string {
  return `<script src="${snippetUrl(publicBaseUrl, tagCode)}" async></script>`;
}

const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';

/** A new tag code: `tag_` + 12 random base36 characters (matches TagCode). */
export function generateTagCode(): string {
  let code = 'tag_';
  for (let i = 0; i < 12; i++) code += BASE36[randomInt(36)];
  return code;
}

export function presentTag(row: TrackingTagRow, publicBaseUrl: string): TrackingTag {
  return {
    id: row.id,
    name: row.name,
    tagCode: row.tag_code,
    campaignId: row.campaign_id,
    poolId: row.pool_id,
    defaultNumber: row.default_number,
    numberSelector: row.number_selector,
    isActive: row.is_active,
    javascriptCode: javascriptCode(publicBaseUrl, row.tag_code),
    snippetUrl: snippetUrl(publicBaseUrl, row.tag_code),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

/**
 * Only the fields sent become column changes; campaign_id and pool_id are set by the handler once
 * they are known to be the caller's.
 */
export function tagPatch(body: TrackingTagUpdate): TrackingTagPatch {
  const patch: TrackingTagPatch = {};
  if (body.name !== undefined) patch.name = body.name;
  if (body.defaultNumber !== undefined) patch.default_number = body.defaultNumber;
  if (body.numberSelector !== undefined) patch.number_selector = body.numberSelector;
  if (body.isActive !== undefined) patch.is_active = body.isActive;
  return patch;
}
