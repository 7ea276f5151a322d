// One instance of the events benchmark (scripts/bench/events.ts), in its own process: the real app
// over the bench schema with the PostgreSQL (or Redis streams) adapter. Driven over IPC:
//   {cmd: 'publish', rate, seconds, orgIds}  publish `rate` events a second, round-robin over the
//                                            organisations, each `analytics_update` carrying its
//                                            publish time (ms) as `value`; answers {done, published}
//   {cmd: 'rss'}                             answers {rss} (bytes)
import { openDatabase } from '../../db/connection.js';
import { orgRoom } from '../../server/platform/live/rooms.js';
import { postgresTransport, redisTransport } from '../../server/live/transport.js';
import { startBenchApp } from './bench-app.js';

const [databaseUrl, schema, transportKind, redisUrl] = process.argv.slice(2) as [string, string, 'postgres' | 'redis', string | undefined];
const database = await openDatabase({ databaseUrl, searchPath: schema, poolSize: 5 });
const transport =
  transportKind === 'redis' ? await redisTransport({ url: redisUrl ?? 'redis://127.0.0.1:6379', streamName: `ccp-bench:${schema}` }) : await postgresTransport({ connectionString: databaseUrl, searchPath: schema, channelPrefix: schema });
const bench = await startBenchApp(database.db, { DATABASE_URL: databaseUrl, RATE_LIMITS: 'general=100000000,login=100000000' }, 'bench-webhook-token-0123456789abcdef', transport);
const send = (message: object) => process.send?.(message);

process.on('message', (message: { cmd: string; rate?: number; seconds?: number; orgIds?: string[] }) => {
  if (message.cmd === 'rss') {
    global.gc?.();
    send({ rss: process.memoryUsage().rss });
    return;
  }
  if (message.cmd === 'publish') {
    const { rate = 500, seconds = 10, orgIds = [] } = message;
    const hub = bench.app.live.hub;
    const tickMs = 10;
    const perTick = rate / (1000 / tickMs);
    let owed = 0;
    let published = 0;
    let org = 0;
    const started = Date.now();
    const timer = setInterval(() => {
      const due = Math.floor(((Date.now() - started) / 1000) * rate) - published;
      owed = Math.max(0, due);
      for (let i = 0; i < owed && i < perTick * 5; i += 1) {
        const orgId = orgIds[org % orgIds.length]!;
        org += 1;
        hub.publish({ name: 'analytics_update', orgId, rooms: [orgRoom(orgId)], payload: { metric: 'callsToday', value: Date.now(), period: 'today' } });
        published += 1;
      }
      if (Date.now() - started >= seconds * 1000) {
        clearInterval(timer);
        send({ done: true, published });
      }
    }, tickMs);
  }
});
process.on('SIGTERM', () => {
  void bench.app.close().then(() => database.close()).finally(() => process.exit(0));
});
send({ ready: true, port: bench.port });
