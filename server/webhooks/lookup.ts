// Which organisation, campaign and call flow a dialled number belongs to (DESIGN.md 4.1 step 1).
// A tracking number we bought (phone_numbers) names its campaign directly or through its pool;
// a campaign's own `phone_number` works too (seed 000 campaigns carry one). One query each way.
import { sql } from 'kysely';
import type { CampaignRow, Db } from '../../db/types.js';

export interface DialledNumber {
  orgId: string;
  phoneNumberId: number | null;
  poolId: number | null;
  /** undefined: the number (or pool) is ours but not assigned to a campaign. */
  campaign: CampaignRow | undefined;
  /** The campaign's active call flow, if any. */
  flow: { id: number; definition: unknown } | undefined;
}

async function withCampaign(
  db: Db,
  base: { orgId: string; phoneNumberId: number | null; poolId: number | null; campaignId: string | null },
): Promise<DialledNumber> {
  if (base.campaignId === null) return { ...base, campaign: undefined, flow: undefined };
  const campaign = await db.selectFrom('campaigns').selectAll().where('org_id', '=', base.orgId).where('id', '=', base.campaignId).executeTakeFirst();
  const flow = campaign
    ? await db
        .selectFrom('call_flows')
        .select(['id', 'flow_definition'])
        .where('org_id', '=', base.orgId)
        .where('campaign_id', '=', campaign.id)
        .where('status', '=', 'active')
        .executeTakeFirst()
    : undefined;
  return {
    orgId: base.orgId,
    phoneNumberId: base.phoneNumberId,
    poolId: base.poolId,
    campaign,
    flow: flow ? { id: flow.id, definition: flow.flow_definition } : undefined,
  };
}

/** The owner of the dialled number `to` (E.164), or undefined when it is not ours. */
export async function findDialledNumber(db: Db, to: string): Promise<DialledNumber | undefined> {
  const number = await db
    .selectFrom('phone_numbers as n')
    .leftJoin('number_pools as p', (join) => join.onRef('p.id', '=', 'n.pool_id').onRef('p.org_id', '=', 'n.org_id'))
    .select([
      'n.org_id',
      'n.id',
      'n.pool_id',
      sql<string | null>`COALESCE(n.campaign_id, CASE WHEN p.is_active THEN p.campaign_id END)`.as('campaign_id'),
    ])
    .where('n.phone_number', '=', to)
    .where('n.is_active', '=', true)
    .executeTakeFirst();
  if (number) return withCampaign(db, { orgId: number.org_id, phoneNumberId: number.id, poolId: number.pool_id, campaignId: number.campaign_id });
  const campaign = await db.selectFrom('campaigns').select(['org_id', 'id']).where('phone_number', '=', to).executeTakeFirst();
  if (!campaign) return undefined;
  return withCampaign(db, { orgId: campaign.org_id, phoneNumberId: null, poolId: null, campaignId: campaign.id });
}

/**
 * The pool named in the webhook path, when `to` is one of its numbers (a pool id of another
 * organisation, or a number not in the pool, is not ours: undefined).
 */
export async function findPoolNumber(db: Db, poolId: number, to: string): Promise<DialledNumber | undefined> {
  const row = await db
    .selectFrom('number_pools as p')
    .innerJoin('phone_numbers as n', (join) => join.onRef('n.pool_id', '=', 'p.id').onRef('n.org_id', '=', 'p.org_id'))
    .select(['p.org_id', 'p.id as pool_id', 'p.campaign_id', 'p.is_active', 'n.id as number_id'])
    .where('p.id', '=', poolId)
    .where('n.phone_number', '=', to)
    .where('n.is_active', '=', true)
    .executeTakeFirst();
  if (!row) return undefined;
  return withCampaign(db, { orgId: row.org_id, phoneNumberId: row.number_id, poolId: row.pool_id, campaignId: row.is_active ? row.campaign_id : null });
}
