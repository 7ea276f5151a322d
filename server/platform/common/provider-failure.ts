// What every API layer does when a telephony failure becomes an answer (pure): name the request
// field a provider message blames, and say that the provider failed without saying why (no host
// names, stack or provider text in a 502).
import { type AppError, ERRORS } from '../errors.js';

/**
 * The request field a provider message is about: its first word (`"areaCode must be …"`) looked
 * up in `fields` (message word → request field), else `fallback`.
 */
export function fieldOfMessage(message: string, fields: Readonly<Record<string, string>>, fallback: string): string {
  const first = /^[A-Za-z]+/.exec(message)?.[0];
  return first !== undefined && Object.hasOwn(fields, first) ? (fields[first] ?? fallback) : fallback;
}

/** 502 UPSTREAM_ERROR: `what` could not be done (e.g. "buy the number"); nothing changed here. */
export function providerFailed(what: string): AppError {
  return ERRORS.upstream(`The telephony provider could not ${what}; nothing was changed here. Try again later.`);
}
