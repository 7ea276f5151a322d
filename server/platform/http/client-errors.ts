// Requests Node's HTTP parser refuses before Fastify sees them: a malformed request line or
// header, a bad Content-Length, headers over the size limit, a request not received in time.
// Answered in the API's error format (with the headers every answer carries), then the
// connection is closed: after a parse error nothing more on it can be trusted.
import { randomUUID } from 'node:crypto';
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { type AppError, ERRORS, errorBody } from '../errors.js';
import { fixedHeaders } from './headers.js';

/** What a refused request is answered with (pure: the status and error from the parser's error code). */
export function clientErrorAnswer(code: string | undefined, maxHeaderBytes: number): AppError {
  if (code === 'HPE_HEADER_OVERFLOW') return ERRORS.headersTooLarge(maxHeaderBytes);
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return ERRORS.requestTimeout();
  return ERRORS.validation({ request: 'is not valid HTTP/1.1 (malformed request line, header or Content-Length)' });
}

/** The raw HTTP/1.1 answer: status line, headers (Connection: close) and the JSON error body. */
export function rawErrorAnswer(error: AppError, requestId: string): string {
  const body = JSON.stringify(errorBody(error, requestId));
  const headers: Record<string, string | number> = {
    ...fixedHeaders(),
    'X-Request-Id': requestId,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    Connection: 'close',
  };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return `HTTP/1.1 ${error.statusCode} ${STATUS_CODES[error.statusCode] ?? ''}\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** Fastify's `clientErrorHandler` (called with the instance as `this`). */
export function clientErrorHandler(this: FastifyInstance, err: NodeJS.ErrnoException, socket: Socket): void {
  // A connection the client reset has nobody left to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const error = clientErrorAnswer(err.code, maxHeaderSize);
  const requestId = randomUUID();
  this.log.info({ code: error.code, status: error.statusCode, parserError: err.code, requestId }, 'request refused by the HTTP parser');
  // Written, then closed both ways once the answer is out (the client may never close its side).
  if (socket.writable) socket.end(rawErrorAnswer(error, requestId), () => socket.destroy());
  else socket.destroy();
}
