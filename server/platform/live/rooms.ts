// The rooms live events go to (Socket.IO rooms; the SSE stream filters by the same names).
//   org:<orgId>     every event of the organisation (managers, admins, owners)
//   agent:<agentId> one agent's offers, calls and presence (the agent's own user; managers who join)
//   user:<userId>   events about a user's own things (leads assigned to it)
export const orgRoom = (orgId: string): string => `org:${orgId}`;
export const agentRoom = (agentId: string): string => `agent:${agentId}`;
export const userRoom = (userId: number): string => `user:${userId}`;
