// The rooms a live connection (Socket.IO or SSE) starts in: managers and above their organisation's
// and their own user's; a user with role agent its own user's and its agent record's.
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import type { Principal } from '../accounts/auth/principal.js';
import { agentRoom, orgRoom, userRoom } from '../platform/live/rooms.js';

/** The rooms a connection starts in. */
export async function roomsOf(db: Kysely<DB>, principal: Principal): Promise<{ rooms: string[]; ownAgentId: string | null }> {
  if (principal.role !== 'agent') return { rooms: [orgRoom(principal.orgId), userRoom(principal.userId)], ownAgentId: null };
  const own = await db.selectFrom('agents').select('id').where('org_id', '=', principal.orgId).where('user_id', '=', principal.userId).executeTakeFirst();
  return { rooms: own ? [userRoom(principal.userId), agentRoom(own.id)] : [userRoom(principal.userId)], ownAgentId: own?.id ?? null };
}

