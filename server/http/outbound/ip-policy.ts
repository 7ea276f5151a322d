// Which IP addresses an outbound request may reach, and the operator's allow-list of exceptions.
// Pure: strings in, booleans out. IPv4 addresses are uint32 numbers, IPv6 addresses 128-bit bigints.

interface Range4 {
  readonly base: number;
  readonly bits: number;
}
interface Range6 {
  readonly base: bigint;
  readonly bits: number;
}

/** Exceptions to the block list: host names (lower-case) and IPv4/IPv6 ranges. */
export interface AllowList {
  readonly hosts: ReadonlySet<string>;
  readonly v4: readonly Range4[];
  readonly v6: readonly Range6[];
}

// ---------------------------------------------------------------------------------------------
// Parsing

/** Strict dotted-decimal IPv4 ("127.0.0.1"), as DNS answers and the WHATWG URL parser give it. */
export function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

/** IPv6 text (optionally bracketed, with a zone id, or ending in dotted IPv4) to a 128-bit bigint. */
export function parseIPv6(text: string): bigint | undefined {
  let s = text.toLowerCase();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const zone = s.indexOf('%');
  if (zone !== -1) s = s.slice(0, zone);
  if (!s.includes(':')) return undefined;

  // A trailing dotted IPv4 stands for the last two groups.
  const lastColon = s.lastIndexOf(':');
  const last = s.slice(lastColon + 1);
  if (last.includes('.')) {
    const v4 = parseIPv4(last);
    if (v4 === undefined) return undefined;
    s = `${s.slice(0, lastColon + 1)}${Math.floor(v4 / 0x10000).toString(16)}:${(v4 % 0x10000).toString(16)}`;
  }

  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const toGroups = (half: string): number[] | undefined => {
    if (half === '') return [];
    const groups: number[] = [];
    for (const g of half.split(':')) {
      if (!/^[0-9a-f]{1,4}$/.test(g)) return undefined;
      groups.push(parseInt(g, 16));
    }
    return groups;
  };
  const head = toGroups(halves[0]!);
  const rest = halves.length === 2 ? toGroups(halves[1]!) : [];
  if (!head || !rest) return undefined;
  const given = head.length + rest.length;
  let groups: number[];
  if (halves.length === 2) {
    if (given > 7) return undefined;
    groups = [...head, ...new Array<number>(8 - given).fill(0), ...rest];
  } else {
    if (given !== 8) return undefined;
    groups = head;
  }
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(g);
  return value;
}

function range4(cidr: string): Range4 {
  const [ip, bits] = cidr.split('/');
  return { base: parseIPv4(ip!)!, bits: Number(bits) };
}
function range6(cidr: string): Range6 {
  const [ip, bits] = cidr.split('/');
  return { base: parseIPv6(ip!)!, bits: Number(bits) };
}

function in4(ip: number, r: Range4): boolean {
  if (r.bits === 0) return true;
  const shift = 32 - r.bits;
  return Math.floor(ip / 2 ** shift) === Math.floor(r.base / 2 ** shift);
}
function in6(ip: bigint, r: Range6): boolean {
  const shift = BigInt(128 - r.bits);
  return ip >> shift === r.base >> shift;
}

// ---------------------------------------------------------------------------------------------
// The block list

const BLOCKED_V4: readonly Range4[] = [
  '0.0.0.0/8', // "this network"; 0.0.0.0 reaches the local host on Linux
  '10.0.0.0/8', // private
  '100.64.0.0/10', // carrier-grade NAT
  '127.0.0.0/8', // loopback
  '169.254.0.0/16', // link-local, including the 169.254.169.254 metadata service
  '172.16.0.0/12', // private
  '192.0.0.0/24', // IETF protocol assignments
  '192.0.2.0/24', // documentation (TEST-NET-1)
  '192.168.0.0/16', // private
  '198.18.0.0/15', // benchmarking
  '198.51.100.0/24', // documentation (TEST-NET-2)
  '203.0.113.0/24', // documentation (TEST-NET-3)
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, including 255.255.255.255 broadcast
].map(range4);

const BLOCKED_V6: readonly Range6[] = [
  '::/128', // unspecified
  '::1/128', // loopback
  '64:ff9b:1::/48', // local-use NAT64
  '100::/64', // discard-only
  '2001::/32', // Teredo (tunnels to arbitrary IPv4)
  '2001:db8::/32', // documentation
  '3fff::/20', // documentation
  'fc00::/7', // unique local
  'fe80::/10', // link-local
  'fec0::/10', // site-local (deprecated)
  'ff00::/8', // multicast
].map(range6);

/** IPv6 ranges that carry an IPv4 address in their low 32 bits: judge that address. */
const EMBEDS_V4_LOW: readonly Range6[] = [
  '::ffff:0:0/96', // IPv4-mapped
  '::ffff:0:0:0/96', // IPv4-translated
  '64:ff9b::/96', // NAT64
  '::/96', // IPv4-compatible (deprecated)
].map(range6);
const SIX_TO_FOUR = range6('2002::/16'); // 6to4: IPv4 in bits 16..47

const MASK32 = 0xffffffffn;

/** The IPv4 address an IPv6 address stands for, if it is one of the forms that embed one. */
function embeddedV4(ip: bigint): number | undefined {
  if (EMBEDS_V4_LOW.some((r) => in6(ip, r))) return Number(ip & MASK32);
  if (in6(ip, SIX_TO_FOUR)) return Number((ip >> 80n) & MASK32);
  return undefined;
}

function isBlockedV4(ip: number): boolean {
  return BLOCKED_V4.some((r) => in4(ip, r));
}

/**
 * True when `ip` is loopback, private, link-local, metadata, multicast, reserved or documentation
 * space (IPv4 or IPv6, including IPv6 forms that embed an IPv4 address). Anything that is not an
 * IP address is treated as blocked: what cannot be judged is refused.
 */
export function isBlockedAddress(ip: string): boolean {
  const v4 = parseIPv4(ip);
  if (v4 !== undefined) return isBlockedV4(v4);
  const v6 = parseIPv6(ip);
  if (v6 === undefined) return true;
  if (BLOCKED_V6.some((r) => in6(v6, r))) return true;
  const embedded = embeddedV4(v6);
  return embedded !== undefined && isBlockedV4(embedded);
}

/** Whether `host` (a name, or an IP with or without brackets) is an IP literal. */
export function isIpLiteral(host: string): boolean {
  return parseIPv4(host) !== undefined || parseIPv6(host) !== undefined;
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
  const v4: Range4[] = [];
  const v6: Range6[] = [];
  for (const raw of entries) {
    const entry = raw.trim();
    if (!entry) continue;
    const slash = entry.indexOf('/');
    const address = normalizeHost(slash === -1 ? entry : entry.slice(0, slash));
    const bitsText = slash === -1 ? undefined : entry.slice(slash + 1);
    const a4 = parseIPv4(address);
    const a6 = a4 === undefined ? parseIPv6(address) : undefined;
    const max = a4 !== undefined ? 32 : 128;
    const bits = bitsText === undefined ? max : /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : NaN;
    if (a4 !== undefined && bits <= max) {
      v4.push({ base: a4, bits });
    } else if (a6 !== undefined && bits <= max) {
      v6.push({ base: a6, bits });
    } else if (bitsText === undefined && HOST_NAME.test(address)) {
      hosts.add(address);
    } else {
      throw new Error(`Outbound allow-list entry "${raw}" is not a host name, IP address or CIDR range`);
    }
  }
  return { hosts, v4, v6 };
}

const MAPPED_PREFIX = 0xffffn << 32n;

function ipAllowed(allow: AllowList, ip: string): boolean {
  const a4 = parseIPv4(ip);
  if (a4 !== undefined) {
    return allow.v4.some((r) => in4(a4, r)) || allow.v6.some((r) => in6(MAPPED_PREFIX | BigInt(a4), r));
  }
  const a6 = parseIPv6(ip);
  if (a6 === undefined) return false;
  if (allow.v6.some((r) => in6(a6, r))) return true;
  // ::ffff:127.0.0.1 is 127.0.0.1.
  return a6 >> 32n === 0xffffn && allow.v4.some((r) => in4(Number(a6 & MASK32), r));
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
