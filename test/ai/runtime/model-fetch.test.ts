// The model client's fetch (node:http under the openai package): bodies and headers carried both
// ways, a streamed body read as it comes, a 204 without a body, an abort mid-stream, a refused
// connection and an unsupported protocol rejected. eventStreamFetch: a successful event stream's
// body left as the Node stream (taken once), every other answer's body as usual.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventStreamFetch, modelFetch, takeEventStream } from '../../../server/ai/runtime/model-fetch.js';

let server: Server;
let base = '';
const seen: { method: string; headers: Record<string, unknown>; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (p: Buffer) => parts.push(p));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', headers: req.headers, body: Buffer.concat(parts).toString('utf8') });
      if (req.url === '/empty') return res.writeHead(204).end();
      if (req.url === '/stream') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: one\n\n');
        setTimeout(() => res.end('data: two\n\n'), 50);
        return;
      }
      if (req.url === '/refused') return res.writeHead(429, { 'content-type': 'text/event-stream' }).end('{"error":{"message":"slow down"}}');
      if (req.url === '/hang') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: first\n\n');
        return; // never ends: the client aborts
      }
      res.writeHead(201, { 'content-type': 'application/json', 'x-request-id': 'req_1' }).end(JSON.stringify({ ok: true }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('modelFetch', () => {
  it('sends the method, headers and body, and answers with status, headers and body', async () => {
    const response = await modelFetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer sk-x', 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-request-id')).toBe('req_1');
    expect(await response.json()).toEqual({ ok: true });
    expect(seen.at(-1)).toMatchObject({ method: 'POST', body: '{"a":1}', headers: { authorization: 'Bearer sk-x', 'content-type': 'application/json' } });
  });

  it('passes a streamed body on as it arrives', async () => {
    const response = await modelFetch(new URL(`${base}/stream`));
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    const first = await reader.read();
    expect(decoder.decode(first.value)).toBe('data: one\n\n');
    let rest = '';
    for (let part = await reader.read(); !part.done; part = await reader.read()) rest += decoder.decode(part.value);
    expect(rest).toBe('data: two\n\n');
  });

  it('answers a 204 with no body, and carries a byte body', async () => {
    const response = await modelFetch(`${base}/empty`, { method: 'POST', body: new TextEncoder().encode('bytes') });
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
    expect(seen.at(-1)?.body).toBe('bytes');
  });

  it('ends a stream when its signal aborts', async () => {
    const controller = new AbortController();
    const response = await modelFetch(`${base}/hang`, { signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await expect(reader.read()).rejects.toThrow();
  });

  it('rejects a refused connection, an aborted request and a protocol it does not speak', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(modelFetch(`http://127.0.0.1:${port}/v1`)).rejects.toThrow(/ECONNREFUSED/);
    await expect(modelFetch(`${base}/x`, { signal: AbortSignal.abort() })).rejects.toThrow(/abort/i);
    await expect(modelFetch('ftp://127.0.0.1/v1')).rejects.toThrow(/unsupported protocol/);
  });

  it('eventStreamFetch leaves a successful event stream as the Node stream, taken once, and carries every other body', async () => {
    const streamed = await eventStreamFetch(`${base}/stream`, { method: 'POST', body: '{}' });
    expect(streamed.status).toBe(200);
    expect(streamed.headers.get('content-type')).toBe('text/event-stream');
    expect(streamed.body).toBeNull();
    const node = takeEventStream(streamed);
    expect(node).not.toBeNull();
    expect(takeEventStream(streamed)).toBeNull();
    node!.setEncoding('utf8');
    let text = '';
    for await (const part of node!) text += part as string;
    expect(text).toBe('data: one\n\ndata: two\n\n');

    const json = await eventStreamFetch(`${base}/v1/chat/completions`, { method: 'POST', body: '{}' });
    expect(takeEventStream(json)).toBeNull();
    expect(await json.json()).toEqual({ ok: true });

    // An error status keeps its body for the SDK to read, whatever its content type.
    const refused = await eventStreamFetch(`${base}/refused`);
    expect(refused.status).toBe(429);
    expect(takeEventStream(refused)).toBeNull();
    expect(await refused.text()).toContain('slow down');
  });
});
