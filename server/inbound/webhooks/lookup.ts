// Which organisation, campaign and call flow a dialled number belongs to (DESIGN.md 4.1 step 1).
// A tracking number we bought (phone_numbers) names its campaign directly or through its active
// pool; a campaign's own `phone_number` works too (seed 000 campaigns carry one), also when it is
// a number we bought that names no campaign itself — unless that number is turned off
// (is_active false): then it is not in service, whoever names it. The campaign
// and its active flow come back in the same query (this runs on every call).
import { sql } from 'kysely';
import type { CampaignRow, Db } from '../../../db/types.js';

export interface DialledNumber {
  orgId: string;
  phoneNumberId: number | null;
  poolId: number | null;
  /** undefined: the number (or pool) is ours but not assigned to a campaign. */
  campaign: CampaignRow | undefined;
  /** The campaign's active call flow, if any. */
  flow: { id: number; definition: unknown } | undefined;
  /** The AI agent that answers the number (phone_numbers.ai_agent_id), if any. */
  aiAgentId: string | null;
}

type Found = CampaignRow & { flow_id: number | null; flow_definition: unknown };

function toResult(orgId: string, phoneNumberId: number | null, poolId: number | null, row: Partial<Found> | undefined, aiAgentId: string | null = null): DialledNumber {
  if (!row || row.id == null) return { orgId, phoneNumberId, poolId, campaign: undefined, flow: undefined, aiAgentId };
  const { flow_id, flow_definition, ...campaign } = row as Found;
  return { orgId, phoneNumberId, poolId, campaign, flow: flow_id === null ? undefined : { id: flow_id, definition: flow_definition }, aiAgentId };
}

/** The owner of the dialled number `to` (E.164), or undefined when it is not ours. */
export async function findDialledNumber(db: Db, to: string): Promise<DialledNumber | undefined> {
  const number = await db
    .selectFrom('phone_numbers as n')
    .leftJoin('number_pools as p', (join) => join.onRef('p.id', '=', 'n.pool_id').onRef('p.org_id', '=', 'n.org_id'))
    // The number's campaign, else its active pool's; a number in neither answers for the campaign
    // of the organisation whose own phoneNumber it is (at most one: campaigns' numbers are unique).
    .leftJoin('campaigns as c', (join) =>
      join
        .onRef('c.org_id', '=', 'n.org_id')
        .on(sql<boolean>`(c.id = COALESCE(n.campaign_id, CASE WHEN p.is_active THEN p.campaign_id END)
          OR (n.campaign_id IS NULL AND n.pool_id IS NULL AND c.phone_number = n.phone_number))`),
    )
    .leftJoin('call_flows as f', (join) => join.onRef('f.campaign_id', '=', 'c.id').onRef('f.org_id', '=', 'c.org_id').on('f.status', '=', 'active'))
    .selectAll('c')
    .select([
      'n.org_id as number_org_id',
      'n.id as number_id',
      'n.is_active as number_is_active',
      'n.pool_id as number_pool_id',
      'n.ai_agent_id as number_ai_agent_id',
      'f.id as flow_id',
      'f.flow_definition as flow_definition',
    ])
    .where('n.phone_number', '=', to)
    .executeTakeFirst();
  if (number) {
    const { number_org_id, number_id, number_is_active, number_pool_id, number_ai_agent_id, ...rest } = number;
    // A number turned off answers as unknown: its holder switched it off, so no campaign that
    // names it as its own phoneNumber takes its calls either.
    if (!number_is_active) return undefined;
    return toResult(number_org_id, number_id, number_pool_id, rest as Partial<Found>, number_ai_agent_id);
  }
  const campaign = await db
    .selectFrom('campaigns as c')
    .leftJoin('call_flows as f', (join) => join.onRef('f.campaign_id', '=', 'c.id').onRef('f.org_id', '=', 'c.org_id').on('f.status', '=', 'active'))
    .selectAll('c')
    .select(['f.id as flow_id', 'f.flow_definition as flow_definition'])
    .where('c.phone_number', '=', to)
    .executeTakeFirst();
  if (!campaign) return undefined;
  return toResult(campaign.org_id, null, null, campaign as Partial<Found>);
}

/**
 * The pool named in the webhook path, when `to` is one of its numbers (a pool id of another
 * organisation, or a number not in the pool, is not ours: undefined).
 */
export async function findPoolNumber(db: Db, poolId: number, to: string): Promise<DialledNumber | undefined> {
  const row = await db
    .selectFrom('number_pools as p')
    .innerJoin('phone_numbers as n', (join) => join.onRef('n.pool_id', '=', 'p.id').onRef('n.org_id', '=', 'p.org_id'))
    .leftJoin('campaigns as c', (join) => join.onRef('c.org_id', '=', 'p.org_id').on(sql<boolean>`c.id = CASE WHEN p.is_active THEN p.campaign_id END`))
    .leftJoin('call_flows as f', (join) => join.onRef('f.campaign_id', '=', 'c.id').onRef('f.org_id', '=', 'c.org_id').on('f.status', '=', 'active'))
    .selectAll('c')
    .select(['p.org_id as pool_org_id', 'p.id as pool_ref', 'n.id as number_id', 'n.ai_agent_id as number_ai_agent_id', 'f.id as flow_id', 'f.flow_definition as flow_definition'])
    .where('p.id', '=', poolId)
    .where('n.phone_number', '=', to)
    .where('n.is_active', '=', true)
    .executeTakeFirst();
  if (!row) return undefined;
  const { pool_org_id, pool_ref, number_id, number_ai_agent_id, ...rest } = row;
  return toResult(pool_org_id, number_id, pool_ref, rest as Partial<Found>, number_ai_agent_id);
}
