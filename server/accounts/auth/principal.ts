// Who is calling: resolved from an API key (Authorization: Bearer) or the session cookie.
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB, Role } from '../../../db/types.js';
import { hashApiKey, isWellFormedApiKey } from '../api-keys/key-format.js';
import { findLiveKeyByHash, touchKeyLastUsed } from '../api-keys/queries.js';
import { ERRORS } from '../../platform/errors.js';
import { cookieOriginAllowed } from '../../platform/http/cookie-origin.js';
import { findUserInOrg } from '../users/queries.js';
import { hasRole, weakerRole } from './roles.js';

export interface Principal {
  userId: number;
  orgId: string;
  role: Role;
  via: 'session' | 'apiKey';
  apiKeyId: string | null;
  /** When the session's user last gave their password (epoch ms); null for an API key. */
  authenticatedAt: number | null;
}

/** How recent a login must be to create API keys or users, change a role or remove a user. */
export const REAUTH_WINDOW_MS = 15 * 60_000;

const LAST_USED_RESOLUTION_MS = 60_000;

/** The principal an API key stands for; null when it is malformed, unknown or revoked. */
export async function principalFromApiKey(db: Kysely<DB>, token: string): Promise<Principal | null> {
  if (!isWellFormedApiKey(token)) return null;
  const found = await findLiveKeyByHash(db, hashApiKey(token));
  const creatorId = found?.key.created_by_user_id;
  if (!found || creatorId == null) return null;
  const { key, ownerRole } = found;
  if (!key.last_used_at || Date.now() - key.last_used_at.getTime() > LAST_USED_RESOLUTION_MS) {
    await touchKeyLastUsed(db, key.id);
  }
  // A key never acts above its creator's current role.
  return { userId: creatorId, orgId: key.org_id, role: weakerRole(key.role, ownerRole), via: 'apiKey', apiKeyId: key.id, authenticatedAt: null };
}

/** What a session holds (a request's, or a cookie decoded elsewhere: the live events' handshake). */
export interface SessionData {
  get(key: string): unknown;
}

/** The principal a session stands for; null when it names no current user (logged out everywhere, deleted). */
export async function principalFromSession(db: Kysely<DB>, session: SessionData | null | undefined): Promise<Principal | null> {
  const uid = session?.get('uid');
  const org = session?.get('org');
  const version = session?.get('sv');
  if (typeof uid !== 'number' || typeof org !== 'string' || typeof version !== 'number') return null;
  const user = await findUserInOrg(db, org, uid);
  if (!user || user.session_version !== version) return null;
  const at = session!.get('at');
  return { userId: user.id, orgId: user.org_id, role: user.role, via: 'session', apiKeyId: null, authenticatedAt: typeof at === 'number' ? at : null };
}

/** Who is calling (API key first when an Authorization header is sent); 401 when nobody. */
export async function resolvePrincipal(db: Kysely<DB>, req: FastifyRequest): Promise<Principal> {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const principal = match?.[1] ? await principalFromApiKey(db, match[1]) : null;
    if (!principal) throw ERRORS.unauthorized('The API key is missing, malformed, unknown or revoked');
    return principal;
  }
  const principal = await principalFromSession(db, req.session as SessionData | undefined);
  if (!principal) throw ERRORS.unauthorized('Log in (session cookie) or send an API key');
  return principal;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A change carried by the session cookie must come from a page of the API's own origin, or from a
 * client that sends no Origin (platform/http/cookie-origin.ts): a page of a sibling host may send
 * the cookie with a bodyless or multipart POST without any CORS preflight. 403 otherwise. Reads
 * are not changes (and CORS keeps their answers from other origins).
 */
export function requireOwnOriginForCookie(req: FastifyRequest, publicBaseUrl: string): void {
  if (SAFE_METHODS.has(req.method)) return;
  if (!cookieOriginAllowed(req.headers.origin, req.headers.host, publicBaseUrl)) {
    throw ERRORS.forbidden('A change made with the session cookie must come from a page of this API\'s own origin (send an API key from elsewhere)');
  }
}

export function requireRole(principal: Principal, minRole: Role): void {
  if (!hasRole(principal.role, minRole)) throw ERRORS.forbidden(`This operation needs the role ${minRole} or higher`);
}

/**
 * Creating API keys or users and changing roles grant lasting access, and removing a user takes
 * it away from someone, so they need a person who logged in recently: never an API key (whatever a key made would survive its revocation), and a
 * session only within REAUTH_WINDOW_MS of its login. 403 otherwise.
 */
export function requireRecentLogin(principal: Principal, action: string): void {
  if (principal.via !== 'session') throw ERRORS.forbidden(`An API key cannot ${action}; log in with a password`);
  const at = principal.authenticatedAt;
  if (at === null || Date.now() - at > REAUTH_WINDOW_MS) {
    throw ERRORS.forbidden(`Log in again to ${action} (a login within the last ${REAUTH_WINDOW_MS / 60_000} minutes is needed)`);
  }
}

/** The rate-limit identity of a verified caller: its API key, or its user. */
export function principalRateKey(principal: Principal): string {
  return principal.apiKeyId ? `key:${principal.apiKeyId}` : `user:${principal.userId}`;
}
