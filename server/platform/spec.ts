// Loads openapi.yaml and indexes its operations by operationId (auth, role, rate-limit bucket).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { RateLimitBucket } from './config.js';
import { RATE_LIMIT_BUCKETS } from './config.js';
import { readCache, writeCache } from './local-cache.js';
import { PROJECT_ROOT } from './project-root.js';
import type { Role } from '../../db/types.js';

export const SPEC_PATH = new URL('openapi.yaml', PROJECT_ROOT);

export interface OperationMeta {
  operationId: string;
  method: string;
  path: string;
  /** The security requirement names that may authenticate it; empty = public. */
  securitySchemes: string[];
  minRole: Role | null;
  rateLimit: RateLimitBucket;
  /** Media types the request body may have (empty: the operation takes no body). */
  requestContentTypes: string[];
  requestBodyRequired: boolean;
  /** A Twilio webhook: the X-Twilio-Signature is checked before anything else. */
  twilioSigned: boolean;
  /**
   * `x-upload-limit`: a multipart upload read into the body before validation, its file capped by
   * the configured limit of that name (server/http/multipart.ts); null for none.
   */
  uploadLimit: UploadLimit | null;
  /**
   * `x-secret-auth`: a webhook authenticated by an organisation's shared secret (`exotel`:
   * X-Exotel-Secret or ?secret=), checked before the body is validated; null for none.
   */
  secretAuth: SecretAuth | null;
}

export const SECRET_AUTHS = ['exotel'] as const;
export type SecretAuth = (typeof SECRET_AUTHS)[number];

export const UPLOAD_LIMITS = ['audio', 'knowledge'] as const;
export type UploadLimit = (typeof UPLOAD_LIMITS)[number];

export type OpenApiDocument = Record<string, any> & { paths: Record<string, Record<string, any>> };

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);
const ROLES = new Set(['owner', 'admin', 'manager', 'agent']);

/**
 * openapi.yaml as an object. Parsing 8,000 lines of YAML takes about half a second, so the parsed
 * document is cached as JSON (about 5 ms to read) under the YAML's content hash: an edited
 * contract is parsed again, never served stale.
 */
export function loadSpec(): OpenApiDocument {
  const text = readFileSync(SPEC_PATH, 'utf8');
  const name = `openapi-${createHash('sha256').update(text).digest('hex').slice(0, 24)}.json`;
  const cached = readCache(name);
  if (cached) {
    try {
      return JSON.parse(cached.toString('utf8')) as OpenApiDocument;
    } catch {
      // A damaged cache file: parse the YAML again and replace it.
    }
  }
  const spec = parse(text) as OpenApiDocument;
  writeCache(name, JSON.stringify(spec), 'openapi-');
  return spec;
}

export function indexOperations(spec: OpenApiDocument): Map<string, OperationMeta> {
  const index = new Map<string, OperationMeta>();
  const globalSecurity: Array<Record<string, unknown>> = spec.security ?? [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!HTTP_METHODS.has(method)) continue;
      const operationId = op.operationId as string | undefined;
      if (!operationId) throw new Error(`openapi.yaml: ${method.toUpperCase()} ${path} has no operationId`);
      if (index.has(operationId)) throw new Error(`openapi.yaml: operationId ${operationId} is used twice`);
      const security: Array<Record<string, unknown>> = op.security ?? globalSecurity;
      const securitySchemes = security.flatMap((req) => Object.keys(req));
      const minRole = op['x-min-role'] ?? null;
      if (minRole !== null && !ROLES.has(minRole)) throw new Error(`openapi.yaml: ${operationId} has unknown x-min-role ${minRole}`);
      if (securitySchemes.some((s) => s === 'sessionCookie' || s === 'apiKey') && minRole === null) {
        throw new Error(`openapi.yaml: authenticated operation ${operationId} needs x-min-role`);
      }
      const rateLimit = op['x-rate-limit'] ?? 'general';
      if (!(RATE_LIMIT_BUCKETS as readonly string[]).includes(rateLimit)) {
        throw new Error(`openapi.yaml: ${operationId} has unknown x-rate-limit ${rateLimit}`);
      }
      const uploadLimit = op['x-upload-limit'] ?? null;
      if (uploadLimit !== null && !(UPLOAD_LIMITS as readonly string[]).includes(uploadLimit)) {
        throw new Error(`openapi.yaml: ${operationId} has unknown x-upload-limit ${uploadLimit}`);
      }
      const secretAuth = op['x-secret-auth'] ?? null;
      if (secretAuth !== null && !(SECRET_AUTHS as readonly string[]).includes(secretAuth)) {
        throw new Error(`openapi.yaml: ${operationId} has unknown x-secret-auth ${secretAuth}`);
      }
      const requestBody = op.requestBody as { required?: boolean; content?: Record<string, unknown> } | undefined;
      index.set(operationId, {
        operationId,
        method: method.toUpperCase(),
        path,
        securitySchemes,
        minRole,
        rateLimit,
        requestContentTypes: Object.keys(requestBody?.content ?? {}),
        requestBodyRequired: requestBody?.required === true,
        twilioSigned: securitySchemes.includes('twilioSignature'),
        uploadLimit,
        secretAuth,
      });
    }
  }
  return index;
}
