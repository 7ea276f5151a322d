// Stub RTB bidders for the auction benchmark, run as a SEPARATE process (forked by auction.ts):
// N HTTP servers on 127.0.0.1, each on its own port, each answering every bid request with a
// valid seed 001 JSON bid after DELAY_MS, over keep-alive connections.
//
// Usage (forked): stub-bidders.ts <count> [delayMs]. Sends {ports} to the parent over IPC, then
// serves until the parent disconnects.
//
// The stubs time themselves: how late each answer left past DELAY_MS (their timer firing late, then
// the write), counted from the end of the bid request as this process saw it. The parent sends
// {cmd: 'lateness'} and gets the percentiles since its last ask — the part of the webhook's "RTB
// overhead" that is the bidders', not the server's.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { percentile } from './load.js';

const count = Number(process.argv[2] ?? 10);
const delayMs = Number(process.argv[3] ?? 50);

function body(port: number): string {
  const cents = 1000 + (port % 500);
  return JSON.stringify({ bidAmount: cents / 100, destinationNumber: `+1212555${String(port % 10_000).padStart(4, '0')}`, accepted: true, currency: 'USD' });
}

async function start(): Promise<number> {
  let answer = '';
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const received = performance.now();
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
        res.end(answer);
        lateness.push(performance.now() - received - delayMs);
      }, delayMs);
    });
  });
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 125_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', 1024, resolve));
  const port = (server.address() as AddressInfo).port;
  answer = body(port);
  return port;
}

let lateness: number[] = [];

process.on('message', (m: { cmd?: string }) => {
  if (m.cmd !== 'lateness') return;
  const sorted = lateness.sort((a, b) => a - b);
  lateness = [];
  process.send?.({ lateness: { answers: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN } });
});

const ports: number[] = [];
for (let i = 0; i < count; i++) ports.push(await start());
process.send?.({ ports });
process.on('disconnect', () => process.exit(0));
