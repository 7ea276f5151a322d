// Presence changes told live (seed 002's `agent:status:updated`), to the organisation and to the
// agent's own room, after the change committed. Every path that changes presence calls this with
// setAgentPresence's result: people (the API, the Socket.IO `agent:status` message) and calls.
import type { AgentRow, AgentStatus, AgentStatusReason, Db } from '../../../db/types.js';
import { publishLive } from '../../platform/live/publish.js';
import { agentRoom, orgRoom } from '../../platform/live/rooms.js';
import { findAgent } from './queries.js';
import { type PresenceResult, setAgentPresence } from './presence.js';
import type { AgentScope } from './access.js';

export function publishPresence(db: Db, orgId: string, agentId: string, result: PresenceResult, reason: AgentStatusReason): void {
  if (result.outcome !== 'changed') return;
  publishLive(db, {
    name: 'agent:status:updated',
    orgId,
    rooms: [orgRoom(orgId), agentRoom(agentId)],
    payload: { agentId, status: result.status, previousStatus: result.previous, reason, statusVersion: result.version },
  });
}

/** A person sets an agent's presence (the REST API, the Socket.IO message): the agent as it is now; undefined: not the caller's. */
export async function setPresenceByUser(db: Db, scope: AgentScope, agentId: string, to: AgentStatus, userId: number): Promise<AgentRow | undefined> {
  if (!(await findAgent(db, scope, agentId))) return undefined;
  const result = await setAgentPresence(db, scope.orgId, agentId, { to, reason: 'user', userId });
  if (result.outcome === 'not_found') return undefined;
  publishPresence(db, scope.orgId, agentId, result, 'user');
  return findAgent(db, scope, agentId);
}
