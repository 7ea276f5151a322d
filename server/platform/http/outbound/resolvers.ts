// How host names of outbound requests are resolved. getaddrinfo (dns.lookup) runs on libuv's
// thread pool, four threads shared with file reads and password hashing, and holds its thread for
// as long as the name's DNS server takes to answer; a user-supplied name is therefore resolved
// over DNS on the event loop (c-ares), with a bounded wait. The operator's allow-listed names keep
// the system resolver, so /etc/hosts entries for internal services go on working.
import { promises as dns } from 'node:dns';
import { normalizeHost, type AllowList } from './ip-policy.js';
import type { ResolvedAddress, Resolver } from './types.js';

/** Per query try, and tries per query: a silent DNS server costs a lookup ~2 × 2 s at most. */
const DNS_TIMEOUT_MS = 2000;
const DNS_TRIES = 2;

/** Every address the system resolver (getaddrinfo, /etc/hosts included) gives for `hostname`. */
export const systemResolver: Resolver = async (hostname) => {
  const answers = await dns.lookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/** The two queries a DNS resolver answers (dns.promises.Resolver's; injectable for tests). */
export interface AddressQueries {
  resolve4(hostname: string): Promise<string[]>;
  resolve6(hostname: string): Promise<string[]>;
}

export interface DnsResolverOptions {
  /** `host:port` of the DNS servers to ask; default: the system's (/etc/resolv.conf). */
  servers?: readonly string[];
  timeoutMs?: number;
  tries?: number;
  resolver?: AddressQueries;
}

/** A and AAAA records over DNS, asked together; rejects (the A query's error first) when neither has any. */
export function createDnsResolver(options: DnsResolverOptions = {}): Resolver {
  const queries = options.resolver ?? newResolver(options);
  return async (hostname) => {
    const [v4, v6] = await Promise.allSettled([queries.resolve4(hostname), queries.resolve6(hostname)]);
    const answers: ResolvedAddress[] = [];
    if (v4.status === 'fulfilled') for (const address of v4.value) answers.push({ address, family: 4 });
    if (v6.status === 'fulfilled') for (const address of v6.value) answers.push({ address, family: 6 });
    if (answers.length > 0) return answers;
    throw firstError(v4, v6, hostname);
  };
}

function newResolver(options: DnsResolverOptions): AddressQueries {
  const resolver = new dns.Resolver({ timeout: options.timeoutMs ?? DNS_TIMEOUT_MS, tries: options.tries ?? DNS_TRIES });
  if (options.servers) resolver.setServers([...options.servers]);
  return resolver;
}

/** The error to report: a timeout or failure before "no such name", and ENOTFOUND when both had no records. */
function firstError(v4: PromiseSettledResult<string[]>, v6: PromiseSettledResult<string[]>, hostname: string): Error {
  const errors = [v4, v6].flatMap((r) => (r.status === 'rejected' ? [r.reason as NodeJS.ErrnoException] : []));
  const telling = errors.find((e) => e.code !== 'ENODATA' && e.code !== 'ENOTFOUND');
  if (telling) return telling;
  return Object.assign(new Error(`queryA ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname });
}

/** The default: allow-listed names through the system resolver, every other name over DNS. */
export function defaultResolver(allow: AllowList, options: DnsResolverOptions = {}): Resolver {
  const overDns = createDnsResolver(options);
  return (hostname) => (allow.hosts.has(normalizeHost(hostname)) ? systemResolver(hostname) : overDns(hostname));
}
