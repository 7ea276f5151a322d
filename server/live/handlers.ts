// POST /api/events/token (a short-lived token for a browser's Socket.IO handshake) and
// GET /api/events (the live events as Server-Sent Events).
import type { Deps, HandlerGroup } from '../handler-types.js';
import { findUserInOrg } from '../accounts/users/queries.js';
import { sessionExpiresAt } from '../accounts/auth/session-expiry.js';
import { ERRORS } from '../platform/errors.js';
import { EVENTS_TOKEN_TTL_SEC, issueEventsToken } from './events-token.js';
import { callerStillAllowed } from './connections.js';
import { roomsOf } from './rooms-of.js';
import { SOCKET_PATH } from './socket-server.js';

export function createLiveHandlers({ db, live }: Deps): HandlerGroup<'createEventsToken' | 'streamEvents'> {
  return {
    async createEventsToken(ctx) {
      const principal = ctx.principal();
      const user = await findUserInOrg(db, principal.orgId, principal.userId);
      if (!user) throw ERRORS.unauthorized('The user no longer exists');
      const expiresAt = Math.floor(Date.now() / 1000) + EVENTS_TOKEN_TTL_SEC;
      // A session's token, and the socket it opens, last no longer than the session.
      const sessionEnd = principal.via === 'session' ? sessionExpiresAt(ctx.req.session) : null;
      // The token carries the asker's role and key: a key's socket never acts above the key.
      const token = issueEventsToken(live.tokenKey, {
        userId: user.id,
        orgId: user.org_id,
        sessionVersion: user.session_version,
        role: principal.role,
        apiKeyId: principal.apiKeyId,
        sessionExpiresAt: sessionEnd === null ? null : Math.floor(sessionEnd / 1000),
        expiresAt,
      });
      return { status: 201, body: { token, expiresAt: new Date(expiresAt * 1000).toISOString(), socketPath: SOCKET_PATH } };
    },

    async streamEvents(ctx) {
      const principal = ctx.principal();
      const { rooms, ownAgentId } = await roomsOf(db, principal);
      const lastEventId = ctx.req.headers['last-event-id'];
      const version = principal.via === 'session' ? ctx.req.session.get('sv') : null;
      const sessionVersion = typeof version === 'number' ? version : null;
      const sessionEnd = principal.via === 'session' ? sessionExpiresAt(ctx.req.session) : null;
      const caller = { principal, sessionVersion, sessionExpiresAt: sessionEnd, ownAgentId };
      const end = live.sse.open(ctx.req, ctx.reply, rooms, typeof lastEventId === 'string' ? lastEventId : undefined, caller);
      // Rights changed while the request was authenticated and its rooms read: that change's
      // check of open connections could not see this stream (not yet tracked). Checked once now
      // that it is; a failed check leaves it to the periodic one.
      const allowed = await callerStillAllowed(db, caller).catch(() => true);
      if (!allowed) end();
      return { status: 200, body: '' };
    },
  };
}
