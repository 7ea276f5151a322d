import type { BuyerRow, Db } from '../../../db/types.js';
import { parseIntId } from '../../platform/common/ids.js';
import { ERRORS } from '../../platform/errors.js';
import { findBuyerInOrg } from './queries.js';

/**
 * The id a path names as a buyer id; a malformed one is a 404 (no such buyer), like an unknown
 * one — never a 400 that would tell ids apart.
 */
export function buyerIdOf(raw: string): number {
  const id = parseIntId(raw);
  if (id === null) throw ERRORS.notFound('Buyer', raw);
  return id;
}

/** The caller's buyer a path names: a malformed, unknown or other organisation's buyer is a 404. */
export async function ownBuyer(db: Db, orgId: string, raw: string): Promise<BuyerRow> {
  const buyer = await findBuyerInOrg(db, orgId, buyerIdOf(raw));
  if (!buyer) throw ERRORS.notFound('Buyer', raw);
  return buyer;
}
