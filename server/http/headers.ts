// Headers on every response: API/service version, request id, and seed 003's security headers.
import type { FastifyInstance } from 'fastify';
import { API_VERSION, SERVICE_VERSION } from '../version.js';

const API_CSP = "default-src 'self'";
// Swagger UI needs inline styles and data: images; everything else stays same-origin.
const DOCS_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'";

const FIXED_HEADERS = {
  'X-API-Version': API_VERSION,
  'X-Service-Version': SERVICE_VERSION,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'X-XSS-Protection': '1; mode=block',
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  'Referrer-Policy': 'no-referrer',
} as const;

export function installResponseHeaders(app: FastifyInstance): void {
  // A callback hook (no promise per request): this runs on every request, the DNI fast path too.
  app.addHook('onRequest', (req, reply, done) => {
    reply.headers(FIXED_HEADERS);
    reply.header('X-Request-Id', req.id);
    reply.header('Content-Security-Policy', req.url.startsWith('/docs') ? DOCS_CSP : API_CSP);
    done();
  });
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Use the caller's X-Request-Id when it is short and safe; otherwise a new UUID. */
export function requestIdFrom(header: string | string[] | undefined, fallback: () => string): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && SAFE_REQUEST_ID.test(value) ? value : fallback();
}
