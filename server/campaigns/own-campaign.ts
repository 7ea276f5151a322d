import { findCampaignInOrg } from './queries.js';
import { parseUuid } from '../common/ids.js';
import type { Db } from '../../db/types.js';
import { ERRORS } from '../errors.js';

/**
 * The campaign id a path or body names, after checking the campaign is the caller's: a malformed,
 * unknown or other organisation's campaign is a 404.
 */
export async function ownCampaignId(db: Db, orgId: string, raw: string): Promise<string> {
  const id = parseUuid(raw);
  if (!id || !(await findCampaignInOrg(db, orgId, id))) throw ERRORS.notFound('Campaign', raw);
  return id;
}
