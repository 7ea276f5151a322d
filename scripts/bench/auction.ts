// RTB auction overhead benchmark (DESIGN.md section 6).
//
//   npx tsx scripts/bench/auction.ts            # 10, 100, 500 bidders
//   BIDDERS=10,100 AUCTIONS=300 npx tsx scripts/bench/auction.ts
//
// N stub bidders run in a SEPARATE process (stub-bidders.ts), each on its own 127.0.0.1 port,
// answering a valid JSON bid after 50 ms over keep-alive. This process runs auctions through
// runAuction and the real transport (guarded client, allow-list 127.0.0.1, one keep-alive
// dispatcher, one process-wide p-limit, default concurrency 512).
//
// Overhead per auction = auction wall time − the slowest in-time bidder's response time as seen
// by the transport (measured around each transport call, so queueing, request building and the
// decision all count as overhead, bidder latency does not).
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pLimit from 'p-limit';
import { createGuardedDispatcher } from '../../server/platform/http/outbound/guarded-client.js';
import { createOutboundPolicy } from '../../server/platform/http/outbound/url-policy.js';
import { runAuction } from '../../server/rtb/engine/auction.js';
import { createBidTransport } from '../../server/rtb/engine/transport.js';
import type { AuctionSettings, CallContext, RtbTargetConfig, SendFn } from '../../server/rtb/engine/types.js';
import { makeTarget } from '../../test/rtb/engine/helpers.js';

// Knobs are command-line options (configuration proper is read only by server/platform/config.ts):
//   npx tsx scripts/bench/auction.ts [--bidders 10,100,500] [--concurrency 512] [--auctions N]
const { values: args } = parseArgs({
  options: { bidders: { type: 'string', default: '10,100,500' }, concurrency: { type: 'string', default: '512' }, auctions: { type: 'string' } },
});
const BIDDERS = args.bidders.split(',').map(Number);
const CONCURRENCY = Number(args.concurrency);
const BIDDER_DELAY_MS = 50;
const DEADLINE_MS = 1000;

interface Row {
  bidders: number;
  inFlight: number;
  auctions: number;
  p50: number;
  p99: number;
  max: number;
  perSecond: number;
  timeouts: number;
}

function startBidders(count: number): Promise<{ child: ChildProcess; ports: number[] }> {
  const script = fileURLToPath(new URL('./stub-bidders.ts', import.meta.url));
  const child = fork(script, [String(count), String(BIDDER_DELAY_MS)], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, ports: (m as { ports: number[] }).ports }));
    child.once('exit', (code) => reject(new Error(`stub bidders exited with ${code}`)));
  });
}

function target(id: number, port: number): RtbTargetConfig {
  return makeTarget({
    id,
    name: `stub ${port}`,
    endpointUrl: `http://127.0.0.1:${port}/bid`,
    authMethod: 'bearer',
    authToken: 'bench-token',
    timeoutMs: DEADLINE_MS,
    priority: 1 + (id % 3),
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const settings: AuctionSettings = { biddingTimeoutMs: DEADLINE_MS, minBiddersRequired: 1, callerIdRequired: false, auctionType: 'second_price' };
let seq = 0;
const context = (): CallContext => ({
  requestId: `bench_${++seq}`,
  campaignId: 'bench',
  callerId: '+12125551234',
  callerState: 'CA',
  callerZip: '90210',
  callStartTime: new Date(),
});

async function measure(targets: RtbTargetConfig[], baseSend: SendFn, limit: ReturnType<typeof pLimit>, auctions: number, inFlight: number) {
  const overheads: number[] = [];
  let timeouts = 0;
  const one = async (): Promise<void> => {
    // Per-auction: the slowest transport call that completed in time.
    let slowest = 0;
    const send: SendFn = async (request, options) => {
      const t = performance.now();
      const answer = await baseSend(request, options);
      if (answer.ok) slowest = Math.max(slowest, performance.now() - t);
      return answer;
    };
    const t0 = performance.now();
    const result = await runAuction({ context: context(), targets, settings, send, limit });
    const wall = performance.now() - t0;
    if (result.status !== 'won' || result.outcomes.some((o) => o.status !== 'bid')) timeouts++;
    overheads.push(wall - slowest);
  };
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < auctions) {
        next++;
        await one();
      }
    }),
  );
  const elapsed = performance.now() - started;
  overheads.sort((a, b) => a - b);
  return { overheads, perSecond: (auctions / elapsed) * 1000, timeouts };
}

async function benchmark(bidders: number): Promise<Row[]> {
  const { child, ports } = await startBidders(bidders);
  const policy = createOutboundPolicy(['127.0.0.1']);
  const dispatcher = createGuardedDispatcher(policy);
  const send = createBidTransport({ dispatcher, policy });
  const limit = pLimit(CONCURRENCY);
  const targets = ports.map((port, i) => target(i + 1, port));
  const rows: Row[] = [];
  try {
    const sequential = Number(args.auctions ?? (bidders <= 10 ? 400 : bidders <= 100 ? 250 : 120));
    // Warm-up: connections to every bidder, JIT.
    await measure(targets, send, limit, Math.max(20, Math.ceil(sequential / 5)), 1);
    // Sequential auctions (the overhead the design targets), then several in flight (throughput).
    const plans: Array<[number, number]> = [[sequential, 1]];
    const inFlight = Math.max(1, Math.floor(CONCURRENCY / bidders));
    if (inFlight > 1) {
      await measure(targets, send, limit, inFlight * 4, Math.min(inFlight, 32)); // warm the extra connections
      plans.push([sequential, Math.min(inFlight, 32)]);
    }
    for (const [auctions, k] of plans) {
      const { overheads, perSecond, timeouts } = await measure(targets, send, limit, auctions, k);
      rows.push({
        bidders,
        inFlight: k,
        auctions,
        p50: percentile(overheads, 50),
        p99: percentile(overheads, 99),
        max: overheads.at(-1) ?? Number.NaN,
        perSecond,
        timeouts,
      });
    }
  } finally {
    await dispatcher.close();
    child.disconnect();
    child.kill();
  }
  return rows;
}

const rows: Row[] = [];
for (const n of BIDDERS) rows.push(...(await benchmark(n)));

const header = ['bidders', 'in flight', 'auctions', 'p50 overhead ms', 'p99 overhead ms', 'max ms', 'auctions/s', 'incomplete'];
const table = rows.map((r) => [
  String(r.bidders),
  String(r.inFlight),
  String(r.auctions),
  r.p50.toFixed(2),
  r.p99.toFixed(2),
  r.max.toFixed(2),
  r.perSecond.toFixed(1),
  String(r.timeouts),
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]?.length ?? 0)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i] ?? 0)).join(' | ')} |`;
console.log(`\nRTB auction overhead (bidders answer after ${BIDDER_DELAY_MS} ms; p-limit ${CONCURRENCY}; Node ${process.version})`);
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of table) console.log(line(row));
