import { findCampaignInOrg } from '../campaigns/queries.js';
import { parseUuid } from '../common/ids.js';
import type { Db } from '../../db/types.js';
import { ERRORS } from '../errors.js';

/**
 * The campaign id a body names, after checking the campaign is the caller's: an unknown campaign
 * or one of another organisation is a 404, as in addCampaignBuyer.
 */
export async function ownCampaignId(db: Db, orgId: string, raw: string): Promise<string> {
  const id = parseUuid(raw);
  if (!id || !(await findCampaignInOrg(db, orgId, id))) throw ERRORS.notFound('Campaign', raw);
  return id;
}
