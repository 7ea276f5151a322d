// Live events benchmark (issue 19): two server processes on one PostgreSQL (the Socket.IO
// PostgreSQL adapter; `--transport redis` for the Redis streams adapter), `--clients` stock
// socket.io-client connections spread over both instances and `--orgs` organisations, and
// `--rate` events a second published half on each instance to an organisation's room (round-robin
// over the organisations: each event reaches that organisation's clients on both instances).
// Measured: delivery latency (publish → client callback, one machine clock) p50 / p99 / max,
// deliveries a second, lost events, and the servers' RSS before and after the load.
//
//   npx tsx scripts/bench/events.ts [--clients 2000] [--orgs 100] [--rate 1000] [--seconds 20]
//                                   [--transport postgres|redis] [--database-url URL] [--redis-url URL]
import { type ChildProcess, fork } from 'node:child_process';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { io, type Socket } from 'socket.io-client';
import { openDatabase } from '../../db/connection.js';
import { migrateToLatest } from '../../db/migrate.js';
import { createBenchSchema, dropBenchSchema } from './load.js';
import { markdownTable } from './markdown-table.js';

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '2000' },
    orgs: { type: 'string', default: '100' },
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '20' },
    transport: { type: 'string', default: 'postgres' },
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
    'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379' },
  },
});
const CLIENTS = Number(args.clients);
const ORGS = Number(args.orgs);
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const TRANSPORT = args.transport === 'redis' ? 'redis' : 'postgres';
const PASSWORD = 'bench-password-0123';

interface Server {
  child: ChildProcess;
  port: number;
  url: string;
}

function ask<T>(child: ChildProcess, message: object, key: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (answer: Record<string, unknown>) => {
      if (key in answer) {
        child.off('message', onMessage);
        resolve(answer as T);
      }
    };
    child.on('message', onMessage);
    if (Object.keys(message).length > 0) child.send(message);
  });
}

async function startServer(schema: string): Promise<Server> {
  const child = fork('scripts/bench/events-server.ts', [args['database-url']!, schema, TRANSPORT, args['redis-url']!], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { port } = await ask<{ port: number }>(child, {}, 'port');
  return { child, port, url: `http://127.0.0.1:${port}` };
}

async function json(url: string, body: object, cookie?: string): Promise<{ data: Record<string, unknown>; cookie: string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) }, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return { data: (await res.json()) as Record<string, unknown>, cookie: res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ') };
}

/** An organisation with a manager API key; its id. */
async function organisation(base: string, i: number): Promise<{ orgId: string; key: string }> {
  const email = `bench-events-${process.pid}-${i}@example.com`;
  const registered = await json(`${base}/api/auth/register`, { organizationName: `Events ${i}`, email, password: PASSWORD });
  const key = await json(`${base}/api/api-keys`, { name: 'bench', role: 'manager' }, registered.cookie);
  return { orgId: (registered.data.organization as { id: string }).id, key: key.data.key as string };
}

function connectedOrThrow(socket: Socket): Promise<void> {
  if (socket.connected) return Promise.resolve();
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const schema = `bench_events_${process.pid}`;
await createBenchSchema(args['database-url']!, schema);
const database = await openDatabase({ databaseUrl: args['database-url'], searchPath: schema, poolSize: 2 });
await migrateToLatest(database.db, schema);
await database.close();
const servers: Server[] = [];
const sockets: Socket[] = [];
try {
  servers.push(await startServer(schema), await startServer(schema));
  console.error(`  two instances on :${servers[0]!.port} and :${servers[1]!.port} (${TRANSPORT} adapter); ${ORGS} organisations…`);
  const orgs: Array<{ orgId: string; key: string }> = [];
  for (let i = 0; i < ORGS; i += 10) orgs.push(...(await Promise.all(Array.from({ length: Math.min(10, ORGS - i) }, (_, j) => organisation(servers[0]!.url, i + j)))));
  if (orgs.some((o) => !o.orgId)) throw new Error('register answered no organisation id');

  console.error(`  connecting ${CLIENTS} clients…`);
  const latencies = new Float64Array(Math.ceil(RATE * SECONDS * (CLIENTS / ORGS) * 1.2) + 1000);
  let received = 0;
  let measuring = false;
  const clientsPerOrg = new Map<string, number>();
  for (let i = 0; i < CLIENTS; i += 1) {
    const org = orgs[i % ORGS]!;
    clientsPerOrg.set(org.orgId, (clientsPerOrg.get(org.orgId) ?? 0) + 1);
    const socket = io(servers[i % 2]!.url, { transports: ['websocket'], auth: { token: org.key }, reconnection: false, forceNew: true });
    socket.on('analytics_update', (event: { value: number }) => {
      if (!measuring) return;
      if (received < latencies.length) latencies[received] = Date.now() - event.value;
      received += 1;
    });
    sockets.push(socket);
    if (i % 100 === 99) await Promise.all(sockets.slice(-100).map(connectedOrThrow));
  }
  await Promise.all(sockets.map(connectedOrThrow));
  await new Promise((r) => setTimeout(r, 1000));
  const rssBefore = await Promise.all(servers.map((s) => ask<{ rss: number }>(s.child, { cmd: 'rss' }, 'rss')));

  console.error(`  publishing ${RATE} events/s for ${SECONDS} s…`);
  measuring = true;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const done = await Promise.all(
    servers.map((s) => ask<{ published: number }>(s.child, { cmd: 'publish', rate: RATE / 2, seconds: SECONDS, orgIds: orgs.map((o) => o.orgId) }, 'published')),
  );
  await new Promise((r) => setTimeout(r, 2000)); // late deliveries
  measuring = false;
  const elapsed = (performance.now() - started) / 1000 - 2;
  const driverCpu = process.cpuUsage(cpuBefore);
  const rssAfter = await Promise.all(servers.map((s) => ask<{ rss: number }>(s.child, { cmd: 'rss' }, 'rss')));

  const published = done.reduce((sum, d) => sum + d.published, 0);
  // Each instance publishes round-robin over the organisations from the first: expected deliveries.
  const ids = orgs.map((o) => o.orgId);
  let expected = 0;
  for (const d of done) for (let i = 0; i < d.published; i += 1) expected += clientsPerOrg.get(ids[i % ids.length]!) ?? 0;
  const sorted = latencies.slice(0, Math.min(received, latencies.length)).sort();
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
  const cpus = os.cpus();
  console.log(
    `\nLive events benchmark: ${cpus.length} × ${cpus[0]?.model.trim() ?? 'cpu'}, Node ${process.version}; two server processes (${TRANSPORT} adapter), ` +
      `${CLIENTS} socket.io-client connections in this process (websocket), ${ORGS} organisations (${CLIENTS / ORGS} clients each, half on each instance); load average after ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  const p99 = percentile(sorted, 99);
  const rows = [
    [
      String(CLIENTS),
      `${(published / elapsed).toFixed(0)}`,
      `${(received / elapsed).toFixed(0)}`,
      `${expected - received}`,
      percentile(sorted, 50).toFixed(1),
      p99.toFixed(1),
      (sorted.length ? sorted[sorted.length - 1]! : NaN).toFixed(0),
      servers.map((_, i) => `${mb(rssBefore[i]!.rss)} → ${mb(rssAfter[i]!.rss)}`).join(', '),
      `${((driverCpu.user + driverCpu.system) / 1e6 / elapsed).toFixed(2)}`,
      p99 <= 50 && expected === received ? 'yes' : 'no',
    ],
  ];
  for (const line of markdownTable(
    ['clients', 'events/s', 'deliveries/s', 'lost', 'p50 ms', 'p99 ms', 'max ms', 'server RSS MB (before → after)', 'client process CPU', 'p99 ≤ 50 ms, none lost'],
    rows,
    () => false,
  ))
    console.log(line);
} finally {
  for (const s of sockets) s.close();
  for (const s of servers) s.child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  await dropBenchSchema(args['database-url']!, schema);
}
