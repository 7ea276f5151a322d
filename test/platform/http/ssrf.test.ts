// The SSRF guard for outbound requests to user-supplied URLs: the address policy, the save-time
// URL check, and the guarded client against local servers (which the allow-list must let through
// explicitly, and which must never be reached otherwise).
import http from 'node:http';
import net from 'node:net';
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import {
  OUTBOUND_BLOCKED,
  createGuardedDispatcher,
  guardedRequest,
  readBodyCapped,
  type OutboundRequest,
} from '../../../server/platform/http/outbound/guarded-client.js';
import { isAllowListed, isBlockedAddress, parseAllowList } from '../../../server/platform/http/outbound/ip-policy.js';
import { checkOutboundUrl, createOutboundPolicy, type OutboundPolicy, type Resolver } from '../../../server/platform/http/outbound/url-policy.js';

// ---------------------------------------------------------------------------------------------
// Fixtures

/** A fake DNS: names that resolve to private addresses, and one that resolves publicly. */
const FAKE_DNS: Record<string, string[]> = {
  'evil.example': ['127.0.0.1'],
  'evil6.example': ['::1'],
  'metadata.example': ['169.254.169.254'],
  'lan.example': ['192.168.1.10'],
  'mapped.example': ['::ffff:127.0.0.1'],
  'mixed.example': ['93.184.216.34', '10.0.0.7'],
  'good.example': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
};
const fakeResolver: Resolver = async (hostname) => {
  const addresses = FAKE_DNS[hostname.toLowerCase()];
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return addresses.map((address) => ({ address, family: address.includes(':') ? (6 as const) : (4 as const) }));
};

function policy(allow: string[] = [], resolve: Resolver = fakeResolver): OutboundPolicy {
  return createOutboundPolicy(allow, { resolve });
}

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface TestServer {
  port: number;
  /** TCP connections accepted so far. */
  connections: () => number;
}

/** An HTTP server on `host` (default: dual-stack '::', so 127/8, ::1 and mapped forms all land). */
async function startServer(handler: http.RequestListener, host = '::'): Promise<TestServer> {
  const server = http.createServer(handler);
  let connections = 0;
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  cleanups.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  );
  return { port: (server.address() as net.AddressInfo).port, connections: () => connections };
}

/** A raw TCP server, for misbehaving peers. */
async function startTcpServer(onSocket: (socket: net.Socket) => void): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(resolve);
      }),
  );
  return { port: (server.address() as net.AddressInfo).port, connections: () => connections };
}

function dispatcherFor(p: OutboundPolicy, options?: Parameters<typeof createGuardedDispatcher>[1]): Dispatcher {
  const dispatcher = createGuardedDispatcher(p, options);
  cleanups.push(() => dispatcher.destroy());
  return dispatcher;
}

function request(p: OutboundPolicy, url: string, extra: Partial<OutboundRequest> = {}): OutboundRequest {
  return { url, method: 'GET', timeoutMs: 2000, maxBodyBytes: 65_536, policy: p, ...extra };
}

const json = (status: number, body: unknown): http.RequestListener => (_req, res) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

// ---------------------------------------------------------------------------------------------
// The address policy (pure)

describe('isBlockedAddress', () => {
  it.each([
    ['loopback', '127.0.0.1'],
    ['loopback, anywhere in 127/8', '127.1.2.3'],
    ['loopback, top of 127/8', '127.255.255.254'],
    ['IPv6 loopback', '::1'],
    ['IPv6 loopback, long form', '0:0:0:0:0:0:0:1'],
    ['unspecified', '0.0.0.0'],
    ['0/8', '0.1.2.3'],
    ['IPv6 unspecified', '::'],
    ['10/8', '10.0.0.1'],
    ['10/8, top', '10.255.255.255'],
    ['172.16/12, bottom', '172.16.0.1'],
    ['172.16/12, top', '172.31.255.255'],
    ['192.168/16', '192.168.1.1'],
    ['100.64/10 CGNAT', '100.64.0.1'],
    ['100.64/10 CGNAT, top', '100.127.255.255'],
    ['link-local', '169.254.1.1'],
    ['cloud metadata', '169.254.169.254'],
    ['192.0.0/24', '192.0.0.170'],
    ['198.18/15 benchmarking', '198.19.255.1'],
    ['multicast', '224.0.0.1'],
    ['multicast, top', '239.255.255.250'],
    ['reserved 240/4', '240.0.0.1'],
    ['broadcast', '255.255.255.255'],
    ['unique local fc00::/7', 'fc00::1'],
    ['unique local fd..', 'fd12:3456:789a::1'],
    ['IPv6 link-local', 'fe80::1'],
    ['IPv6 link-local with a zone', 'fe80::1%eth0'],
    ['IPv6 link-local, top of fe80::/10', 'febf::1'],
    ['IPv6 multicast', 'ff02::1'],
    ['IPv4-mapped loopback, dotted', '::ffff:127.0.0.1'],
    ['IPv4-mapped loopback, hex', '::ffff:7f00:1'],
    ['IPv4-mapped metadata', '::ffff:169.254.169.254'],
    ['IPv4-mapped private, long form', '0:0:0:0:0:ffff:a00:1'],
    ['IPv4-compatible loopback', '::127.0.0.1'],
    ['NAT64 loopback', '64:ff9b::127.0.0.1'],
    ['NAT64 private, hex', '64:ff9b::c0a8:101'],
    ['6to4 of loopback', '2002:7f00:1::1'],
    ['IPv6 documentation', '2001:db8::1'],
    ['bracketed', '[::1]'],
    ['not an address at all (refused: cannot be judged)', 'example.com'],
    ['a non-canonical IPv4 form (the URL parser normalises these first)', '0177.0.0.1'],
  ])('blocks %s: %s', (_label, ip) => {
    expect(isBlockedAddress(ip)).toBe(true);
  });

  it.each([
    ['public IPv4', '93.184.216.34'],
    ['just past 172.16/12', '172.32.0.1'],
    ['just before 172.16/12', '172.15.255.255'],
    ['just past 100.64/10', '100.128.0.1'],
    ['just past 169.254/16', '169.255.0.1'],
    ['just past 192.168/16', '192.169.0.1'],
    ['11/8', '11.0.0.1'],
    ['public DNS', '8.8.8.8'],
    ['public IPv6', '2606:4700::1111'],
    ['IPv4-mapped public', '::ffff:8.8.8.8'],
    ['NAT64 of a public address', '64:ff9b::808:808'],
    ['6to4 of a public address', '2002:808:808::1'],
  ])('allows %s: %s', (_label, ip) => {
    expect(isBlockedAddress(ip)).toBe(false);
  });
});

describe('parseAllowList / isAllowListed', () => {
  const allow = parseAllowList(['127.0.0.1', '10.1.0.0/16', 'Bidder.Corp.', 'fd00::/8', '::1']);

  it.each([
    ['a listed IP', '127.0.0.1', undefined, true],
    ['a listed IP, IPv4-mapped', '[::ffff:127.0.0.1]', undefined, true],
    ['another loopback address', '127.0.0.2', undefined, false],
    ['inside a listed IPv4 CIDR', '10.1.255.1', undefined, true],
    ['outside a listed IPv4 CIDR', '10.2.0.1', undefined, false],
    ['a listed host name, case-insensitively', 'BIDDER.corp', undefined, true],
    ['a listed host name with a trailing dot', 'bidder.corp.', undefined, true],
    ['a sub-domain of a listed name', 'x.bidder.corp', undefined, false],
    ['a name resolved into a listed CIDR', 'db.example', '10.1.2.3', true],
    ['a name resolved outside the list', 'db.example', '10.9.2.3', false],
    ['inside a listed IPv6 CIDR', '[fd12::1]', undefined, true],
    ['a listed IPv6 address', '::1', undefined, true],
    ['outside the IPv6 CIDR', 'fc00::1', undefined, false],
  ] as const)('%s: %s (%s) -> %s', (_label, host, ip, expected) => {
    expect(isAllowListed(allow, host, ip)).toBe(expected);
  });

  it('an empty list allows nothing', () => {
    const empty = parseAllowList([]);
    expect(isAllowListed(empty, '127.0.0.1')).toBe(false);
    expect(isAllowListed(empty, 'localhost', '127.0.0.1')).toBe(false);
  });

  it.each(['10.0.0.0/33', '::1/129', '10.0.0.0/x', 'http://bidder.corp', 'bid der', 'host/8'])('refuses the entry %s', (entry) => {
    expect(() => parseAllowList([entry])).toThrow(/allow-list entry/);
  });
});

// ---------------------------------------------------------------------------------------------
// Save time

describe('checkOutboundUrl (save time)', () => {
  const noAllow = policy();

  it.each([
    ['127.0.0.1', 'http://127.0.0.1/'],
    ['127.1.2.3', 'http://127.1.2.3:8080/bid'],
    ['::1', 'http://[::1]/'],
    ['0.0.0.0', 'http://0.0.0.0/'],
    ['10/8', 'http://10.0.0.1/'],
    ['172.16/12 bottom', 'http://172.16.0.1/'],
    ['172.16/12 top', 'http://172.31.255.255/'],
    ['192.168/16', 'https://192.168.0.1/'],
    ['100.64/10', 'http://100.64.0.1/'],
    ['metadata', 'http://169.254.169.254/latest/meta-data/'],
    ['fc00::/7', 'http://[fc00::1]/'],
    ['fd00::/8', 'http://[fd00::abcd]/'],
    ['fe80::/10', 'http://[fe80::1]/'],
    ['IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]/'],
    ['IPv4-mapped metadata, hex', 'http://[::ffff:a9fe:a9fe]/'],
    ['decimal', 'http://2130706433/'],
    ['octal', 'http://0177.0.0.1/'],
    ['hex', 'http://0x7f.1/'],
    ['hex, dotted', 'http://0x7f.0x0.0x0.0x1/'],
    ['short', 'http://127.1/'],
    ['decimal metadata', 'http://2852039166/'],
    ['trailing dot', 'http://127.0.0.1./'],
    ['localhost', 'http://localhost:3000/'],
    ['LOCALHOST, upper-case', 'http://LOCALHOST/'],
    ['localhost, trailing dot', 'http://localhost./'],
    ['localhost, percent-encoded', 'http://%6c%6fcalhost/'],
    ['*.localhost', 'http://api.localhost/'],
    ['*.internal', 'http://db.internal/'],
    ['GCP metadata name', 'http://metadata.google.internal/computeMetadata/v1/'],
    ['a name resolving to 127.0.0.1', 'http://evil.example/'],
    ['a name resolving to ::1', 'http://evil6.example/'],
    ['a name resolving to the metadata address', 'https://metadata.example/'],
    ['a name resolving to 192.168/16', 'http://lan.example/'],
    ['a name resolving to an IPv4-mapped loopback', 'http://mapped.example/'],
    ['a name with ANY private address', 'http://mixed.example/'],
  ])('refuses %s: %s', async (_label, url) => {
    const verdict = await checkOutboundUrl(url, noAllow);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.reason).toMatch(/private, loopback or reserved|internal host name/);
  });

  it.each(['file:///etc/passwd', 'ftp://example.com/', 'gopher://127.0.0.1:6379/_INFO', 'data:text/plain,hello', 'javascript:alert(1)', 'ws://example.com/'])(
    'refuses the scheme of %s',
    async (url) => {
      expect(await checkOutboundUrl(url, noAllow)).toEqual({ ok: false, reason: 'Only http and https URLs are allowed.' });
    },
  );

  it.each(['http://user:pass@example.com/', 'https://token@good.example/', 'http://:secret@good.example/'])('refuses credentials in %s', async (url) => {
    const verdict = await checkOutboundUrl(url, noAllow);
    expect(verdict).toMatchObject({ ok: false, reason: expect.stringMatching(/auth settings/) });
  });

  it.each(['not a url', '/relative/path', 'http://', ''])('refuses %j as not a URL', async (url) => {
    const verdict = await checkOutboundUrl(url, noAllow);
    expect(verdict.ok).toBe(false);
  });

  it.each([
    ['just past 172.16/12', 'http://172.32.0.1/'],
    ['a public IP', 'http://93.184.216.34/bid'],
    ['a public IPv6', 'http://[2606:4700::1111]/'],
    ['a name resolving to public addresses', 'https://good.example/bid?x=1'],
    ['a name that does not resolve (checked again at connect time)', 'https://not-yet-live.example/'],
  ])('accepts %s: %s', async (_label, url) => {
    const verdict = await checkOutboundUrl(url, noAllow);
    expect(verdict.ok).toBe(true);
    if (verdict.ok) expect(verdict.url.href).toBe(new URL(url).href);
  });

  it("refuses 'localhost' through the real resolver too, and accepts it when allow-listed", async () => {
    expect((await checkOutboundUrl('http://localhost/', createOutboundPolicy([]))).ok).toBe(false);
    expect((await checkOutboundUrl('http://localhost/', createOutboundPolicy(['localhost']))).ok).toBe(true);
  });

  it('accepts allow-listed hosts, IPs and CIDRs', async () => {
    expect((await checkOutboundUrl('http://127.0.0.1:4000/', policy(['127.0.0.1']))).ok).toBe(true);
    expect((await checkOutboundUrl('http://2130706433:4000/', policy(['127.0.0.1']))).ok).toBe(true);
    expect((await checkOutboundUrl('http://127.0.0.2/', policy(['127.0.0.1']))).ok).toBe(false);
    expect((await checkOutboundUrl('http://10.20.30.40/', policy(['10.0.0.0/8']))).ok).toBe(true);
    expect((await checkOutboundUrl('http://192.168.0.1/', policy(['10.0.0.0/8']))).ok).toBe(false);
    expect((await checkOutboundUrl('http://evil.example/', policy(['127.0.0.0/8']))).ok).toBe(true);
    expect((await checkOutboundUrl('http://metadata.google.internal/', policy(['metadata.google.internal']))).ok).toBe(true);
    expect((await checkOutboundUrl('http://[fd00::1]/', policy(['fd00::/8']))).ok).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Connect time

describe('guardedRequest refuses blocked destinations at connect time', () => {
  it('never connects to private, loopback or metadata addresses in any form', async () => {
    // Dual-stack on '::': a request to 127/8, ::1, 0.0.0.0 or ::ffff:127.0.0.1 would land here.
    const server = await startServer(json(200, { reached: true }));
    const p = policy();
    const dispatcher = dispatcherFor(p);
    const port = server.port;
    const urls = [
      `http://127.0.0.1:${port}/`,
      `http://127.1.2.3:${port}/`,
      `http://[::1]:${port}/`,
      `http://0.0.0.0:${port}/`,
      `http://10.0.0.1:${port}/`,
      `http://172.16.0.1:${port}/`,
      `http://172.31.255.255:${port}/`,
      `http://192.168.1.1:${port}/`,
      `http://100.64.0.1:${port}/`,
      `http://169.254.169.254:${port}/latest/meta-data/`,
      `http://[fc00::1]:${port}/`,
      `http://[fe80::1]:${port}/`,
      `http://[::ffff:127.0.0.1]:${port}/`,
      `http://2130706433:${port}/`,
      `http://0177.0.0.1:${port}/`,
      `http://0x7f.1:${port}/`,
      `http://127.1:${port}/`,
      `http://localhost:${port}/`,
      `http://evil.example:${port}/`,
      `http://evil6.example:${port}/`,
      `http://mapped.example:${port}/`,
      `http://metadata.example:${port}/`,
      `http://mixed.example:${port}/`,
    ];
    for (const url of urls) {
      const result = await guardedRequest(dispatcher, request(p, url));
      expect(result, url).toMatchObject({ ok: false, kind: 'blocked' });
      expect(result.durationMs, url).toBeLessThan(1000);
    }
    expect(server.connections()).toBe(0);
  });

  it('the dispatcher itself refuses literal IPs and resolved names, without guardedRequest', async () => {
    const server = await startServer(json(200, {}));
    const dispatcher = dispatcherFor(createOutboundPolicy([], { resolve: fakeResolver }));
    for (const origin of [`http://127.0.0.1:${server.port}`, `http://[::1]:${server.port}`, `http://evil.example:${server.port}`]) {
      await expect(dispatcher.request({ origin, path: '/', method: 'GET' }), origin).rejects.toMatchObject({ code: OUTBOUND_BLOCKED });
    }
    // 'localhost' through the default resolver: asked over DNS, not /etc/hosts, so either no
    // answer or (from a DNS server that answers it) a loopback address caught by connect.lookup.
    const system = dispatcherFor(createOutboundPolicy([]));
    const refused = await system.request({ origin: `http://localhost:${server.port}`, path: '/', method: 'GET' }).then(
      () => 'connected',
      (err: NodeJS.ErrnoException) => err.code,
    );
    expect([OUTBOUND_BLOCKED, 'ENOTFOUND']).toContain(refused);
    expect(server.connections()).toBe(0);
  });

  it('refuses a name that passed at save time but resolves privately when connecting (DNS rebinding)', async () => {
    const server = await startServer(json(200, {}));
    let calls = 0;
    const rebinding: Resolver = async () => {
      calls += 1;
      return [{ address: calls === 1 ? '93.184.216.34' : '127.0.0.1', family: 4 }];
    };
    const p = policy([], rebinding);
    const url = `http://rebind.example:${server.port}/`;
    expect((await checkOutboundUrl(url, p)).ok).toBe(true);
    const result = await guardedRequest(dispatcherFor(p), request(p, url));
    expect(result).toMatchObject({ ok: false, kind: 'blocked' });
    expect(server.connections()).toBe(0);
  });

  it.each(['file:///etc/passwd', 'ftp://127.0.0.1/', 'gopher://127.0.0.1:6379/_INFO', 'data:text/plain,hello', 'javascript:alert(1)'])(
    'refuses the scheme of %s',
    async (url) => {
      const p = policy(['127.0.0.1']);
      const result = await guardedRequest(dispatcherFor(p), request(p, url));
      expect(result).toMatchObject({ ok: false, kind: 'invalid_url', message: 'Only http and https URLs are allowed.' });
    },
  );

  it('refuses credentials in the URL and non-URLs as invalid_url', async () => {
    const p = policy(['127.0.0.1']);
    const dispatcher = dispatcherFor(p);
    expect(await guardedRequest(dispatcher, request(p, 'http://user:pw@127.0.0.1:1/'))).toMatchObject({ ok: false, kind: 'invalid_url' });
    expect(await guardedRequest(dispatcher, request(p, 'not a url'))).toMatchObject({ ok: false, kind: 'invalid_url' });
  });
});

describe('redirects are never followed', () => {
  it('returns a 302 to the metadata address as the result, without fetching it', async () => {
    const bidder = await startServer((_req, res) => {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
      res.end();
    }, '127.0.0.1');
    const p = policy(['127.0.0.1']);
    const result = await guardedRequest(dispatcherFor(p), request(p, `http://127.0.0.1:${bidder.port}/bid`));
    expect(result).toMatchObject({ ok: true, status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/' }, body: '' });
    // Following it would have meant a connect attempt (refused or timing out), not a quick answer.
    expect(result.durationMs).toBeLessThan(1000);
  });

  it('does not fetch the Location even when it is an allowed address', async () => {
    const target = await startServer(json(200, { secret: true }), '127.0.0.1');
    const bidder = await startServer((_req, res) => {
      res.writeHead(307, { location: `http://127.0.0.1:${target.port}/secret` });
      res.end();
    }, '127.0.0.1');
    const p = policy(['127.0.0.1']);
    const result = await guardedRequest(dispatcherFor(p), request(p, `http://127.0.0.1:${bidder.port}/`, { method: 'POST', body: '{}' }));
    expect(result).toMatchObject({ ok: true, status: 307 });
    expect(target.connections()).toBe(0);
  });
});

describe('the allow-list lets local servers through', () => {
  it.each([
    ['a single IP', ['127.0.0.1'], '127.0.0.1'],
    ['an IPv4 CIDR', ['127.0.0.0/8'], '127.0.0.1'],
    ['a wide IPv4 CIDR', ['0.0.0.0/0'], '127.0.0.1'],
    ['an IPv6 address', ['::1'], '[::1]'],
    ['an IPv6 CIDR', ['::/64'], '[::1]'],
    ['an IPv4 CIDR, for an IPv4-mapped address', ['127.0.0.0/8'], '[::ffff:127.0.0.1]'],
    ['a host name', ['localhost'], 'localhost'],
    ['a CIDR, for a name resolving into it', ['127.0.0.0/8'], 'evil.example'],
  ])('%s', async (_label, allow, host) => {
    const server = await startServer(json(200, { ok: 1 }));
    const p = policy(allow, host === 'localhost' ? createOutboundPolicy(allow).resolve : fakeResolver);
    const result = await guardedRequest(dispatcherFor(p), request(p, `http://${host}:${server.port}/`));
    expect(result).toMatchObject({ ok: true, status: 200, body: '{"ok":1}' });
    expect(server.connections()).toBe(1);
  });

  it('a list that does not cover the address still blocks it', async () => {
    const server = await startServer(json(200, {}));
    for (const allow of [['10.0.0.0/8'], ['127.0.0.2'], ['fc00::/7'], ['other.example']]) {
      const p = policy(allow);
      const result = await guardedRequest(dispatcherFor(p), request(p, `http://127.0.0.1:${server.port}/`));
      expect(result, allow.join()).toMatchObject({ ok: false, kind: 'blocked' });
    }
    expect(server.connections()).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Behaviour against local (allow-listed) servers

describe('guardedRequest behaviour', () => {
  const p = policy(['127.0.0.1']);

  it('returns a 200 JSON response with its headers', async () => {
    const server = await startServer(json(200, { bid: 12.5, accepted: true }), '127.0.0.1');
    const result = await guardedRequest(dispatcherFor(p), request(p, `http://127.0.0.1:${server.port}/bid?campaign=1`));
    expect(result).toMatchObject({ ok: true, status: 200, headers: { 'content-type': 'application/json' } });
    if (result.ok) expect(JSON.parse(result.body)).toEqual({ bid: 12.5, accepted: true });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('sends the method, headers and body', async () => {
    let seen: { method?: string; url?: string; header?: string; body?: string } = {};
    const server = await startServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen = { method: req.method, url: req.url, header: req.headers['x-bid-token'] as string, body };
        res.writeHead(204).end();
      });
    }, '127.0.0.1');
    const result = await guardedRequest(
      dispatcherFor(p),
      request(p, `http://127.0.0.1:${server.port}/ping?a=b#frag`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'x-bid-token': 't0k' },
        body: '{"callerId":"+15551234567"}',
      }),
    );
    expect(result).toMatchObject({ ok: true, status: 204, body: '' });
    expect(seen).toEqual({ method: 'PUT', url: '/ping?a=b', header: 't0k', body: '{"callerId":"+15551234567"}' });
  });

  it('answers HEAD with an empty body', async () => {
    const server = await startServer(json(200, { x: 1 }), '127.0.0.1');
    const result = await guardedRequest(dispatcherFor(p), request(p, `http://127.0.0.1:${server.port}/`, { method: 'HEAD' }));
    expect(result).toMatchObject({ ok: true, status: 200, body: '' });
  });

  it('returns a 500 as a result, not a failure', async () => {
    const server = await startServer(json(500, { error: 'boom' }), '127.0.0.1');
    const result = await guardedRequest(dispatcherFor(p), request(p, `http://127.0.0.1:${server.port}/`));
    expect(result).toMatchObject({ ok: true, status: 500, body: '{"error":"boom"}' });
  });

  it('keeps the connection alive between requests', async () => {
    const server = await startServer(json(200, {}), '127.0.0.1');
    const dispatcher = dispatcherFor(p);
    for (let i = 0; i < 3; i++) {
      expect(await guardedRequest(dispatcher, request(p, `http://127.0.0.1:${server.port}/`))).toMatchObject({ ok: true, status: 200 });
      // undici frees the socket a tick after the body ends; a request sent sooner opens another.
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(server.connections()).toBe(1);
  });

  it('times out on a server that never answers, within timeout + 100 ms', async () => {
    const server = await startServer(() => {}, '127.0.0.1');
    const started = performance.now();
    const result = await guardedRequest(dispatcherFor(p), request(p, `http://127.0.0.1:${server.port}/`, { timeoutMs: 300 }));
    const elapsed = performance.now() - started;
    expect(result).toMatchObject({ ok: false, kind: 'timeout' });
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(400);
    expect(result.durationMs).toBeLessThan(400);
  });

  it('times out on a slow-drip body (the timeout covers the whole body)', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('x');
      const drip = setInterval(() => res.write('x'), 50);
      res.on('close', () => clearInterval(drip));
    }, '127.0.0.1');
    const started = performance.now();
    const result = await guardedRequest(dispatcherFor(p), request(p, `http://127.0.0.1:${server.port}/`, { timeoutMs: 400 }));
    const elapsed = performance.now() - started;
    expect(result).toMatchObject({ ok: false, kind: 'timeout', status: 200 });
    expect(elapsed).toBeLessThan(500);
  });

  it('stops a 10 MB chunked body at maxBodyBytes, quickly, without the server getting to send it all', async () => {
    const total = 10 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let written = 0;
    let closedEarly = false;
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.on('close', () => {
        closedEarly = written < total;
      });
      const pump = (): void => {
        while (written < total) {
          written += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      pump();
    }, '127.0.0.1');
    const result = await guardedRequest(dispatcherFor(p), request(p, `http://127.0.0.1:${server.port}/`, { maxBodyBytes: 65_536 }));
    expect(result).toMatchObject({ ok: false, kind: 'too_large', status: 200 });
    expect(result.durationMs).toBeLessThan(1000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(closedEarly).toBe(true);
    expect(written).toBeLessThan(total);
  });

  it('refuses a declared Content-Length over the cap before reading the body', async () => {
    let written = 0;
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-length': String(10 * 1024 * 1024) });
      const pump = setInterval(() => {
        written += 1024;
        res.write(Buffer.alloc(1024));
      }, 10);
      res.on('close', () => clearInterval(pump));
    }, '127.0.0.1');
    const result = await guardedRequest(dispatcherFor(p), request(p, `http://127.0.0.1:${server.port}/`, { maxBodyBytes: 65_536 }));
    expect(result).toMatchObject({ ok: false, kind: 'too_large', status: 200 });
    expect(result.durationMs).toBeLessThan(500);
    expect(written).toBeLessThan(65_536);
  });

  it('readBodyCapped pulls no more than the cap plus a chunk from a 10 MB stream', async () => {
    const chunkSize = 16 * 1024;
    let produced = 0;
    const stream = new Readable({
      highWaterMark: chunkSize,
      read() {
        produced += chunkSize;
        this.push(produced <= 10 * 1024 * 1024 ? Buffer.alloc(chunkSize) : null);
      },
    });
    expect(await readBodyCapped(stream, 65_536)).toBe('too_large');
    expect(stream.destroyed).toBe(true);
    expect(produced).toBeLessThanOrEqual(65_536 + 3 * chunkSize);
    // And under the cap it returns the whole body.
    expect((await readBodyCapped(Readable.from([Buffer.from('ab'), Buffer.from('cd')]), 4)) as Buffer).toEqual(Buffer.from('abcd'));
  });

  it('reports a connection reset before any response as connect_error or protocol_error', async () => {
    const server = await startTcpServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
    const result = await guardedRequest(dispatcherFor(p), request(p, `http://127.0.0.1:${server.port}/`));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(['connect_error', 'protocol_error']).toContain(result.kind);
    expect(server.connections()).toBeGreaterThanOrEqual(1);
  });

  it('reports a reset in the middle of the body as protocol_error with the status', async () => {
    const server = await startTcpServer((socket) =>
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\npartial');
        setTimeout(() => socket.resetAndDestroy(), 20);
      }),
    );
    const result = await guardedRequest(dispatcherFor(p), request(p, `http://127.0.0.1:${server.port}/`));
    expect(result).toMatchObject({ ok: false, kind: 'protocol_error', status: 200 });
  });

  it('reports garbage instead of HTTP as protocol_error', async () => {
    const server = await startTcpServer((socket) => socket.once('data', () => socket.end('SSH-2.0-OpenSSH_9.6\r\n')));
    const result = await guardedRequest(dispatcherFor(p), request(p, `http://127.0.0.1:${server.port}/`));
    expect(result).toMatchObject({ ok: false, kind: 'protocol_error' });
  });

  it('reports a refused connection as connect_error', async () => {
    const server = await startTcpServer(() => {});
    const port = server.port;
    await cleanups.pop()!(); // close it: nothing listens on the port any more
    const result = await guardedRequest(dispatcherFor(p), request(p, `http://127.0.0.1:${port}/`));
    expect(result).toMatchObject({ ok: false, kind: 'connect_error' });
  });

  it('aborts through the caller signal', async () => {
    const server = await startServer(() => {}, '127.0.0.1');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = performance.now();
    const result = await guardedRequest(
      dispatcherFor(p),
      request(p, `http://127.0.0.1:${server.port}/`, { timeoutMs: 5000, signal: controller.signal }),
    );
    expect(result).toMatchObject({ ok: false, kind: 'aborted' });
    expect(performance.now() - started).toBeLessThan(300);
    expect(server.connections()).toBe(1);
  });

  it('does not connect at all when the signal is already aborted', async () => {
    const server = await startServer(json(200, {}), '127.0.0.1');
    const result = await guardedRequest(
      dispatcherFor(p),
      request(p, `http://127.0.0.1:${server.port}/`, { signal: AbortSignal.abort() }),
    );
    expect(result).toMatchObject({ ok: false, kind: 'aborted' });
    expect(server.connections()).toBe(0);
  });
});
