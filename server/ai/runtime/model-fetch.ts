// The `fetch` the model client hands to the `openai` package (its documented `fetch` option):
// node:http / node:https with a keep-alive agent. Why not the global fetch: measured with a
// scripted model one request at a time, Node 20's built-in fetch adds p50 1.9–2.1 / p99 7–10 ms
// between the model's first chunk and the SDK's first delta; this path adds p50 1.2–1.3 / p99
// 3.9–4.3 ms and less CPU per request (docs/benchmarks.md). The SDK still builds every request and
// maps errors; this only carries bytes.
// - `eventStreamFetch` (the model client's): a successful event stream is answered with a
//   Response without a web body, its Node stream kept for `takeEventStream` and read by
//   event-stream.ts (a web stream and the SDK's reader over it cost 0.2–0.45 ms more server CPU
//   per turn under load). Every other answer (a JSON body, an error the SDK reads) carries its
//   body as a web stream.
// - `modelFetch`: every body as a web stream, as the SDK's own stream reader needs (the transport
//   benchmark, scripts/bench/ai-model-transport.ts, compares the two paths).
// AI_BASE_URL is the operator's setting, not a user's, so the guarded client for user-supplied
// URLs does not apply.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';

const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };
/** Statuses whose response may not carry a body (the Response constructor refuses one). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);
/** The bodies of successful event-stream responses, by the Response handed to the SDK. */
const eventStreams = new WeakMap<Response, IncomingMessage>();

/** The Node stream of a successful event-stream response from eventStreamFetch (once), else null. */
export function takeEventStream(response: Response): IncomingMessage | null {
  const body = eventStreams.get(response) ?? null;
  eventStreams.delete(response);
  return body;
}

const isEventStream = (res: IncomingMessage, status: number) => status >= 200 && status < 300 && /^text\/event-stream\b/i.test(res.headers['content-type'] ?? '');

function requestUrl(input: string | URL | Request): URL {
  if (typeof input === 'string') return new URL(input);
  return input instanceof URL ? input : new URL(input.url);
}

function outgoingBody(body: RequestInit['body']): string | Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  // The chat-completions requests send JSON text; anything else is a programming error here.
  throw new TypeError('the model client sends string or byte bodies only');
}

/** A fetch for the `openai` package: every body as a web stream. */
export function modelFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  return send(input, init, false);
}

/** The same, but a successful event stream's body is left for `takeEventStream`. */
export function eventStreamFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  return send(input, init, true);
}

function send(input: string | URL | Request, init: RequestInit, keepEventStream: boolean): Promise<Response> {
  const url = requestUrl(input);
  const agent = url.protocol === 'https:' ? agents['https:'] : url.protocol === 'http:' ? agents['http:'] : null;
  if (!agent) return Promise.reject(new TypeError(`unsupported protocol ${url.protocol}`));
  const transport = url.protocol === 'https:' ? https : http;
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, name) => {
    headers[name] = value;
  });
  let body: string | Buffer | undefined;
  try {
    body = outgoingBody(init.body);
  } catch (err) {
    return Promise.reject(err);
  }
  return new Promise((resolve, reject) => {
    const req = transport.request(url, { method: init.method ?? 'GET', headers, agent, signal: init.signal ?? undefined }, (res) => {
      const responseHeaders = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
      const status = res.statusCode ?? 502;
      const responseInit = { status, statusText: res.statusMessage, headers: responseHeaders };
      if (keepEventStream && isEventStream(res, status)) {
        const response = new Response(null, responseInit);
        eventStreams.set(response, res);
        resolve(response);
        return;
      }
      if (NULL_BODY.has(status)) res.resume();
      const stream = NULL_BODY.has(status) ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
      resolve(new Response(stream, responseInit));
    });
    req.on('error', reject);
    req.end(body);
  });
}
