// Socket.IO on the API's own HTTP server (path /socket.io/), as the seeds' clients speak it
// (asyncapi.yaml is the contract): the handshake authenticated like the REST API
// (handshake-auth.ts), each connection put in its rooms, seed 002's client messages handled with
// acknowledgements, connection-state recovery where the adapter supports it (else `resync`),
// Socket.IO's heartbeats, and slow consumers disconnected before their buffers grow unbounded.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { Server, type Socket } from 'socket.io';
import type { Ack, AgentJoin, AgentStatusCommand } from '../../client/events.js';
import type { DB } from '../../db/types.js';
import { type Principal, principalRateKey, type SessionData } from '../accounts/auth/principal.js';
import { agentScope } from '../dialer/agents/access.js';
import { setPresenceByUser } from '../dialer/agents/presence-events.js';
import { findAgent } from '../dialer/agents/queries.js';
import { parseUuid } from '../platform/common/ids.js';
import { AppError, ERRORS, errorBody } from '../platform/errors.js';
import type { RateLimiter } from '../platform/http/rate-limit/hook.js';
import { agentRoom } from '../platform/live/rooms.js';
import { roomsOf } from './rooms-of.js';
import { type HandshakeCaller, handshakeCaller } from './handshake-auth.js';
import { hasRole } from '../accounts/auth/roles.js';
import { cookieOriginAllowed } from '../platform/http/cookie-origin.js';
import { callerStillAllowed, LIVE_RECHECK_MS, LiveConnections } from './connections.js';
import { LiveAnalytics } from './analytics.js';
import { LiveHub } from './hub.js';
import { guardRecovery } from './recovery-guard.js';
import type { LiveTransport } from './transport.js';

export const SOCKET_PATH = '/socket.io/';
/** A connection with more than this many packets waiting to be written is dropped. */
export const MAX_QUEUED_PACKETS = 1000;
/** …or more than this many bytes waiting in its socket. */
export const MAX_QUEUED_BYTES = 1024 * 1024;
const RECOVERY_WINDOW_MS = 2 * 60_000;
const SWEEP_INTERVAL_MS = 500;
const SESSION_COOKIE = 'ccp_session';
const PRESENCE = new Set(['available', 'busy', 'offline', 'break']);

interface SocketData {
  principal: Principal;
  /** The session version the socket stands on (null: an API key's). */
  sessionVersion: number | null;
  /** When that session stops authenticating (epoch ms); null: an API key's. */
  sessionExpiresAt: number | null;
  /** The agent record of a user with role agent, if it has one. */
  ownAgentId: string | null;
}

type LiveSocket = Socket<Record<string, never>, Record<string, never>, Record<string, never>, SocketData>;

export interface LiveServer {
  io: Server;
  hub: LiveHub;
  /** Every open socket and SSE stream, checked again every LIVE_RECHECK_MS (connections.ts). */
  connections: LiveConnections;
  close(): Promise<void>;
}

export interface LiveServerOptions {
  app: FastifyInstance;
  db: Kysely<DB>;
  tokenKey: Buffer;
  transport: LiveTransport;
  /** The API's public URL (PUBLIC_BASE_URL): a page of its origin may connect with the session cookie. */
  publicBaseUrl: string;
  /** The REST API's rate limiter: client messages count in the caller's general budget, as the operations they mirror. */
  limiter: RateLimiter;
}

function sessionFromCookie(app: FastifyInstance, cookieHeader: string | undefined): SessionData | null {
  if (!cookieHeader) return null;
  const value = app.parseCookie(cookieHeader)[SESSION_COOKIE];
  return value ? (app.decodeSecureSession(value) ?? null) : null;
}

const fail = (code: NonNullable<Ack['error']>['code'], message: string): Ack => ({ ok: false, error: { code, message } });

/** A payload's `agentId` when it is a uuid string; anything else (a number, an object, missing) is undefined. */
function agentIdOf(payload: unknown): string | undefined {
  const raw = (payload as Partial<AgentJoin> | null | undefined)?.agentId;
  return typeof raw === 'string' ? (parseUuid(raw) ?? undefined) : undefined;
}

/**
 * A refused handshake as the client's `connect_error`: the message "Unauthorized" (refused) or
 * "Internal server error" (the server could not check the credentials: the client may try again),
 * its `data` the API's one error format.
 */
function handshakeError(err: AppError, requestId: string): Error & { data: ReturnType<typeof errorBody> } {
  return Object.assign(new Error(err.code === 'UNAUTHORIZED' ? 'Unauthorized' : err.message), { data: errorBody(err, requestId) });
}

/**
 * Counts a client message in its caller's `general` rate-limit budget (the bucket of the REST
 * operations seed 002's messages mirror); the refusal when over it, else null.
 */
async function overRateLimit(limiter: RateLimiter, app: FastifyInstance, principal: Principal): Promise<Ack | null> {
  // The limiter reads a request's logger and sets its rate-limit headers: a stand-in of both.
  const req = { log: app.log, rateLimitHeaders: null } as unknown as FastifyRequest;
  try {
    await limiter.consume(req, 'general', principalRateKey(principal), false);
    return null;
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== 'RATE_LIMIT_EXCEEDED') throw err;
    const retry = (err.details as { retryAfterSeconds?: number } | null)?.retryAfterSeconds;
    return fail('RATE_LIMIT_EXCEEDED', `Too many requests: try again in ${retry ?? 1} s`);
  }
}

/** Whether a recovered socket's caller is the one now connecting, with at most the rights it had. */
function sameCaller(restored: Partial<SocketData>, now: HandshakeCaller): boolean {
  const before = restored.principal;
  if (!before) return false;
  const after = now.principal;
  return (
    before.userId === after.userId &&
    before.orgId === after.orgId &&
    before.apiKeyId === after.apiKeyId &&
    (restored.sessionVersion ?? null) === now.sessionVersion &&
    hasRole(after.role, before.role)
  );
}

/** Undo a recovery: the restored rooms are left and the socket joins its rooms as a new one (with `resync`). */
function forgetRecovery(socket: Socket): void {
  for (const room of [...socket.rooms]) if (room !== socket.id) void socket.leave(room);
  (socket as { recovered: boolean }).recovered = false;
  (socket.data as Partial<SocketData>).ownAgentId = null;
}

function acknowledge(ack: unknown, answer: Ack): void {
  if (typeof ack === 'function') (ack as (a: Ack) => void)(answer);
}

export function startLiveServer(options: LiveServerOptions): LiveServer {
  const { app, db, transport } = options;
  const io = new Server(app.server, {
    path: SOCKET_PATH,
    serveClient: true,
    pingInterval: 25_000,
    pingTimeout: 20_000,
    // Client messages are small (seed 002's agent:join / agent:status).
    maxHttpBufferSize: 16 * 1024,
    ...(transport.adapter ? { adapter: transport.adapter } : {}),
    ...(transport.recovery ? { connectionStateRecovery: { maxDisconnectionDuration: RECOVERY_WINDOW_MS, skipMiddlewares: false } } : {}),
  });
  if (transport.recovery) guardRecovery(io, db);
  const hub = new LiveHub(io, { clustered: transport.clustered, relayOnly: transport.relayOnly }, app.log);
  const analytics = new LiveAnalytics(db, (event) => hub.publish(event), app.log);
  hub.afterPublish = (event) => {
    if (event.name === 'call_ended') analytics.noteCallEnded(event.orgId);
  };

  io.use((socket, next) => {
    const { headers } = socket.handshake;
    const credentials = {
      token: (socket.handshake.auth as { token?: unknown } | undefined)?.token,
      authorization: headers.authorization,
      // The cookie counts only from a page of the API's own origin (platform/http/cookie-origin.ts).
      session: cookieOriginAllowed(headers.origin, headers.host, options.publicBaseUrl) ? sessionFromCookie(app, headers.cookie) : null,
    };
    const requestId = randomUUID();
    handshakeCaller(db, options.tokenKey, credentials).then(
      (caller) => {
        if (!caller) return next(handshakeError(ERRORS.unauthorized('Send an API key or an events token as auth.token, or connect with the session cookie from the API\'s own origin'), requestId));
        // Recovery restored the rooms of the caller the session was made for; a client whose
        // credentials changed while it was away (another key, user or organisation, a lower role)
        // starts afresh with the rooms of the caller it is now.
        if (socket.recovered && !sameCaller(socket.data as Partial<SocketData>, caller)) forgetRecovery(socket);
        (socket.data as SocketData).principal = caller.principal;
        (socket.data as SocketData).sessionVersion = caller.sessionVersion;
        (socket.data as SocketData).sessionExpiresAt = caller.sessionExpiresAt;
        return next();
      },
      (err: unknown) => {
        app.log.warn({ err, requestId }, 'live events handshake failed');
        next(handshakeError(ERRORS.internal(), requestId));
      },
    );
  });

  const connections = new LiveConnections();
  const stopRecheck = connections.start(db, LIVE_RECHECK_MS, app.log);
  hub.onRecheck = () => connections.recheckSoon(db, app.log);

  io.on('connection', (raw) => {
    const socket = raw as unknown as LiveSocket;
    const untrack = connections.add({
      principal: socket.data.principal,
      sessionVersion: socket.data.sessionVersion,
      sessionExpiresAt: socket.data.sessionExpiresAt,
      // Known once its rooms are joined (or restored with them).
      get ownAgentId() {
        return socket.data.ownAgentId ?? null;
      },
      close: () => socket.disconnect(true),
    });
    socket.on('disconnect' as never, untrack);
    // The client's messages are listened for before anything is awaited: a client may send
    // agent:join the moment it is connected, before its rooms are joined (the handlers wait for
    // that); a listener added after an await would miss it, and the client would wait for an
    // acknowledgement that never comes.
    const ready = joinRooms(socket);
    listen(socket, ready.then(
      () => true,
      () => false,
    ));
    ready.catch((err: unknown) => {
      app.log.warn({ err }, 'live events connection setup failed');
      socket.disconnect(true);
    });
  });

  /** The socket's rooms (and, for a client that asked, what it missed); nothing for a recovered socket. */
  async function joinRooms(socket: LiveSocket): Promise<void> {
    const { principal } = socket.data;
    if (!socket.recovered) {
      const { rooms, ownAgentId } = await roomsOf(db, principal);
      socket.data.ownAgentId = ownAgentId;
      await socket.join(rooms);
      const auth = socket.handshake.auth as { pid?: unknown; lastEventId?: unknown } | undefined;
      const emit = (socket as unknown as Socket).emit.bind(socket);
      const resync = (reason: 'events_expired' | 'recovery_unavailable') => emit('resync', { reason, occurredAt: new Date().toISOString() });
      if (typeof auth?.lastEventId === 'string') {
        // The client names the last event it got (any adapter): the missed ones this instance
        // still holds are replayed, else it must reload.
        const missed = hub.recent.after(auth.lastEventId, new Set(rooms), Date.now());
        if (missed === null) resync('events_expired');
        else for (const event of missed) emit(event.name, event.payload);
      } else if (typeof auth?.pid === 'string') {
        // Socket.IO's own recovery was asked for and could not be done (the window passed).
        resync(transport.recovery ? 'events_expired' : 'recovery_unavailable');
      }
    }
  }

  /**
   * Seed 002's client messages; each waits until the socket's rooms are joined (`ready`: false
   * when that failed). A payload is checked by type before use, and a handler's failure is logged
   * and acknowledged as INTERNAL_ERROR: a client message never becomes an unhandled rejection.
   * Like a REST request, a message acts with the rights its caller has now: one whose caller could
   * no longer connect (key revoked, logged out everywhere, session expired, role lowered — the
   * check of open connections would close it within 30 s) is refused as FORBIDDEN, nothing done,
   * and the connection closed. agent:status (a presence change, its history row, its webhook event)
   * counts in the caller's rate limit like PUT /api/agents/{id}/status (RATE_LIMIT_EXCEEDED over it,
   * nothing done); agent:join, a room joined, does not.
   */
  function listen(socket: LiveSocket, ready: Promise<boolean>): void {
    const { principal } = socket.data;
    /** `limited`: the message counts in the caller's rate limit (a write, as its REST operation). */
    const handle = (event: string, run: (payload: unknown) => Promise<Ack>, limited = false) =>
      socket.on(event as never, async (payload: unknown, ack: unknown) => {
        try {
          if (!(await ready)) return;
          // The credentials only: which agent records are the caller's own each handler reads now
          // (agentScope), and agent:join moves the connection from a record no longer its own.
          if (!(await callerStillAllowed(db, { ...socket.data, ownAgentId: null }))) {
            acknowledge(ack, fail('FORBIDDEN', 'This connection\'s credentials no longer allow it (key revoked, logged out, session expired or role lowered): connect again'));
            socket.disconnect(true);
            return;
          }
          acknowledge(ack, (limited ? await overRateLimit(options.limiter, app, principal) : null) ?? (await run(payload)));
        } catch (err) {
          app.log.error({ err, event, socketId: socket.id }, 'live events client message failed');
          acknowledge(ack, fail('INTERNAL_ERROR', 'Internal server error'));
        }
      });

    handle('agent:join', async (payload) => {
      const id = agentIdOf(payload);
      if (!id) return fail('VALIDATION_ERROR', 'agentId: must be an agent id (uuid)');
      const agent = await findAgent(db, agentScope(principal), id);
      if (!agent) return fail('RESOURCE_NOT_FOUND', `Agent with ID '${id}' not found`);
      // A user with role agent joins only its own record (agentScope), perhaps one linked after it
      // connected: tracked as its own, so that the check every 30 s (connections.ts) closes the
      // connection once the record is given to another user; the record it followed before is no
      // longer its own (one per user) and its room is left.
      const previous = socket.data.ownAgentId ?? null;
      if (principal.role === 'agent') socket.data.ownAgentId = id;
      await socket.join(agentRoom(id));
      if (principal.role === 'agent' && previous !== null && previous !== id) await socket.leave(agentRoom(previous));
      return { ok: true };
    });

    handle('agent:status', async (payload) => {
      const id = agentIdOf(payload);
      if (!id) return fail('VALIDATION_ERROR', 'agentId: must be an agent id (uuid)');
      const status = (payload as Partial<AgentStatusCommand> | null)?.status;
      if (typeof status !== 'string' || !PRESENCE.has(status)) return fail('VALIDATION_ERROR', 'status: must be one of available, busy, offline, break');
      const row = await setPresenceByUser(db, agentScope(principal), id, status as AgentStatusCommand['status'], principal.userId);
      if (!row) return fail('RESOURCE_NOT_FOUND', `Agent with ID '${id}' not found`);
      return { ok: true };
    }, true);
  }

  // Back-pressure: a client that does not read is dropped (it reconnects and recovers or resyncs).
  const sweep = setInterval(() => {
    for (const socket of io.of('/').sockets.values()) {
      const conn = socket.conn as unknown as { writeBuffer?: unknown[]; transport?: { socket?: { terminate?: () => void; _socket?: { writableLength?: number } } } };
      const packets = conn.writeBuffer?.length ?? 0;
      const bytes = conn.transport?.socket?._socket?.writableLength ?? 0;
      if (packets > MAX_QUEUED_PACKETS || bytes > MAX_QUEUED_BYTES) {
        app.log.warn({ socketId: socket.id, packets, bytes }, 'live events client too slow: disconnected');
        // Discard what waits (a graceful close would wait for the client to read it), and drop
        // the WebSocket at once rather than after its closing handshake.
        socket.conn.close(true);
        conn.transport?.socket?.terminate?.();
      }
    }
  }, SWEEP_INTERVAL_MS);
  sweep.unref();

  return {
    io,
    hub,
    connections,
    async close() {
      // Not io.close(): that closes the HTTP server too, which is Fastify's to close.
      clearInterval(sweep);
      stopRecheck();
      analytics.close();
      hub.flushRelay();
      io.disconnectSockets(true);
      io.engine.close();
      await io.of('/').adapter.close();
      await transport.close();
    },
  };
}
