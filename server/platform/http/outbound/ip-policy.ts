// Which IP addresses an outbound request may reach, and the operator's allow-list of exceptions.
// Pure: strings in, booleans out. Address parsing and range matching are Node's (net.isIP and
// net.BlockList, which also matches IPv4-mapped IPv6 addresses against IPv4 rules); this file only
// says which ranges are blocked.
import { BlockList, isIP } from 'node:net';

type Family = 'ipv4' | 'ipv6';

/** Exceptions to the block list: host names (lower-case) and IPv4/IPv6 ranges. */
export interface AllowList {
  readonly hosts: ReadonlySet<string>;
  readonly ranges: BlockList;
}

/** An IP address without IPv6 brackets or zone id, and its family; undefined for anything else. */
function parseIp(text: string): { ip: string; family: Family } | undefined {
  let s = text;
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const zone = s.indexOf('%');
  if (zone !== -1 && s.includes(':')) s = s.slice(0, zone);
  const version = isIP(s);
  return version === 4 ? { ip: s, family: 'ipv4' } : version === 6 ? { ip: s, family: 'ipv6' } : undefined;
}

// ---------------------------------------------------------------------------------------------
// The block list

const BLOCKED_V4: readonly [string, number][] = [
  ['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches the local host on Linux
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, including the 169.254.169.254 metadata service
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation (TEST-NET-1)
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation (TEST-NET-2)
  ['203.0.113.0', 24], // documentation (TEST-NET-3)
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, including 255.255.255.255 broadcast
];

const BLOCKED_V6: readonly [string, number][] = [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard-only
  ['2001::', 32], // Teredo (tunnels to arbitrary IPv4)
  ['2001:db8::', 32], // documentation
  ['3fff::', 20], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
];

/**
 * IPv6 prefixes (/96) that carry an IPv4 address in their low 32 bits: a blocked IPv4 range is
 * blocked behind each of them too. (IPv4-mapped ::ffff:0:0/96 needs no entry: BlockList matches
 * it against the IPv4 rules itself.)
 */
const EMBEDS_V4_LOW = [
  '::ffff:0:', // IPv4-translated ::ffff:0:0:0/96
  '64:ff9b::', // NAT64
  '::', // IPv4-compatible (deprecated)
];

/** 6to4 (2002::/16) carries an IPv4 address in bits 16..47: 2002:AABB:CCDD::. */
function sixToFour(v4: string): string {
  const [a, b, c, d] = v4.split('.').map(Number) as [number, number, number, number];
  return `2002:${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}::`;
}

const BLOCKED = new BlockList();
for (const [ip, bits] of BLOCKED_V4) {
  BLOCKED.addSubnet(ip, bits, 'ipv4');
  for (const prefix of EMBEDS_V4_LOW) BLOCKED.addSubnet(`${prefix}${ip}`, 96 + bits, 'ipv6');
  BLOCKED.addSubnet(sixToFour(ip), 16 + bits, 'ipv6');
}
for (const [ip, bits] of BLOCKED_V6) BLOCKED.addSubnet(ip, bits, 'ipv6');

/**
 * True when `ip` is loopback, private, link-local, metadata, multicast, reserved or documentation
 * space (IPv4 or IPv6, including IPv6 forms that embed an IPv4 address). Anything that is not an
 * IP address is treated as blocked: what cannot be judged is refused.
 */
export function isBlockedAddress(ip: string): boolean {
  const parsed = parseIp(ip);
  return parsed === undefined || BLOCKED.check(parsed.ip, parsed.family);
}

/** Whether `host` (a name, or an IP with or without brackets) is an IP literal. */
export function isIpLiteral(host: string): boolean {
  return parseIp(host) !== undefined;
}

// ---------------------------------------------------------------------------------------------
// The allow-list

/** Lower-case, without IPv6 brackets or a trailing dot: the form host names are compared in. */
export function normalizeHost(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  while (h.endsWith('.')) h = h.slice(0, -1);
  return h;
}

const HOST_NAME = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/;

/**
 * Parse allow-list entries: host names (matched case-insensitively, exactly), single IPs and
 * IPv4/IPv6 CIDR ranges. Throws on an entry that is none of these, so a typo fails at startup.
 */
export function parseAllowList(entries: readonly string[]): AllowList {
  const hosts = new Set<string>();
  const ranges = new BlockList();
  for (const raw of entries) {
    const entry = raw.trim();
    if (!entry) continue;
    const slash = entry.indexOf('/');
    const address = normalizeHost(slash === -1 ? entry : entry.slice(0, slash));
    const bitsText = slash === -1 ? undefined : entry.slice(slash + 1);
    const ip = parseIp(address);
    const max = ip?.family === 'ipv4' ? 32 : 128;
    const bits = bitsText === undefined ? max : /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : NaN;
    if (ip && bits <= max) {
      ranges.addSubnet(ip.ip, bits, ip.family);
    } else if (bitsText === undefined && HOST_NAME.test(address)) {
      hosts.add(address);
    } else {
      throw new Error(`Outbound allow-list entry "${raw}" is not a host name, IP address or CIDR range`);
    }
  }
  return { hosts, ranges };
}

/** In an allowed range; ::ffff:127.0.0.1 is 127.0.0.1 (BlockList matches mapped addresses both ways). */
function ipAllowed(allow: AllowList, ip: string): boolean {
  const parsed = parseIp(ip);
  return parsed !== undefined && allow.ranges.check(parsed.ip, parsed.family);
}

/**
 * Whether the operator allowed `host` (by name, or as an IP literal in a listed range), or the
 * address `ip` it resolved to.
 */
export function isAllowListed(allow: AllowList, host: string, ip?: string): boolean {
  const h = normalizeHost(host);
  if (allow.hosts.has(h)) return true;
  if (isIpLiteral(h) && ipAllowed(allow, h)) return true;
  return ip !== undefined && ipAllowed(allow, ip);
}

/**
 * The first of `addresses` (what `host` resolved to) that is blocked and not allow-listed, or
 * undefined when every address may be reached.
 */
export function findBlockedAddress(allow: AllowList, host: string, addresses: readonly string[]): string | undefined {
  if (allow.hosts.has(normalizeHost(host))) return undefined;
  return addresses.find((ip) => isBlockedAddress(ip) && !ipAllowed(allow, ip));
}
