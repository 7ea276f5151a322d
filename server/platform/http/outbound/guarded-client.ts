// The one HTTP client for user-supplied URLs: an undici Agent that refuses to connect to blocked
// addresses (checked on every DNS answer, and for literal IPs before connecting), never follows
// redirects, bounds time and body size, and reports every failure as a result instead of throwing.
// Never logs headers or bodies.
import type { LookupFunction } from 'node:net';
import { Agent, buildConnector, type Dispatcher } from 'undici';
import { findBlockedAddress, isAllowListed, isBlockedAddress, isIpLiteral } from './ip-policy.js';
import type { OutboundPolicy } from './types.js';
import { defaultResolver } from './resolvers.js';
import { checkUrlShape } from './url-policy.js';

export const OUTBOUND_BLOCKED = 'ERR_OUTBOUND_BLOCKED';

/** Raised inside the dispatcher when a connection would reach a blocked address. */
export class OutboundBlockedError extends Error {
  readonly code = OUTBOUND_BLOCKED;
  constructor(readonly host: string) {
    super(`Refused to connect to ${host}: private, loopback or reserved address.`);
    this.name = 'OutboundBlockedError';
  }
}

export interface GuardedDispatcherOptions {
  /** Sockets per origin. Default 50. */
  connections?: number;
  /** Idle keep-alive before a socket is closed. Default 10 s. */
  keepAliveTimeoutMs?: number;
  /** TCP (+ TLS) connect timeout. Default 5 s. */
  connectTimeoutMs?: number;
}

/** net.connect's lookup: resolve with the policy's resolver and refuse if ANY address is blocked. */
function guardedLookup(policy: OutboundPolicy): LookupFunction {
  const resolve = policy.resolve ?? defaultResolver(policy.allow);
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (answers) => {
        if (findBlockedAddress(policy.allow, hostname, answers.map((a) => a.address)) !== undefined) {
          callback(new OutboundBlockedError(hostname), '', 0);
          return;
        }
        const family = options.family === 4 || options.family === 'IPv4' ? 4 : options.family === 6 || options.family === 'IPv6' ? 6 : 0;
        const usable = family === 0 ? answers : answers.filter((a) => a.family === family);
        const first = usable[0];
        if (!first) {
          callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname }), '', 0);
          return;
        }
        if (options.all) callback(null, usable.map((a) => ({ address: a.address, family: a.family })));
        else callback(null, first.address, first.family);
      },
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err)), '', 0),
    );
  };
}

/**
 * A keep-alive Agent (pipelining 1) whose connections can only reach addresses the policy allows.
 * Literal-IP hosts skip DNS (and so the lookup), so the connector checks them itself.
 */
export function createGuardedDispatcher(policy: OutboundPolicy, options: GuardedDispatcherOptions = {}): Dispatcher {
  const connector = buildConnector({ timeout: options.connectTimeoutMs ?? 5000, lookup: guardedLookup(policy) });
  const connect: buildConnector.connector = (opts, callback) => {
    const host = opts.hostname;
    if (isIpLiteral(host) && isBlockedAddress(host) && !isAllowListed(policy.allow, host)) {
      process.nextTick(callback, new OutboundBlockedError(host), null);
      return;
    }
    connector(opts, callback);
  };
  return new Agent({
    connect,
    connections: options.connections ?? 50,
    pipelining: 1,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 10_000,
  });
}

export interface OutboundRequest {
  url: string;
  method: 'GET' | 'POST' | 'PUT' | 'HEAD';
  headers?: Record<string, string>;
  body?: string;
  /** Covers queueing, connect, headers and the whole body. */
  timeoutMs: number;
  maxBodyBytes: number;
  signal?: AbortSignal;
  policy: OutboundPolicy;
}

export type OutboundFailureKind = 'timeout' | 'blocked' | 'connect_error' | 'too_large' | 'aborted' | 'invalid_url' | 'protocol_error';

export type OutboundResult =
  | { ok: true; status: number; headers: Record<string, string>; body: string; durationMs: number }
  | { ok: false; kind: OutboundFailureKind; message: string; durationMs: number; status?: number; headers?: Record<string, string> };

/** A failure after the status line keeps the status and the headers (a 429's Retry-After, say). */
type Outcome =
  | { ok: true; status: number; headers: Record<string, string>; body: string }
  | { ok: false; kind: OutboundFailureKind; message: string; status?: number; headers?: Record<string, string> };

/** What has arrived of the answer so far: the status line, then the headers. */
interface Progress {
  status?: number;
  headers?: Record<string, string>;
}

/** The status and headers, when they arrived, to carry on a failure. */
function answered(progress: Progress): { status?: number; headers?: Record<string, string> } {
  if (progress.status === undefined) return {};
  return progress.headers === undefined ? { status: progress.status } : { status: progress.status, headers: progress.headers };
}

interface Closable extends AsyncIterable<Uint8Array> {
  destroy(error?: Error): unknown;
}

/**
 * Read a body stream into one Buffer, destroying the stream as soon as it exceeds `maxBytes`
 * (then resolves 'too_large'). Holds at most `maxBytes` plus the chunk that crossed the line.
 */
export async function readBodyCapped(stream: Closable, maxBytes: number): Promise<Buffer | 'too_large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      stream.destroy();
      return 'too_large';
    }
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return Buffer.concat(chunks, size);
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
const PROTOCOL_CODES = new Set([
  'UND_ERR_INVALID_ARG',
  'UND_ERR_NOT_SUPPORTED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_RES_EXCEEDED_MAX_SIZE',
  'UND_ERR_INFO',
]);

/** Map an error from undici / net / tls / the guard to a failure kind. */
function classify(err: unknown, status: number | undefined): { kind: OutboundFailureKind; message: string } {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  const message = err instanceof Error ? err.message : String(err);
  if (code === OUTBOUND_BLOCKED) return { kind: 'blocked', message };
  if (TIMEOUT_CODES.has(code)) return { kind: 'timeout', message };
  const parserError = err instanceof Error && err.name === 'HTTPParserError'; // its code is often unset
  if (PROTOCOL_CODES.has(code) || code.startsWith('HPE_') || parserError) return { kind: 'protocol_error', message };
  // Once the status line arrived, a broken connection is a broken response.
  return { kind: status === undefined ? 'connect_error' : 'protocol_error', message };
}

async function exchange(
  dispatcher: Dispatcher,
  url: URL,
  req: OutboundRequest,
  signal: AbortSignal,
  progress: Progress,
): Promise<Outcome> {
  try {
    const res = await dispatcher.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal,
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
    });
    const status = res.statusCode;
    progress.status = status;
    const headers = flattenHeaders(res.headers);
    progress.headers = headers;
    const declared = Number(headers['content-length']);
    if (Number.isFinite(declared) && declared > req.maxBodyBytes) {
      res.body.destroy();
      return { ok: false, kind: 'too_large', message: `Response body of ${declared} bytes exceeds ${req.maxBodyBytes}.`, status, headers };
    }
    const body = await readBodyCapped(res.body, req.maxBodyBytes);
    if (body === 'too_large') {
      return { ok: false, kind: 'too_large', message: `Response body exceeds ${req.maxBodyBytes} bytes.`, status, headers };
    }
    return { ok: true, status, headers, body: body.toString('utf8') };
  } catch (err) {
    return { ok: false, ...classify(err, progress.status), ...answered(progress) };
  }
}

/**
 * Send one request through a guarded dispatcher. Never follows redirects (a 3xx is a normal
 * result), never throws, and never buffers more than `maxBodyBytes` of the response.
 */
export async function guardedRequest(dispatcher: Dispatcher, req: OutboundRequest): Promise<OutboundResult> {
  const started = performance.now();
  const done = (outcome: Outcome): OutboundResult => ({ ...outcome, durationMs: Math.round(performance.now() - started) });

  const shape = checkUrlShape(req.url, req.policy);
  if (!shape.ok) return done({ ok: false, kind: shape.kind, message: shape.reason });
  if (req.signal?.aborted) return done({ ok: false, kind: 'aborted', message: 'Request aborted before it was sent.' });

  // One controller for our deadline and the caller's signal; the first to fire decides the kind.
  const controller = new AbortController();
  let stop!: (outcome: Outcome) => void;
  const stopped = new Promise<Outcome>((resolve) => {
    stop = resolve;
  });
  const progress: Progress = {};
  const halt = (kind: 'timeout' | 'aborted', message: string): void => {
    if (controller.signal.aborted) return;
    controller.abort(Object.assign(new Error(message), { code: kind === 'timeout' ? 'ERR_OUTBOUND_TIMEOUT' : 'ERR_OUTBOUND_ABORTED' }));
    stop({ ok: false, kind, message, ...answered(progress) });
  };
  const timer = setTimeout(() => halt('timeout', `No complete response within ${req.timeoutMs} ms.`), req.timeoutMs);
  const onAbort = (): void => halt('aborted', 'Request aborted.');
  req.signal?.addEventListener('abort', onAbort, { once: true });

  try {
    const work = exchange(dispatcher, shape.url, req, controller.signal, progress);
    return done(await Promise.race([work, stopped]));
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener('abort', onAbort);
  }
}
