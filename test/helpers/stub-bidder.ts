// A buyer's bid endpoint on 127.0.0.1 for tests: answers with a chosen status, body and delay,
// and records every request it got.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedBidRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface StubAnswer {
  status?: number;
  body?: unknown;
  delayMs?: number;
}

export interface StubBidder {
  url: string;
  received: ReceivedBidRequest[];
  answer: (request: ReceivedBidRequest) => StubAnswer;
  close(): Promise<void>;
}

export async function startStubBidder(answer: StubBidder['answer']): Promise<StubBidder> {
  const received: ReceivedBidRequest[] = [];
  const stub = { received, answer } as StubBidder;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      received.push(request);
      const { status = 200, body: out, delayMs = 0 } = stub.answer(request);
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(out === undefined ? '' : typeof out === 'string' ? out : JSON.stringify(out));
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bid`;
  stub.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return stub;
}

/** A seed 001-shaped bid. */
export function bid(amount: number, destination = '+12125550199', extra: Record<string, unknown> = {}) {
  return { bidAmount: amount, destinationNumber: destination, accepted: true, currency: 'USD', ...extra };
}
