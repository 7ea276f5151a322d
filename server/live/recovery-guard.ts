// Socket.IO's connection-state recovery restores a dropped socket as it was — its rooms, its data —
// and sends it the packets it missed, all before the handshake middleware runs again. So a session
// is restored only while the caller it was made for could still connect with the rights it had
// (connections.ts's rule, checked against the database now): a user demoted, logged out everywhere
// or deleted, a session expired, a key revoked, or its agent record given to another user, while the client was away,
// gets a fresh connection instead — the rooms of what it is now, and `resync` — not its old rooms
// and the events it missed in them.
// The handshake then runs again: a client that comes back as another caller (its `auth` changed)
// has the restored rooms taken away there (socket-server.ts), before it is connected.
import type { Server } from 'socket.io';
import type { Db } from '../../db/types.js';
import { callerStillAllowed, type LiveConnection } from './connections.js';

type Caller = Pick<LiveConnection, 'principal' | 'sessionVersion' | 'sessionExpiresAt' | 'ownAgentId'>;

export function guardRecovery(io: Server, db: Db): void {
  const adapter = io.of('/').adapter;
  const restore = adapter.restoreSession.bind(adapter);
  adapter.restoreSession = async (pid, offset) => {
    const session = await restore(pid, offset);
    if (!session) return session;
    const caller = session.data as Partial<Caller> | undefined;
    if (!caller?.principal) return null as never;
    return (await callerStillAllowed(db, { principal: caller.principal, sessionVersion: caller.sessionVersion ?? null, sessionExpiresAt: caller.sessionExpiresAt ?? null, ownAgentId: caller.ownAgentId ?? null })) ? session : (null as never);
  };
}
