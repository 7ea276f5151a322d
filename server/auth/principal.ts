// Who is calling: resolved from an API key (Authorization: Bearer) or the session cookie.
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB, Role } from '../../db/types.js';
import { hashApiKey, isWellFormedApiKey } from '../api-keys/key-format.js';
import { findLiveKeyByHash, touchKeyLastUsed } from '../api-keys/queries.js';
import { ERRORS } from '../errors.js';
import { findUserInOrg } from '../users/queries.js';
import { hasRole, weakerRole } from './roles.js';

export interface Principal {
  userId: number;
  orgId: string;
  role: Role;
  via: 'session' | 'apiKey';
  apiKeyId: string | null;
}

const LAST_USED_RESOLUTION_MS = 60_000;

async function fromApiKey(db: Kysely<DB>, token: string): Promise<Principal | null> {
  if (!isWellFormedApiKey(token)) return null;
  const found = await findLiveKeyByHash(db, hashApiKey(token));
  const creatorId = found?.key.created_by_user_id;
  if (!found || creatorId == null) return null;
  const { key, ownerRole } = found;
  if (!key.last_used_at || Date.now() - key.last_used_at.getTime() > LAST_USED_RESOLUTION_MS) {
    await touchKeyLastUsed(db, key.id);
  }
  // A key never acts above its creator's current role.
  return { userId: creatorId, orgId: key.org_id, role: weakerRole(key.role, ownerRole), via: 'apiKey', apiKeyId: key.id };
}

async function fromSession(db: Kysely<DB>, req: FastifyRequest): Promise<Principal | null> {
  const uid = req.session?.get('uid');
  const org = req.session?.get('org');
  const version = req.session?.get('sv');
  if (typeof uid !== 'number' || typeof org !== 'string' || typeof version !== 'number') return null;
  const user = await findUserInOrg(db, org, uid);
  if (!user || user.session_version !== version) return null;
  return { userId: user.id, orgId: user.org_id, role: user.role, via: 'session', apiKeyId: null };
}

/** Who is calling (API key first when an Authorization header is sent); 401 when nobody. */
export async function resolvePrincipal(db: Kysely<DB>, req: FastifyRequest): Promise<Principal> {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const principal = match?.[1] ? await fromApiKey(db, match[1]) : null;
    if (!principal) throw ERRORS.unauthorized('The API key is missing, malformed, unknown or revoked');
    return principal;
  }
  const principal = await fromSession(db, req);
  if (!principal) throw ERRORS.unauthorized('Log in (session cookie) or send an API key');
  return principal;
}

export function requireRole(principal: Principal, minRole: Role): void {
  if (!hasRole(principal.role, minRole)) throw ERRORS.forbidden(`This operation needs the role ${minRole} or higher`);
}

/** The rate-limit identity of a verified caller: its API key, or its user. */
export function principalRateKey(principal: Principal): string {
  return principal.apiKeyId ? `key:${principal.apiKeyId}` : `user:${principal.userId}`;
}
