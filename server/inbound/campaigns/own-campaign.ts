import { findCampaignInOrg } from './queries.js';
import { parseUuid } from '../../platform/common/ids.js';
import type { CampaignRow, Db } from '../../../db/types.js';
import { ERRORS } from '../../platform/errors.js';

/**
 * The campaign id a path or body names, after checking the campaign is the caller's: a malformed,
 * unknown or other organisation's campaign is a 404.
 */
export async function ownCampaignId(db: Db, orgId: string, raw: string): Promise<string> {
  return (await ownCampaign(db, orgId, raw)).id;
}

/** The caller's campaign a path or body names (404 as for ownCampaignId). */
export async function ownCampaign(db: Db, orgId: string, raw: string): Promise<CampaignRow> {
  const id = parseUuid(raw);
  const campaign = id ? await findCampaignInOrg(db, orgId, id) : undefined;
  if (!campaign) throw ERRORS.notFound('Campaign', raw);
  return campaign;
}
