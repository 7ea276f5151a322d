// How long a session lasts: SESSION_MAX_AGE_SECONDS from its login (the cookie's `__ts`, which
// @fastify/secure-session sets when the session is written and checks when it is read). Pure.
import type { SessionData } from './principal.js';

export const SESSION_MAX_AGE_SECONDS = 24 * 60 * 60;

/** When the session stops authenticating (epoch ms); null when it carries no time. */
export function sessionExpiresAt(session: SessionData | null | undefined): number | null {
  const ts = session?.get('__ts');
  return typeof ts === 'number' ? (ts + SESSION_MAX_AGE_SECONDS) * 1000 : null;
}
