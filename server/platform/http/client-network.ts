// The source a per-address budget counts against (pure). An IPv4 address is itself; an IPv6
// address counts as its /64, the smallest network a provider hands out: a single VPS or home line
// holds 2^64 addresses, so counting each alone would give one guesser endless fresh budgets (the
// login bucket, the login backoff). An IPv4 address written as IPv6 (::ffff:a.b.c.d, as a
// dual-stack server sees every IPv4 client) is that IPv4 address, never the /64 of them all.
import { isIPv6 } from 'node:net';

/** The eight 16-bit groups of a valid IPv6 address (its zone removed), or null. */
function ipv6Groups(address: string): number[] | null {
  if (!isIPv6(address)) return null;
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parts = (part: string) => (part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16)));
  const left = parts(head);
  const right = tail === undefined ? [] : parts(tail);
  const groups = [...left, ...Array.from({ length: 8 - left.length - right.length }, () => 0), ...right];
  return groups.length === 8 ? groups : null;
}

/** `ip` as the key of its source: an IPv4 address as given, an IPv6 address as its /64. */
export function clientNetwork(ip: string): string {
  if (!ip.includes(':')) return ip;
  const groups = ipv6Groups(ip.split('%')[0]!);
  if (!groups) return ip;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
  }
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
}
