// Headers on every response: API/service version, request id, and seed 003's security headers.
// The security headers come from @fastify/helmet (helmet's maintained defaults, tuned to seed 003's
// list below); only the version/request-id headers and seed 003's X-XSS-Protection value are ours.
import fastifyHelmet from '@fastify/helmet';
import type { FastifyInstance, FastifyReply } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import { API_VERSION, SERVICE_VERSION } from '../version.js';

const SELF = "'self'";
/** The API answers JSON, TwiML and the DNI script: nothing to load from anywhere else. */
const API_CSP = { defaultSrc: [SELF] };
/** Swagger UI (/docs) needs inline styles and data: images; everything else stays same-origin. */
const DOCS_CSP = { defaultSrc: [SELF], imgSrc: [SELF, 'data:'], styleSrc: [SELF, "'unsafe-inline'"] };

const OWN_HEADERS = {
  'X-API-Version': API_VERSION,
  'X-Service-Version': SERVICE_VERSION,
  // Seed 003 asks for the legacy XSS filter header in this form; helmet would send "0".
  'X-XSS-Protection': '1; mode=block',
} as const;

/** Helmet's settings for every answer (the plugin's, and the fixed set of securityHeaders() below). */
const SECURITY_OPTIONS = {
  contentSecurityPolicy: { useDefaults: false, directives: API_CSP },
  // The DNI snippet is loaded by <script src> from advertisers' sites: no same-origin CORP.
  crossOriginResourcePolicy: false,
  xFrameOptions: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
  strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
  xXssProtection: false,
} as const satisfies HelmetOptions;

export async function installResponseHeaders(app: FastifyInstance): Promise<void> {
  // Swagger UI's routes (registered later by @fastify/swagger-ui) get the docs policy.
  app.addHook('onRoute', (route) => {
    if (route.url === '/docs' || route.url.startsWith('/docs/')) {
      route.helmet = { contentSecurityPolicy: { useDefaults: false, directives: DOCS_CSP } };
    }
  });
  await app.register(fastifyHelmet, { global: true, ...SECURITY_OPTIONS });
  // A callback hook (no promise per request): this runs on every request, the DNI fast path too.
  app.addHook('onRequest', (req, reply, done) => {
    setOwnHeaders(reply, req.id);
    done();
  });
}

/** The version and request-id headers. */
export function setOwnHeaders(reply: FastifyReply, requestId: string): void {
  reply.headers(OWN_HEADERS);
  reply.header('X-Request-Id', requestId);
}

let fixedSecurityHeaders: Readonly<Record<string, string>> | null = null;

/**
 * Every header of an API answer that does not depend on the request: helmet's security headers
 * (the same settings as the plugin's) and the version headers. For answers written without
 * Fastify's hooks: a request the HTTP parser refused (client-errors.ts).
 */
export function fixedHeaders(): Readonly<Record<string, string>> {
  if (!fixedSecurityHeaders) {
    const collected: Record<string, string> = {};
    const collector = {
      setHeader: (name: string, value: string | number) => (collected[name] = String(value)),
      removeHeader: () => undefined,
    };
    helmet(SECURITY_OPTIONS)({} as never, collector as never, () => undefined);
    fixedSecurityHeaders = Object.freeze({ ...collected, ...OWN_HEADERS });
  }
  return fixedSecurityHeaders;
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Use the caller's X-Request-Id when it is short and safe; otherwise a new UUID. */
export function requestIdFrom(header: string | string[] | undefined, fallback: () => string): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && SAFE_REQUEST_ID.test(value) ? value : fallback();
}
