// Raw HTTP requests to an operation of openapi.yaml, as a hostile client sends them: any path
// values, any body text and content type, authenticated as a user (cookie or API key) or, for a
// Twilio webhook, with a valid X-Twilio-Signature over exactly what is sent.
import type { OperationMeta } from '../../server/platform/spec.js';
import type { TestApp } from './test-app.js';
import { signatureFor } from './twilio-webhook.js';

export const JSON_TYPE = 'application/json';
export const FORM_TYPE = 'application/x-www-form-urlencoded';

export interface Sent {
  status: number;
  body: { error?: string; code?: string; details?: unknown; requestId?: string; text?: string } | null;
  contentType: string;
}

/** How a request authenticates: a session cookie, an API key, or not at all. */
export type Credentials = { cookie: string } | { apiKey: string } | 'anonymous';

/** The path with each {name} replaced by `params[name]` as a raw (already encoded) segment. */
export function fillPath(op: OperationMeta, params: Record<string, string>): string {
  return op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${op.operationId}: no value for {${name}}`);
    return value;
  });
}

/** The parameters a Twilio signature covers: the body as the server parses it, when that is an object. */
export function signedParams(contentType: string | undefined, body: string | undefined): Record<string, string> {
  if (body === undefined || contentType === undefined) return {};
  const type = contentType.split(';')[0]!.trim();
  if (type === FORM_TYPE) return Object.fromEntries(new URLSearchParams(body));
  if (type !== JSON_TYPE) return {};
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/** Values as a form (every value a string). */
export function formOf(values: Record<string, unknown>): string {
  return new URLSearchParams(Object.entries(values).map(([k, v]): [string, string] => [k, String(v)])).toString();
}

export interface RawRequest {
  /** The path (parameters already filled and encoded) and query string. */
  pathAndQuery: string;
  body?: string;
  contentType?: string;
}

/**
 * One raw request: authenticated with `credentials` when the operation needs a user, signed
 * when it is a Twilio webhook (unless `credentials` is 'anonymous'), as is when it is public.
 */
export async function sendRaw(t: TestApp, op: OperationMeta, credentials: Credentials, request: RawRequest): Promise<Sent> {
  const headers: Record<string, string> = {};
  if (request.contentType !== undefined) headers['content-type'] = request.contentType;
  if (credentials !== 'anonymous' && op.twilioSigned) {
    headers['x-twilio-signature'] = signatureFor(`${t.config.publicBaseUrl}${request.pathAndQuery}`, signedParams(request.contentType, request.body));
  } else if (credentials !== 'anonymous' && op.securitySchemes.length > 0) {
    if ('cookie' in credentials) headers.cookie = credentials.cookie;
    else headers.authorization = `Bearer ${credentials.apiKey}`;
  }
  const response = await fetch(t.url + request.pathAndQuery, {
    method: op.method,
    headers,
    ...(request.body !== undefined ? { body: request.body } : {}),
  });
  const contentType = response.headers.get('content-type') ?? '';
  if (contentType.startsWith('text/event-stream')) {
    // An endless stream (GET /api/events): its status and type are the answer.
    await response.body?.cancel();
    return { status: response.status, body: { text: '' } as Sent['body'], contentType };
  }
  const text = await response.text();
  return {
    status: response.status,
    // (A webhook's TwiML is kept as text: it is never an error body.)
    body: !text ? null : /^application\/json/.test(contentType) ? (JSON.parse(text) as Sent['body']) : ({ text } as Sent['body']),
    contentType,
  };
}
