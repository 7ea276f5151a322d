// Registers every operation of openapi.yaml through fastify-openapi-glue. Start-up fails when an
// operation has no handler or a handler has no operation. Authentication and the role check run
// in onRequest (before validation: an anonymous caller learns nothing about the input rules).
import { errorCodes, type FastifyInstance, type FastifyReply, type FastifyRequest, type RouteOptions } from 'fastify';
import openapiGlue from 'fastify-openapi-glue';
import { type Principal, principalRateKey, requireOwnOriginForCookie, requireRole, resolvePrincipal } from './accounts/auth/principal.js';
import { exotelSecretOf, orgOfExotelSecret } from './ai/agents/exotel.js';
import { ERRORS } from './platform/errors.js';
import { clientNetwork } from './platform/http/client-network.js';
import { forgetEventListeners } from './platform/events/listeners.js';
import { readBufferedMultipart } from './platform/http/multipart.js';
import { type FormParams, isValidTwilioSignature } from './platform/http/twilio-signature.js';
import { isMultipartForm } from './platform/http/multipart.js';
import type { Deps, Handlers, HandlerContext, OperationId } from './handler-types.js';
import { indexOperations, type OpenApiDocument, type OperationMeta, type UploadLimit } from './platform/spec.js';

export function checkHandlerCoverage(operationIds: Iterable<string>, handlerNames: Iterable<string>): void {
  const ops = new Set(operationIds);
  const names = new Set(handlerNames);
  const missing = [...ops].filter((id) => !names.has(id));
  const orphans = [...names].filter((id) => !ops.has(id));
  if (missing.length || orphans.length) {
    throw new Error(
      [
        missing.length ? `operations without a handler: ${missing.join(', ')}` : '',
        orphans.length ? `handlers without an operation: ${orphans.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; '),
    );
  }
}

/**
 * Text PostgreSQL can store: no NUL (text cannot hold it) and no unpaired UTF-16 surrogate (jsonb
 * refuses its escape, and text would silently get U+FFFD in its place).
 */
function isStorableText(value: string): boolean {
  return !value.includes('\u0000') && !LONE_SURROGATE.test(value);
}
/** With the u flag a surrogate pair is one code point: only an unpaired half matches. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** The path of the first string (or key) PostgreSQL cannot store as given, or null. */
export function findUnstorableText(value: unknown, path: string): string | null {
  if (typeof value === 'string') return isStorableText(value) ? null : path;
  // An uploaded file's bytes are not text (and are not walked byte by byte).
  if (ArrayBuffer.isView(value)) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const found = findUnstorableText(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = findUnstorableText(item, path ? `${path}.${key}` : key) ?? (isStorableText(key) ? null : path || 'body');
      if (found) return found;
    }
  }
  return null;
}

/**
 * Only the media types the contract declares reach validation: glue attaches the body schema per
 * media type, so a body of another type (text/plain, a form post) would otherwise skip it.
 */
function bodyGuard(meta: OperationMeta) {
  const accepted = new Set(meta.requestContentTypes);
  return (req: FastifyRequest): Error | null => {
    // Path ids are parsed by their handlers (a malformed one, NUL included, is a 404).
    const bad = findUnstorableText(req.query, '') ?? findUnstorableText(req.body, '');
    if (bad !== null) return ERRORS.validation({ [bad || 'body']: 'must be well-formed text without NUL characters' });
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    // A multipart form is read by its handler as it streams (platform/http/multipart.ts): no body yet.
    const hasBody = (req.body !== undefined && req.body !== null) || (isMultipartForm(contentType) && accepted.has('multipart/form-data'));
    if (accepted.size === 0) return hasBody ? ERRORS.validation({ body: 'is not accepted by this operation' }) : null;
    if (!hasBody) return meta.requestBodyRequired ? ERRORS.validation({ body: 'is required' }) : null;
    if (!accepted.has(contentType)) return ERRORS.validation({ 'content-type': `must be ${[...accepted].join(' or ')}` });
    return null;
  };
}

/**
 * Twilio webhooks: a valid X-Twilio-Signature (checked against PUBLIC_BASE_URL) lets the request
 * through and is never rate-limited (Twilio cannot retry a 429: the caller would be dropped).
 * Anything else counts against the operation's bucket per IP and is refused with 403 before the
 * body is validated or anything is read or written.
 */
function twilioSignatureGuard(meta: OperationMeta, deps: Deps) {
  return async (req: FastifyRequest) => {
    const params = req.body !== null && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as FormParams) : {};
    const signature = req.headers['x-twilio-signature'];
    if (isValidTwilioSignature(deps.webhookToken, signature, deps.config.publicBaseUrl, req.url, params)) return;
    await deps.limiter.consume(req, meta.rateLimit, `ip:${clientNetwork(req.ip)}`, true);
    throw ERRORS.badSignature(signature === undefined ? 'X-Twilio-Signature is required' : 'X-Twilio-Signature does not match');
  };
}

/**
 * Webhooks authenticated by an organisation's shared secret (`x-secret-auth`; it travels in a
 * header or the query): checked before the body is even parsed, so an unauthenticated request
 * learns nothing of the body's rules and gets 401 whatever it sends. The organisation is kept
 * for the handler.
 */
function secretAuthGuard(deps: Deps) {
  return async (req: FastifyRequest, _reply: FastifyReply, payload: unknown) => {
    const secret = exotelSecretOf(req.headers, req.query);
    const org = await orgOfExotelSecret(deps.db, secret);
    if (!org) throw ERRORS.unauthorized(secret === undefined ? 'X-Exotel-Secret (or ?secret=) is required' : 'the Exotel secret does not match');
    req.secretOrg = org;
    return payload;
  };
}

/** What a handler gets (a class: nothing is allocated per request beyond the object itself). */
class RequestContext implements HandlerContext<OperationId> {
  readonly params: never;
  readonly query: never;
  readonly body: never;

  constructor(
    readonly req: FastifyRequest,
    readonly reply: FastifyReply,
  ) {
    this.params = req.params as never;
    this.query = req.query as never;
    this.body = req.body as never;
  }

  principal(): Principal {
    if (!this.req.principal) throw ERRORS.unauthorized();
    return this.req.principal;
  }
}

/** The configured cap of each `x-upload-limit` (the largest file an upload may carry). */
const UPLOAD_CAPS: Record<UploadLimit, (config: Deps['config']) => number> = {
  audio: (config) => config.audioMaxBytes,
  knowledge: (config) => config.kbMaxBytes,
};

/**
 * What runs before validation: the Twilio signature check, or an upload read into the body
 * (platform/http/multipart.ts), then the body guard.
 */
function preValidationHook(meta: OperationMeta, deps: Deps) {
  const guardBody = bodyGuard(meta);
  const guardSignature = meta.twilioSigned ? twilioSignatureGuard(meta, deps) : null;
  const uploadCap = meta.uploadLimit === null ? null : UPLOAD_CAPS[meta.uploadLimit](deps.config);
  const first = guardSignature ?? (uploadCap === null ? null : (req: FastifyRequest) => readBufferedMultipart(req, uploadCap));
  if (first === null) {
    // A callback hook (no promise per request) for everything else, the DNI fast path included.
    return (req: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) => done(guardBody(req) ?? undefined);
  }
  return async (req: FastifyRequest) => {
    await first(req);
    const bad = guardBody(req);
    if (bad) throw bad;
  };
}

function routeOptions(meta: OperationMeta, handler: Handlers[OperationId], deps: Deps) {
  const minRole = meta.minRole;
  return {
    preValidation: preValidationHook(meta, deps),
    ...(meta.secretAuth !== null ? { preParsing: secretAuthGuard(deps) } : {}),
    config: { rateLimit: meta.rateLimit, operationId: meta.operationId, authenticated: minRole !== null, twilioSigned: meta.twilioSigned },
    ...(minRole
      ? {
          // Count against the verified caller; a failed authentication counts against the IP, so
          // made-up keys neither get budgets of their own nor unlimited look-ups.
          onRequest: async (req: FastifyRequest) => {
            let principal;
            try {
              principal = await resolvePrincipal(deps.db, req);
            } catch (err) {
              await deps.limiter.consume(req, meta.rateLimit, `ip:${clientNetwork(req.ip)}`, true);
              throw err;
            }
            await deps.limiter.consume(req, meta.rateLimit, principalRateKey(principal), true);
            if (principal.via === 'session') requireOwnOriginForCookie(req, deps.config.publicBaseUrl);
            requireRole(principal, minRole);
            req.principal = principal;
          },
        }
      : {}),
    handler: async (req: FastifyRequest, reply: FastifyReply) => {
      const ctx = new RequestContext(req, reply);
      const result = await (handler as (c: HandlerContext<OperationId>) => Promise<{ status: number; body: unknown }>)(ctx);
      // A change made through the API (campaigns, buyers, numbers, flows, ...) reaches this
      // instance's call routing at once.
      if (minRole !== null && req.method !== 'GET' && result.status < 400) {
        deps.routeCache.clear();
        forgetEventListeners();
      }
      reply.code(result.status);
      if (result.body === undefined) return reply.send();
      return result.body;
    },
  };
}

type ResponseObjects = Record<string, { content?: Record<string, unknown> } | undefined>;

/** Every media type the contract's answers use (inline, or shared in components.responses). */
export function responseMediaTypes(spec: OpenApiDocument): Set<string> {
  const responseSets: ResponseObjects[] = [spec.components?.responses ?? {}];
  for (const item of Object.values(spec.paths)) {
    for (const op of Object.values(item)) if (op && typeof op === 'object' && op.responses) responseSets.push(op.responses);
  }
  const types = new Set<string>();
  for (const responses of responseSets) {
    for (const response of Object.values(responses)) for (const type of Object.keys(response?.content ?? {})) types.add(type);
  }
  return types;
}

/**
 * Media types the contract only answers with (TwiML's text/xml, the DNI snippet's
 * application/javascript) are refused as request bodies exactly as Fastify refuses any type it has
 * no parser for (415 Unsupported Media Type) — but by a parser of their own, so that glue, which
 * looks for a parser for every media type it meets, does not warn about them at every start.
 */
function refuseAnswerOnlyMediaTypes(app: FastifyInstance, spec: OpenApiDocument): void {
  for (const type of responseMediaTypes(spec)) {
    if (app.hasContentTypeParser(type)) continue;
    app.addContentTypeParser(type, (_req, _payload, done) => done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(), undefined));
  }
}

export async function registerRoutes(app: FastifyInstance, spec: OpenApiDocument, handlers: Handlers, deps: Deps): Promise<void> {
  const index = indexOperations(spec);
  checkHandlerCoverage(index.keys(), Object.keys(handlers));
  refuseAnswerOnlyMediaTypes(app, spec);
  await app.register(openapiGlue, {
    specification: structuredClone(spec),
    // Glue fills in method and url itself; its typings ask for whole RouteOptions.
    operationResolver: ((operationId: string) => {
      const meta = index.get(operationId);
      if (!meta) throw new Error(`openapi-glue resolved an unknown operation ${operationId}`);
      return routeOptions(meta, handlers[operationId as OperationId], deps);
    }) as unknown as (operationId: string) => RouteOptions,
  });
}
