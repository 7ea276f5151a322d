// What an AI outbound call needs of its agent: the organisation's, not archived, active; and a
// number assigned to it (phone_numbers.ai_agent_id, active) to call from. Asked when a call or a
// schedule is created (400 / 409 naming agentId) and again by the worker just before it dials.
import type { Db } from '../../../db/types.js';
import { parseUuid } from '../../platform/common/ids.js';

export const NO_CALLER_ID = 'has no number to call from (assign one of your numbers to the agent)';

/** The organisation's active agent, or undefined (unknown, another organisation's, archived or inactive). */
export async function activeAgentId(db: Db, orgId: string, rawId: string): Promise<string | undefined> {
  const id = parseUuid(rawId);
  if (!id) return undefined;
  const row = await db
    .selectFrom('ai_agents')
    .select('id')
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('archived_at', 'is', null)
    .where('is_active', '=', true)
    .executeTakeFirst();
  return row?.id;
}

/** The number the agent calls from (its oldest active assigned number), or undefined. */
export async function callerIdOf(db: Db, orgId: string, agentId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('phone_numbers')
    .select('phone_number')
    .where('org_id', '=', orgId)
    .where('ai_agent_id', '=', agentId)
    .where('is_active', '=', true)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row?.phone_number;
}
