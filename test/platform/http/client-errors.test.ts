// Requests Node's HTTP parser refuses before Fastify sees them (a malformed header line, a bad
// Content-Length, headers over the size limit): sent as raw bytes over a socket, answered in the
// API's error format, and the connection is closed.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The server closed the connection after its answer. */
  closed: boolean;
}

/** Write `bytes` on a fresh connection and read until the server closes it (or 5 s pass). */
function sendBytes(bytes: string): Promise<RawAnswer> {
  const { port } = new URL(t.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(bytes));
    let received = '';
    let closed = false;
    const timer = setTimeout(() => socket.destroy(), 5000);
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('end', () => (closed = true));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const [head = '', ...rest] = received.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(statusLine)?.[1]);
      if (!status) return reject(new Error(`no HTTP answer: ${JSON.stringify(received.slice(0, 200))}`));
      const headers = Object.fromEntries(
        headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
      );
      resolve({ status, headers, body: rest.join('\r\n\r\n'), closed });
    });
  });
}

function expectErrorFormat(answer: RawAnswer, details: Record<string, string>): void {
  expect(answer.headers['content-type']).toMatch(/^application\/json/);
  expect(Number(answer.headers['content-length'])).toBe(Buffer.byteLength(answer.body));
  expect(answer.headers.connection).toBe('close');
  expect(answer.headers['x-api-version']).toBe('v1');
  expect(answer.headers['x-content-type-options']).toBe('nosniff');
  const body = JSON.parse(answer.body) as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(['code', 'details', 'error', 'requestId', 'timestamp']);
  expect(body).toMatchObject({ error: expect.any(String), details });
  expect(body.requestId).toBe(answer.headers['x-request-id']);
  expect(new Date(body.timestamp as string).toISOString()).toBe(body.timestamp);
  expect(answer.closed).toBe(true);
}

describe('malformed HTTP at the connection level', () => {
  it('answers a header line without a colon with 400 VALIDATION_ERROR in the error format, then closes', async () => {
    const answer = await sendBytes('GET /health/live HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n');
    expect(answer.status).toBe(400);
    expectErrorFormat(answer, { request: expect.any(String) as unknown as string });
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'VALIDATION_ERROR' });
  });

  it('answers a Content-Length that is not a number with 400 VALIDATION_ERROR', async () => {
    const answer = await sendBytes('POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}');
    expect(answer.status).toBe(400);
    expectErrorFormat(answer, { request: expect.any(String) as unknown as string });
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'VALIDATION_ERROR' });
  });

  it('answers a request line that is not HTTP with 400 VALIDATION_ERROR', async () => {
    const answer = await sendBytes('NOT HTTP AT ALL\r\n\r\n');
    expect(answer.status).toBe(400);
    expectErrorFormat(answer, { request: expect.any(String) as unknown as string });
  });

  it('answers headers over the size limit with 431 HEADERS_TOO_LARGE naming the headers', async () => {
    const answer = await sendBytes(`GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(32 * 1024)}\r\n\r\n`);
    expect(answer.status).toBe(431);
    expectErrorFormat(answer, { headers: expect.any(String) as unknown as string });
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'HEADERS_TOO_LARGE' });
  });

  it('still serves well-formed requests on other connections', async () => {
    const response = await fetch(`${t.url}/health/live`);
    expect(response.status).toBe(200);
  });
});
