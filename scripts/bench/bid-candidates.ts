// The RTB answer's ordering of the bids (bidCandidates, server/inbound/webhooks/candidates.ts):
// what ordering N bids and pricing each runner-up costs, on the voice webhook's answer path after
// every auction. Pure CPU, one process; bids with amounts 1–100, ties included, second price.
//
//   npx tsx scripts/bench/bid-candidates.ts [--bids 10,100,500] [--runs 2000]
import { parseArgs } from 'node:util';
import { formatMoney } from '../../server/inbound/calls/money.js';
import { bidCandidates, type AuctionPricing, type StoredBid } from '../../server/inbound/webhooks/candidates.js';
import { percentile } from './load.js';
import { markdownTable } from './markdown-table.js';

const { values: args } = parseArgs({ options: { bids: { type: 'string', default: '10,100,500' }, runs: { type: 'string', default: '2000' } } });
const RUNS = Number(args.runs);

function auction(n: number): StoredBid[] {
  return Array.from({ length: n }, (_, i) => ({
    targetId: i + 1,
    amount: formatMoney(BigInt(1 + ((i * 37) % 100)) * 10_000n + 2_500n),
    destination: `+1212555${String(i).padStart(4, '0')}`,
    durationSec: 60,
    responseTimeMs: (i * 13) % 50,
    priority: 1 + (i % 3),
    isWinner: i === 0,
    minBid: '1.0000',
  }));
}

const pricing: AuctionPricing = { auctionType: 'second_price', clearingPrice: '50.0000' };
const rows: string[][] = [];
for (const n of args.bids.split(',').map(Number)) {
  const bids = auction(n);
  for (let i = 0; i < 200; i += 1) bidCandidates(bids, pricing);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const start = performance.now();
    bidCandidates(bids, pricing);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  rows.push([String(n), String(RUNS), percentile(times, 50).toFixed(3), percentile(times, 99).toFixed(3)]);
}
console.log(`bidCandidates: order and price N bids (second price), ${RUNS} runs each, after 200 warm-up runs`);
for (const line of markdownTable(['bids', 'runs', 'p50 ms', 'p99 ms'], rows, (c) => c === 0)) console.log(line);
