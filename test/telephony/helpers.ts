// Test doubles for the Twilio adapter: a Prism mock of Twilio's own OpenAPI description, and a
// recording fake (a local HTTP server that captures exactly what the library sends and answers
// whatever the test says).
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import path from 'node:path';

// Twilio's own OpenAPI description (twilio-oai, MIT), as shipped in the dev dependency @twilio-alpha/mcp.
export const TWILIO_SPEC = path.resolve('node_modules', '@twilio-alpha', 'mcp', 'twilio-oai', 'spec', 'json', 'twilio_api_v2010.json');
export const PRISM_BIN = path.resolve('node_modules', '.bin', 'prism');

export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface PrismMock {
  baseUrl: string;
  log: () => string;
  stop(): Promise<void>;
}

/** `prism mock` on Twilio's spec; resolves once it listens. `errors`: the --errors flag. */
export async function startPrism(options: { errors: boolean; timeoutMs?: number }): Promise<PrismMock> {
  const port = await freePort();
  const args = ['mock', '-p', String(port), '-h', '127.0.0.1', ...(options.errors ? ['--errors'] : []), TWILIO_SPEC];
  const child: ChildProcess = spawn(PRISM_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`prism did not start within ${options.timeoutMs ?? 45_000} ms:\n${output.slice(-2000)}`));
    }, options.timeoutMs ?? 45_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Prism is listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`prism exited with ${code}:\n${output.slice(-2000)}`));
    });
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    log: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(killer);
      }
    },
  };
}

/** Prism's `sl-violations` header, keeping only violations of the *request* (ours). */
export function requestViolations(headers: Record<string, unknown>): unknown[] {
  const raw = headers['sl-violations'];
  if (typeof raw !== 'string') return [];
  const all = JSON.parse(raw) as { location?: string[] }[];
  return all.filter((v) => v.location?.[0] !== 'response');
}

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  /** The form body as ordered [key, value] pairs. */
  form: [string, string][];
}

export interface FakeAnswer {
  status?: number;
  body?: unknown;
}

export interface RecordingFake {
  baseUrl: string;
  requests: FakeRequest[];
  answer: (request: FakeRequest) => FakeAnswer;
  close(): Promise<void>;
}

export async function startRecordingFake(answer: RecordingFake['answer'] = () => ({ status: 200, body: {} })): Promise<RecordingFake> {
  const requests: FakeRequest[] = [];
  const fake = { requests, answer } as RecordingFake;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const request: FakeRequest = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
        form: [...new URLSearchParams(body).entries()],
      };
      requests.push(request);
      const { status = 200, body: out } = fake.answer(request);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(out === undefined ? '' : JSON.stringify(out));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}

/** Twilio's legacy error body. */
export function twilioError(status: number, code: number, message: string) {
  return { status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
}
