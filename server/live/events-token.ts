// The short-lived token a browser gives the Socket.IO handshake (`auth.token`), from
// POST /api/events/token: `ev1.<payload>.<signature>`, the payload {u: user id, o: organisation,
// sv: the user's session version, r: the role granted, k: the API key it was asked with or null,
// se: when the session that asked for it expires (epoch seconds) or null, exp: epoch seconds} in
// base64url, signed with HMAC-SHA256 under a key derived from SECRETS_KEY. The handshake checks the
// signature, the expiry, that the user still exists with the same session version (a logout
// everywhere revokes it) and that the asking session has not expired, and, for a key's token, that
// the key is still live; the socket gets the weaker of the role granted and the current one. Pure.
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Role } from '../../db/types.js';
import { isRole } from '../accounts/auth/roles.js';

export const EVENTS_TOKEN_TTL_SEC = 60;
const PREFIX = 'ev1';

export interface EventsTokenClaims {
  userId: number;
  orgId: string;
  sessionVersion: number;
  /** The role of the principal that asked for the token (an API key's is capped by the key). */
  role: Role;
  /** The API key the token was asked with; null for a session. */
  apiKeyId: string | null;
  /** When the session that asked for it stops authenticating (epoch seconds); null: asked for with an API key. */
  sessionExpiresAt: number | null;
  /** Epoch seconds. */
  expiresAt: number;
}

export function deriveEventsTokenKey(secretsKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', secretsKey, Buffer.alloc(0), 'ccp live events token v1', 32));
}

function sign(key: Buffer, body: string): string {
  return createHmac('sha256', key).update(`${PREFIX}.${body}`).digest('base64url');
}

export function issueEventsToken(key: Buffer, claims: EventsTokenClaims): string {
  const body = Buffer.from(JSON.stringify({ u: claims.userId, o: claims.orgId, sv: claims.sessionVersion, r: claims.role, k: claims.apiKeyId, se: claims.sessionExpiresAt, exp: claims.expiresAt })).toString('base64url');
  return `${PREFIX}.${body}.${sign(key, body)}`;
}

export function isEventsToken(token: string): boolean {
  return token.startsWith(`${PREFIX}.`);
}

/** The claims of a well-signed, unexpired token; null otherwise. */
export function readEventsToken(key: Buffer, token: string, nowSec: number): EventsTokenClaims | null {
  const [prefix, body, signature, extra] = token.split('.');
  if (prefix !== PREFIX || !body || !signature || extra !== undefined) return null;
  const expected = Buffer.from(sign(key, body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const claims = raw as { u?: unknown; o?: unknown; sv?: unknown; r?: unknown; k?: unknown; se?: unknown; exp?: unknown };
  if (typeof claims.u !== 'number' || typeof claims.o !== 'string' || typeof claims.sv !== 'number' || typeof claims.exp !== 'number') return null;
  if (typeof claims.r !== 'string' || !isRole(claims.r) || (claims.k !== null && typeof claims.k !== 'string')) return null;
  // `se` absent: a token signed before it was carried (at most a minute old), no session time known.
  const se = claims.se ?? null;
  if (se !== null && typeof se !== 'number') return null;
  if (claims.exp < nowSec || (se !== null && se <= nowSec)) return null;
  return { userId: claims.u, orgId: claims.o, sessionVersion: claims.sv, role: claims.r, apiKeyId: claims.k, sessionExpiresAt: se, expiresAt: claims.exp };
}
