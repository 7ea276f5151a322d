// Taking an agent for an answered call, in one transaction:
//   1. the group's active agents who are `available`, longest available first, locked with SKIP
//      LOCKED (calls answered at the same moment each get a different agent instead of all waiting
//      for the same one);
//   2. the first of them inside its working hours (its own time zone) and below its
//      maxConcurrentCalls (its outbound calls not ended yet, counted under its row lock);
//   3. the call recorded as that agent's (only if no other delivery of the webhook decided first);
//   4. the agent's presence set available → busy (compare-and-set) when this call fills it.
// An agent with room for more calls stays available; presence changed by people meanwhile is
// never overwritten (setAgentPresence compares).
import { sql, type Transaction } from 'kysely';
import type { AgentRow, DB, Db } from '../../../db/types.js';
import { agentCanTake, openCallsOf } from '../agents/availability.js';
import { type PresenceResult, setAgentPresence } from '../agents/presence.js';
import { publishPresence } from '../agents/presence-events.js';
import { inTransaction } from '../../platform/common/transaction.js';
import { conferenceName } from './twiml.js';

/** Agents looked at per claim: enough to pass over those off shift or full. */
const CANDIDATES = 25;

export type AgentClaim =
  | { outcome: 'claimed'; agent: AgentRow; presence?: PresenceResult }
  /** No agent of the group can take a call now. */
  | { outcome: 'none' }
  /** The call already has its agent or its abandonment (another delivery of the webhook). */
  | { outcome: 'decided' };

async function claimIn(trx: Db, orgId: string, groupId: string, callId: number, now: Date): Promise<AgentClaim> {
  const candidates = await trx
    .selectFrom('agents')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('group_id', '=', groupId)
    .where('is_active', '=', true)
    .where('status', '=', 'available')
    .orderBy('status_changed_at')
    .orderBy('id')
    .limit(CANDIDATES)
    .forUpdate()
    .skipLocked()
    .execute();
  const open = await openCallsOf(trx, candidates.map((agent) => agent.id));
  const agent = candidates.find((a) => agentCanTake(a, open.get(a.id) ?? 0, now));
  if (!agent) return { outcome: 'none' };
  const taken = await trx
    .updateTable('calls')
    .set({ agent_id: agent.id, conference_name: conferenceName(callId), disposition: 'answered', updated_at: sql<Date>`now()` })
    .where('id', '=', callId)
    .where('agent_id', 'is', null)
    .where('disposition', 'is', null)
    .returning('id')
    .executeTakeFirst();
  if (!taken) return { outcome: 'decided' };
  if ((open.get(agent.id) ?? 0) + 1 >= agent.max_concurrent_calls) {
    const presence = await setAgentPresence(trx, orgId, agent.id, { from: 'available', to: 'busy', reason: 'call' });
    return { outcome: 'claimed', agent, presence };
  }
  return { outcome: 'claimed', agent };
}

export async function claimAgentForCall(db: Db, orgId: string, groupId: string, callId: number, now: Date): Promise<AgentClaim> {
  const claim = db.isTransaction ? await claimIn(db, orgId, groupId, callId, now) : await db.transaction().execute((trx: Transaction<DB>) => claimIn(trx, orgId, groupId, callId, now));
  if (claim.outcome === 'claimed' && claim.presence) publishPresence(db, orgId, claim.agent.id, claim.presence, 'call');
  return claim;
}

/**
 * The agent free again after call `callId` (its leg's end, its conference leave, the call's end):
 * busy → available only if still busy (a break set meanwhile is kept) and its other calls not
 * ended yet leave it room — a late or repeated callback of an earlier call never frees an agent
 * busy on its next one. The agent's row is locked first: a claim of it for another call
 * (claimIn, which locks it too) either committed before and is counted here, or comes after and
 * sees the agent free. null: not freed.
 */
export async function freeAgentAfterCall(db: Db, orgId: string, agentId: string, callId: number): Promise<PresenceResult | null> {
  return inTransaction(db, async (trx) => {
    const agent = await trx.selectFrom('agents').select('max_concurrent_calls').where('org_id', '=', orgId).where('id', '=', agentId).forUpdate().executeTakeFirst();
    if (!agent) return null;
    const others = await trx
      .selectFrom('calls')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('agent_id', '=', agentId)
      .where('status_rank', '<', 4)
      .where('id', '<>', callId)
      .executeTakeFirstOrThrow();
    if (Number(others.n) >= agent.max_concurrent_calls) return null;
    return setAgentPresence(trx, orgId, agentId, { from: 'busy', to: 'available', reason: 'call' });
  });
}

/** freeAgentAfterCall, its change told live. */
export async function releaseAgent(db: Db, orgId: string, agentId: string, callId: number): Promise<void> {
  const presence = await freeAgentAfterCall(db, orgId, agentId, callId);
  if (presence) publishPresence(db, orgId, agentId, presence, 'call');
}
