// Who is connecting to the live events (Socket.IO handshake): `auth.token` — an API key or an
// events token — else `Authorization: Bearer <API key>`, else the session cookie. The same
// principals as the REST API (server/accounts/auth/principal.ts); an events token stands for the
// principal that asked for it, never above it; null: refused.
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import { type Principal, principalFromApiKey, principalFromSession, type SessionData } from '../accounts/auth/principal.js';
import { weakerRole } from '../accounts/auth/roles.js';
import { sessionExpiresAt } from '../accounts/auth/session-expiry.js';
import { findKeyInOrg } from '../accounts/api-keys/queries.js';
import { findUserInOrg } from '../accounts/users/queries.js';
import { isEventsToken, readEventsToken } from './events-token.js';

export interface HandshakeCredentials {
  /** `auth.token` of the handshake. */
  token: unknown;
  authorization: string | undefined;
  /** The session decoded from the handshake's cookie, if any. */
  session: SessionData | null;
}

/** Who connects, and the session version the connection stands on (null: an API key's, which logging out does not end). */
export interface HandshakeCaller {
  principal: Principal;
  sessionVersion: number | null;
  /** When that session stops authenticating (epoch ms); null: an API key's. */
  sessionExpiresAt: number | null;
}

async function fromEventsToken(db: Kysely<DB>, key: Buffer, token: string): Promise<HandshakeCaller | null> {
  const claims = readEventsToken(key, token, Math.floor(Date.now() / 1000));
  if (!claims) return null;
  const user = await findUserInOrg(db, claims.orgId, claims.userId);
  if (!user || user.session_version !== claims.sessionVersion) return null;
  let role = weakerRole(claims.role, user.role);
  if (claims.apiKeyId !== null) {
    // Asked for with an API key: the key must still be live, and caps the role as it would a request.
    const key = await findKeyInOrg(db, claims.orgId, claims.apiKeyId);
    if (!key || key.revoked_at !== null || key.created_by_user_id !== user.id) return null;
    role = weakerRole(role, key.role);
  }
  const principal: Principal = { userId: user.id, orgId: user.org_id, role, via: claims.apiKeyId === null ? 'session' : 'apiKey', apiKeyId: claims.apiKeyId, authenticatedAt: null };
  const bySession = claims.apiKeyId === null;
  const expiresAt = bySession && claims.sessionExpiresAt !== null ? claims.sessionExpiresAt * 1000 : null;
  return { principal, sessionVersion: bySession ? claims.sessionVersion : null, sessionExpiresAt: expiresAt };
}

const byKey = (principal: Principal | null): HandshakeCaller | null => (principal ? { principal, sessionVersion: null, sessionExpiresAt: null } : null);

export async function handshakeCaller(db: Kysely<DB>, tokenKey: Buffer, credentials: HandshakeCredentials): Promise<HandshakeCaller | null> {
  const { token } = credentials;
  if (typeof token === 'string' && token.length > 0 && token.length <= 512) {
    return isEventsToken(token) ? fromEventsToken(db, tokenKey, token) : byKey(await principalFromApiKey(db, token));
  }
  const bearer = credentials.authorization === undefined ? null : /^Bearer\s+(\S+)$/i.exec(credentials.authorization)?.[1];
  if (bearer) return byKey(await principalFromApiKey(db, bearer));
  const principal = await principalFromSession(db, credentials.session);
  const version = credentials.session?.get('sv');
  return principal && typeof version === 'number' ? { principal, sessionVersion: version, sessionExpiresAt: sessionExpiresAt(credentials.session) } : null;
}
