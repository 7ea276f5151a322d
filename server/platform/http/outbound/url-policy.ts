// Whether a user-supplied URL (bid endpoint, pixel, postback, health check) may be saved, and the
// static part of that judgement that the guarded client repeats before every request.
import { findBlockedAddress, isAllowListed, isBlockedAddress, isIpLiteral, normalizeHost, parseAllowList } from './ip-policy.js';
import { defaultResolver } from './resolvers.js';
import type { OutboundPolicy, ResolvedAddress, Resolver } from './types.js';

export type { OutboundPolicy, ResolvedAddress, Resolver } from './types.js';

/** How long a save waits for DNS before accepting the URL (it is checked again at connect time). */
const SAVE_LOOKUP_TIMEOUT_MS = 3000;

/**
 * The policy from config.outboundAllowPrivate; throws on an allow-list entry it cannot read. The
 * resolver: allow-listed names through the system's, others over DNS (resolvers.ts says why).
 */
export function createOutboundPolicy(allowPrivate: readonly string[], options: { resolve?: Resolver } = {}): OutboundPolicy {
  const allow = parseAllowList(allowPrivate);
  return { allow, resolve: options.resolve ?? defaultResolver(allow) };
}

/** Names that only ever mean this machine or the provider's internal network. */
export function isInternalHostname(host: string): boolean {
  const h = normalizeHost(host);
  return h === 'localhost' || h.endsWith('.localhost') || h === 'internal' || h.endsWith('.internal');
}

export type UrlShapeVerdict =
  | { ok: true; url: URL; host: string; isIp: boolean }
  | { ok: false; kind: 'invalid_url' | 'blocked'; reason: string };

/**
 * Everything that can be judged without DNS: scheme, credentials, host, literal IPs (in every form
 * the WHATWG parser normalises to dotted decimal or bracketed IPv6) and internal names.
 */
export function checkUrlShape(raw: string, policy: OutboundPolicy): UrlShapeVerdict {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { ok: false, kind: 'invalid_url', reason: 'Not a valid absolute URL.' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, kind: 'invalid_url', reason: 'Only http and https URLs are allowed.' };
  }
  if (url.username || url.password) {
    return {
      ok: false,
      kind: 'invalid_url',
      reason: 'The URL must not contain a user name or password; put credentials in the auth settings.',
    };
  }
  const host = normalizeHost(url.hostname);
  if (!host) return { ok: false, kind: 'invalid_url', reason: 'The URL must have a host.' };

  const isIp = isIpLiteral(host);
  if (isAllowListed(policy.allow, host)) return { ok: true, url, host, isIp };
  if (isIp && isBlockedAddress(host)) {
    return { ok: false, kind: 'blocked', reason: `${host} is a private, loopback or reserved address.` };
  }
  if (!isIp && isInternalHostname(host)) {
    return { ok: false, kind: 'blocked', reason: `${host} is an internal host name.` };
  }
  return { ok: true, url, host, isIp };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('DNS lookup timed out')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Judge a URL at SAVE time. Host names are resolved and refused if ANY address is blocked; a name
 * that does not resolve is accepted (the guarded client checks again when it connects).
 */
export async function checkOutboundUrl(
  raw: string,
  policy: OutboundPolicy,
): Promise<{ ok: true; url: URL } | { ok: false; reason: string }> {
  const shape = checkUrlShape(raw, policy);
  if (!shape.ok) return { ok: false, reason: shape.reason };
  const { url, host } = shape;
  if (shape.isIp || isAllowListed(policy.allow, host)) return { ok: true, url };

  let addresses: readonly ResolvedAddress[];
  try {
    addresses = await withTimeout((policy.resolve ?? defaultResolver(policy.allow))(host), SAVE_LOOKUP_TIMEOUT_MS);
  } catch {
    return { ok: true, url };
  }
  const blocked = findBlockedAddress(
    policy.allow,
    host,
    addresses.map((a) => a.address),
  );
  if (blocked !== undefined) {
    return { ok: false, reason: `${host} resolves to a private, loopback or reserved address.` };
  }
  return { ok: true, url };
}
