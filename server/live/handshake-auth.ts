// Who is connecting to the live events (Socket.IO handshake): `auth.token` — an API key or an
// events token — else `Authorization: Bearer <API key>`, else the session cookie. The same
// principals as the REST API (server/accounts/auth/principal.ts); null: refused.
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import { type Principal, principalFromApiKey, principalFromSession, type SessionData } from '../accounts/auth/principal.js';
import { findUserInOrg } from '../accounts/users/queries.js';
import { isEventsToken, readEventsToken } from './events-token.js';

export interface HandshakeCredentials {
  /** `auth.token` of the handshake. */
  token: unknown;
  authorization: string | undefined;
  /** The session decoded from the handshake's cookie, if any. */
  session: SessionData | null;
}

async function fromEventsToken(db: Kysely<DB>, key: Buffer, token: string): Promise<Principal | null> {
  const claims = readEventsToken(key, token, Math.floor(Date.now() / 1000));
  if (!claims) return null;
  const user = await findUserInOrg(db, claims.orgId, claims.userId);
  if (!user || user.session_version !== claims.sessionVersion) return null;
  return { userId: user.id, orgId: user.org_id, role: user.role, via: 'session', apiKeyId: null, authenticatedAt: null };
}

export async function handshakePrincipal(db: Kysely<DB>, tokenKey: Buffer, credentials: HandshakeCredentials): Promise<Principal | null> {
  const { token } = credentials;
  if (typeof token === 'string' && token.length > 0 && token.length <= 512) {
    return isEventsToken(token) ? fromEventsToken(db, tokenKey, token) : principalFromApiKey(db, token);
  }
  const bearer = credentials.authorization === undefined ? null : /^Bearer\s+(\S+)$/i.exec(credentials.authorization)?.[1];
  if (bearer) return principalFromApiKey(db, bearer);
  return principalFromSession(db, credentials.session);
}
