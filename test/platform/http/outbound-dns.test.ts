// How the guarded client resolves a user-supplied host name: over DNS on the event loop (c-ares),
// never with getaddrinfo, whose calls each hold one of libuv's four pool threads for as long as the
// name's DNS server keeps them waiting — a tenant with a slow DNS server for its bid endpoint would
// otherwise stall every file read, password hash and other tenant's lookup in the process.
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import { promises as dnsPromises } from 'node:dns';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDnsResolver } from '../../../server/platform/http/outbound/resolvers.js';
import { createOutboundPolicy } from '../../../server/platform/http/outbound/url-policy.js';

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A DNS server on 127.0.0.1 that takes every query and never answers. */
async function silentDnsServer(): Promise<{ address: string; queries: () => number }> {
  const socket = dgram.createSocket('udp4');
  let queries = 0;
  socket.on('message', () => {
    queries += 1;
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return { address: `127.0.0.1:${socket.address().port}`, queries: () => queries };
}

/** A task on libuv's thread pool (as fs, crypto.pbkdf2 and getaddrinfo are); resolves with its ms. */
function poolTask(): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) =>
    crypto.pbkdf2('p', 's', 1, 32, 'sha256', (err) => (err ? reject(err) : resolve(performance.now() - started))),
  );
}

describe('resolving user-supplied host names', () => {
  it('the default policy resolves a name that is not allow-listed without getaddrinfo', async () => {
    const lookup = vi.spyOn(dnsPromises, 'lookup');
    const policy = createOutboundPolicy([]);
    await policy.resolve!('bids.invalid').catch(() => undefined);
    expect(lookup).not.toHaveBeenCalled();
  });

  it('an operator’s allow-listed host name still goes through the system resolver (/etc/hosts)', async () => {
    const policy = createOutboundPolicy(['localhost']);
    const answers = await policy.resolve!('localhost');
    expect(answers.map((a) => a.address)).toContain('127.0.0.1');
  });

  it('twenty lookups held by a silent DNS server leave the thread pool free and fail by their timeout', async () => {
    const dns = await silentDnsServer();
    const resolve = createDnsResolver({ servers: [dns.address], timeoutMs: 400, tries: 1 });
    const started = performance.now();
    const pending = Array.from({ length: 20 }, (_, i) => resolve(`slow-${i}.example`).then(() => 'resolved', (err: NodeJS.ErrnoException) => err.code));
    // While all twenty wait, the pool's threads are free: a pool task runs at once.
    expect(await poolTask()).toBeLessThan(200);
    const outcomes = await Promise.all(pending);
    expect(new Set(outcomes)).toEqual(new Set(['ETIMEOUT']));
    expect(performance.now() - started).toBeLessThan(3000);
    expect(dns.queries()).toBeGreaterThanOrEqual(20);
  });

  it('answers every address of both families, and ENOTFOUND for a name with none', async () => {
    const fake = {
      resolve4: async (name: string) => (name === 'dual.example' ? ['93.184.216.34'] : Promise.reject(Object.assign(new Error('no'), { code: 'ENOTFOUND' }))),
      resolve6: async (name: string) => (name === 'dual.example' ? ['2606:2800:220:1::1'] : Promise.reject(Object.assign(new Error('no'), { code: 'ENODATA' }))),
    };
    const withFake = createDnsResolver({ resolver: fake });
    expect(await withFake('dual.example')).toEqual([
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800:220:1::1', family: 6 },
    ]);
    await expect(withFake('none.example')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });
});
