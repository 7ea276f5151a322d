// The open live connections (Socket.IO sockets and SSE streams), checked again right after a change
// to someone's rights (recheckSoon) and every LIVE_RECHECK_MS: a connection whose caller could no longer connect is closed — the user logged
// out everywhere or was deleted, the session it was opened with expired, the API key was revoked, the role is now lower than the one the
// connection has, or the agent record it follows as its own is no longer the user's (a client that
// reconnects gets its rooms for what it is now). One query each for the users, the keys and the
// agent records per pass, whatever the number of connections.
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../../db/types.js';
import type { Principal } from '../accounts/auth/principal.js';
import { hasRole, weakerRole } from '../accounts/auth/roles.js';

export const LIVE_RECHECK_MS = 30_000;

export interface LiveConnection {
  principal: Principal;
  /** The session version the connection was opened with (a session or an events token asked for by a session); null for an API key's. */
  sessionVersion: number | null;
  /** When the session it stands on stops authenticating (epoch ms; session-expiry.ts); absent or null: never (an API key's). */
  sessionExpiresAt?: number | null;
  /**
   * The agent record whose room the connection is in because its user is that record's (a user
   * with role agent); it must still be when checked. Absent or null: none.
   */
  ownAgentId?: string | null;
  close(): void;
}

export class LiveConnections {
  private readonly open = new Set<LiveConnection>();

  /** Tracks a connection; the function returned stops tracking it (call it when it closes). */
  add(connection: LiveConnection): () => void {
    this.open.add(connection);
    return () => this.open.delete(connection);
  }

  /** Closes the connections whose caller could no longer connect; returns how many. */
  async recheck(db: Db): Promise<number> {
    const connections = [...this.open];
    if (connections.length === 0) return 0;
    const { users, keys, agents } = await callerFacts(db, connections);
    let closed = 0;
    for (const connection of connections) {
      if (stillAllowed(connection, users, keys, agents)) continue;
      this.open.delete(connection);
      connection.close();
      closed += 1;
    }
    return closed;
  }

  /** Rechecks every `intervalMs` until the function returned is called. */
  start(db: Db, intervalMs: number, log: FastifyBaseLogger): () => void {
    const timer = setInterval(() => void this.#recheckLogged(db, log), intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /**
   * Rechecks now, after someone's rights changed (publish.ts, recheckLiveCallers). Asked for while
   * a check runs, one more follows it (that check may have read the rows before the change
   * committed); any number of asks meanwhile make one.
   */
  recheckSoon(db: Db, log: FastifyBaseLogger): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        await this.#recheckLogged(db, log);
      } while (this.#again);
    })().finally(() => {
      this.#running = null;
    });
  }

  #running: Promise<void> | null = null;
  #again = false;

  async #recheckLogged(db: Db, log: FastifyBaseLogger): Promise<void> {
    try {
      const closed = await this.recheck(db);
      if (closed > 0) log.info({ closed }, 'live connections closed: their caller can no longer connect');
    } catch (err) {
      log.warn({ err }, 'live connections recheck failed');
    }
  }
}

/** One caller: whether it could still connect with the role it has (a recovered socket's, socket-server.ts). */
export async function callerStillAllowed(db: Db, caller: Caller): Promise<boolean> {
  const { users, keys, agents } = await callerFacts(db, [caller]);
  return stillAllowed(caller, users, keys, agents);
}

type Caller = Pick<LiveConnection, 'principal' | 'sessionVersion' | 'sessionExpiresAt' | 'ownAgentId'>;

/** The users, live keys and own agent records of these callers: one query for each, whatever their number. */
async function callerFacts(db: Db, callers: readonly Caller[]): Promise<{ users: Map<number, UserFacts>; keys: Map<string, KeyFacts>; agents: Map<string, AgentFacts> }> {
  const userIds = [...new Set(callers.map((c) => c.principal.userId))];
  const keyIds = [...new Set(callers.flatMap((c) => (c.principal.apiKeyId === null ? [] : [c.principal.apiKeyId])))];
  const users = new Map(
    (await db.selectFrom('users').select(['id', 'org_id', 'role', 'session_version']).where('id', 'in', userIds).execute()).map((u) => [u.id, u]),
  );
  const keys = new Map(
    keyIds.length === 0
      ? []
      : (await db.selectFrom('api_keys').select(['id', 'org_id', 'role']).where('id', 'in', keyIds).where('revoked_at', 'is', null).execute()).map((k) => [k.id, k]),
  );
  const agentIds = [...new Set(callers.flatMap((c) => (c.ownAgentId ? [c.ownAgentId] : [])))];
  const agents = new Map(
    agentIds.length === 0 ? [] : (await db.selectFrom('agents').select(['id', 'org_id', 'user_id']).where('id', 'in', agentIds).execute()).map((a) => [a.id, a]),
  );
  return { users, keys, agents };
}

type UserFacts = { org_id: string; role: Principal['role']; session_version: number };
type KeyFacts = { org_id: string; role: Principal['role'] };
type AgentFacts = { org_id: string; user_id: number | null };

/** Whether the connection's caller could still connect with the role it has, at `now` (epoch ms; pure). */
export function stillAllowed(
  connection: Caller,
  users: ReadonlyMap<number, UserFacts>,
  keys: ReadonlyMap<string, KeyFacts>,
  agents: ReadonlyMap<string, AgentFacts> = new Map(),
  now: number = Date.now(),
): boolean {
  const { principal, sessionVersion, sessionExpiresAt, ownAgentId } = connection;
  if (sessionExpiresAt != null && now >= sessionExpiresAt) return false;
  if (ownAgentId) {
    const agent = agents.get(ownAgentId);
    if (!agent || agent.org_id !== principal.orgId || agent.user_id !== principal.userId) return false;
  }
  const user = users.get(principal.userId);
  if (!user || user.org_id !== principal.orgId) return false;
  if (sessionVersion !== null && user.session_version !== sessionVersion) return false;
  let role = user.role;
  if (principal.apiKeyId !== null) {
    const key = keys.get(principal.apiKeyId);
    if (!key || key.org_id !== principal.orgId) return false;
    role = weakerRole(role, key.role);
  }
  return hasRole(role, principal.role);
}
