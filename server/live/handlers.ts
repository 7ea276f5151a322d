// POST /api/events/token (a short-lived token for a browser's Socket.IO handshake) and
// GET /api/events (the live events as Server-Sent Events).
import type { Deps, HandlerGroup } from '../handler-types.js';
import { findUserInOrg } from '../accounts/users/queries.js';
import { sessionExpiresAt } from '../accounts/auth/session-expiry.js';
import { ERRORS } from '../platform/errors.js';
import { EVENTS_TOKEN_TTL_SEC, issueEventsToken } from './events-token.js';
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
      live.sse.open(ctx.req, ctx.reply, rooms, typeof lastEventId === 'string' ? lastEventId : undefined, { principal, sessionVersion, sessionExpiresAt: sessionEnd, ownAgentId });
      return { status: 200, body: '' };
    },
  };
}
