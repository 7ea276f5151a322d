// Request URLs as the logs show them: path segments that are credentials (the inbound-RTB
// rtbId, which lets anyone holding it ask for bids) and query values whose names say they are
// secret (tokens, secrets, passwords, API keys, signatures) are replaced by [REDACTED].
import type { FastifyRequest } from 'fastify';

export const REDACTED = '[REDACTED]';

/** Path prefixes whose next segment is a capability (a secret URL given to a publisher). */
const SECRET_SEGMENT_AFTER = ['/api/rtb/bid/'];

/** Query parameter names that carry secrets (matched case-insensitively, `_`/`-` ignored). */
const SECRET_QUERY_NAME = /token|secret|passw|apikey|accesskey|privatekey|signature|credential|rtbid|^(key|sig|auth|authorization|code)$/;

function isSecretQueryName(name: string): boolean {
  return SECRET_QUERY_NAME.test(name.toLowerCase().replace(/[-_]/g, ''));
}

/**
 * The path as the router reads it, for matching the prefixes: ASCII percent-escapes decoded (the
 * prefixes are ASCII; a malformed escape stays as it is), runs of slashes as one, lower-case.
 */
function matchForm(path: string): string {
  return path
    .replace(/%([0-7][0-9a-f])/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/\/{2,}/g, '/')
    .toLowerCase();
}

function redactPath(path: string): string {
  const lower = path.toLowerCase();
  const decoded = matchForm(path);
  for (const prefix of SECRET_SEGMENT_AFTER) {
    if (!decoded.startsWith(prefix) || decoded.length === prefix.length) continue;
    // Spelt otherwise (escaped, doubled slashes): the whole rest may hold the secret.
    if (!lower.startsWith(prefix)) return `${prefix}${REDACTED}`;
    const end = path.indexOf('/', prefix.length);
    return `${path.slice(0, prefix.length)}${REDACTED}${end === -1 ? '' : path.slice(end)}`;
  }
  return path;
}

function redactQuery(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq === -1 ? pair : pair.slice(0, eq);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        // A malformed escape: judge the name as sent.
      }
      return eq !== -1 && isSecretQueryName(name) ? `${rawName}=${REDACTED}` : pair;
    })
    .join('&');
}

/** The URL with its secret path segments and query values redacted (the fragment dropped). */
export function redactUrl(url: string): string {
  const hash = url.indexOf('#');
  const withoutHash = hash === -1 ? url : url.slice(0, hash);
  const q = withoutHash.indexOf('?');
  if (q === -1) return redactPath(withoutHash);
  return `${redactPath(withoutHash.slice(0, q))}?${redactQuery(withoutHash.slice(q + 1))}`;
}

/** Fastify's request serializer, the same fields, with the URL redacted. */
export function serializeRequest(req: FastifyRequest): Record<string, unknown> {
  return {
    method: req.method,
    url: redactUrl(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}
