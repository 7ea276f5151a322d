// The bid adapter, prebid-server style: pure functions that build one target's bid request and
// parse its answer. No I/O, no clock (the caller passes `now`), never throws.
import { roundMoney } from '../../platform/common/money.js';
import { E164 } from '../../platform/common/phone.js';
import { auditText, secretForms } from './audit.js';
import { readPath } from './json-path.js';
import { renderTemplate, escapeXml, type TemplateMode, type TemplateVars } from './template.js';
import type { AuthMethod, BidRequest, CallContext, RawAnswer, RtbContentType, RtbTargetConfig, SendAnswer } from './types.js';

export const DEFAULT_PATHS = {
  bidAmount: 'bidAmount',
  destinationNumber: 'destinationNumber',
  currency: 'currency',
  duration: 'duration',
  accepted: 'accepted',
} as const;
export const DEFAULT_API_KEY_HEADER = 'X-API-Key';

// ---------------------------------------------------------------------------------------------
// Request

/** The template variables; also the default body's fields, in this order. */
export function templateVars(target: RtbTargetConfig, context: CallContext, now: Date): TemplateVars {
  return {
    requestId: context.requestId,
    campaignId: context.campaignId,
    callerId: context.callerId,
    callerState: context.callerState,
    callerZip: context.callerZip,
    callStartTime: isoOrNull(context.callStartTime),
    minBid: target.minBidAmount,
    maxBid: target.maxBidAmount,
    currency: target.currency,
    timestamp: isoOrNull(now),
  } as const;
}

function isoOrNull(d: Date): string | null {
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

const MODE: Record<RtbContentType, TemplateMode> = {
  'application/json': 'json',
  'application/x-www-form-urlencoded': 'form',
  'text/xml': 'xml',
  'text/plain': 'text',
};

/**
 * Builds the HTTP request for one target.
 * - GET: the default fields go in the query string (nulls omitted), no body; a template is not used.
 * - POST/PUT: the rendered `requestBody` template, or the default body for the content type:
 *   JSON object (nulls kept as null), form fields (nulls omitted), `<bidRequest>` XML, or JSON
 *   text for text/plain.
 * - auditBody: the body (the query for GET) with every form of the auth secret replaced by
 *   `[REDACTED]`, truncated to 4 KiB.
 */
export function buildBidRequest(target: RtbTargetConfig, context: CallContext, now: Date): BidRequest {
  const vars = templateVars(target, context, now);
  const headers: Record<string, string> = { accept: 'application/json' };
  addAuth(headers, target);
  const secrets = authSecrets(target);

  if (target.httpMethod === 'GET') {
    const query = formEncode(vars);
    return { url: appendQuery(target.endpointUrl, query), method: 'GET', headers, body: undefined, auditBody: auditText(query, secrets) };
  }

  const body =
    target.requestBody !== null && target.requestBody.trim() !== ''
      ? renderTemplate(target.requestBody, vars, MODE[target.contentType] ?? 'json')
      : defaultBody(target.contentType, vars);
  headers['content-type'] = contentTypeHeader(target.contentType);
  return { url: target.endpointUrl, method: target.httpMethod, headers, body, auditBody: auditText(body, secrets) };
}

function contentTypeHeader(ct: RtbContentType): string {
  return ct === 'application/x-www-form-urlencoded' ? ct : `${ct}; charset=utf-8`;
}

function defaultBody(ct: RtbContentType, vars: TemplateVars): string {
  switch (ct) {
    case 'application/x-www-form-urlencoded':
      return formEncode(vars);
    case 'text/xml': {
      // A buyer's XML bid request (not TwiML); UTF-8 is XML's default, so no prolog is needed.
      let xml = '<bidRequest>';
      for (const [k, v] of Object.entries(vars)) xml += v === null ? `<${k}/>` : `<${k}>${escapeXml(String(v))}</${k}>`;
      return `${xml}</bidRequest>`;
    }
    default:
      return JSON.stringify(vars);
  }
}

function formEncode(vars: TemplateVars): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(vars)) if (v !== null) parts.push(`${k}=${encodeURIComponent(String(v))}`);
  return parts.join('&');
}

function appendQuery(endpoint: string, query: string): string {
  const hash = endpoint.indexOf('#');
  const base = hash >= 0 ? endpoint.slice(0, hash) : endpoint;
  if (query === '') return base;
  return base + (base.includes('?') ? (base.endsWith('?') || base.endsWith('&') ? '' : '&') : '?') + query;
}

function addAuth(headers: Record<string, string>, target: RtbTargetConfig): void {
  const token = target.authToken;
  if (token === null || token === '') return;
  switch (target.authMethod) {
    case 'bearer':
      headers.authorization = `Bearer ${token}`;
      break;
    case 'basic':
      headers.authorization = `Basic ${Buffer.from(token, 'utf8').toString('base64')}`;
      break;
    case 'api_key': {
      const name = target.authHeaderName?.trim();
      headers[(name && isUsableAuthHeader(name) ? name : DEFAULT_API_KEY_HEADER).toLowerCase()] = token;
      break;
    }
    case 'none':
      break;
  }
}
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;

/**
 * Headers the request sets itself, or that the HTTP client refuses or drops: an api_key token in
 * one of them would fail every bid (content-length, transfer-encoding, expect, upgrade,
 * keep-alive), be overwritten (content-type, accept) or dropped (connection), or replace the Host.
 */
export const RESERVED_AUTH_HEADERS: ReadonlySet<string> = new Set([
  'accept',
  'connection',
  'content-length',
  'content-type',
  'expect',
  'host',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** A header name an api_key token can be sent in. */
export function isUsableAuthHeader(name: string): boolean {
  return HEADER_NAME.test(name) && !RESERVED_AUTH_HEADERS.has(name.toLowerCase());
}

const secretsCache = new WeakMap<RtbTargetConfig, { method: string; token: string | null; secrets: readonly string[] }>();
const NO_SECRETS: readonly string[] = [];

/** Every form of the target's secret that must never reach an audit row (cached per target object). */
export function authSecrets(target: RtbTargetConfig): readonly string[] {
  const cached = secretsCache.get(target);
  if (cached !== undefined && cached.method === target.authMethod && cached.token === target.authToken) return cached.secrets;
  const secrets = tokenSecrets(target.authMethod, target.authToken);
  secretsCache.set(target, { method: target.authMethod, token: target.authToken, secrets });
  return secrets;
}

/**
 * Every form of a token that must never be shown: for basic, also its Basic form and its password.
 * (A token stored with method `none` is not sent, but is still a secret.)
 */
export function tokenSecrets(authMethod: AuthMethod, token: string | null): readonly string[] {
  if (!token) return NO_SECRETS;
  const raw = [token];
  if (authMethod === 'basic') {
    raw.push(Buffer.from(token, 'utf8').toString('base64'));
    const password = token.slice(token.indexOf(':') + 1);
    // The password alone too, unless it is so short that redacting it would shred the text.
    if (token.includes(':') && password.length >= 6) raw.push(password);
  }
  return [...new Set(raw.flatMap(secretForms))].sort((a, b) => b.length - a.length);
}

// ---------------------------------------------------------------------------------------------
// Response

export interface ParsedBid {
  valid: boolean;
  rejectionReason: string | null;
  /**
   * Rounded to 4 decimals; kept for the audit even when the bid is rejected, unless it is beyond
   * what an audit row holds (MAX_RECORDED_AMOUNT): then null, the answer's body says what it was.
   */
  bidAmount: number | null;
  /** Upper-case; the target's currency when the answer names none. */
  currency: string | null;
  destination: string | null;
  durationSec: number | null;
  accepted: boolean | null;
}

const ERROR_KINDS: Record<string, string> = {
  timeout: 'timeout',
  connect_error: 'connect_error',
  too_large: 'response_too_large',
  blocked: 'blocked_address',
  aborted: 'aborted',
  invalid_url: 'invalid_url',
  protocol_error: 'protocol_error',
};

/** The rejection reason for a transport error kind. */
export function errorReason(kind: string): string {
  return ERROR_KINDS[kind] ?? 'transport_error';
}

// No control characters anywhere (a NUL would reach the TwiML and the database), nor an unpaired
// surrogate (it cannot be sent as UTF-8, nor stored in jsonb). `sip:` only: the
// call path dials a `sip:` URI as <Sip> and anything else as a <Number> (a `sips:` URI would be a
// dead leg); Twilio's TLS is `sip:...;transport=tls`.
// eslint-disable-next-line no-control-regex
const SIP_URI = /^sip:(?:[^\s@<>"\u0000-\u001F\u007F\uD800-\uDFFF]+@)?[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d{1,5})?(?:;[^\s<>"\u0000-\u001F\u007F\uD800-\uDFFF]*)?$/iu;
const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NOT_ACCEPTED = new Set(['false', 'no', 'rejected']);
/** The largest amount the audit's money columns hold (numeric(12,4)). */
export const MAX_RECORDED_AMOUNT = 99_999_999.9999;
/** The longest duration a leg's minimum holds (an integer column), in seconds. */
export const MAX_DURATION_SEC = 2_147_483_647;

export function isValidDestination(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 256 && (E164.test(value) || SIP_URI.test(value));
}


function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && NUMERIC.test(v.trim())) {
    const n = Number(v.trim());
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

function reject(reason: string, partial: Partial<ParsedBid> = {}): ParsedBid {
  return {
    valid: false,
    rejectionReason: reason,
    bidAmount: partial.bidAmount ?? null,
    currency: partial.currency ?? null,
    destination: partial.destination ?? null,
    durationSec: partial.durationSec ?? null,
    accepted: partial.accepted ?? null,
  };
}

/**
 * Parses one answer. Checks, in order: transport error, HTTP status (non-2xx → `http_<status>`),
 * empty 2xx / 204 (`no_bid`), JSON (`invalid_json`), acceptance (`not_accepted`), amount
 * (`missing_bid_amount`, `invalid_bid_amount` — negative or not a finite number; numeric strings
 * are accepted; exactly 0 is `no_bid`), `currency_mismatch`, `below_min_bid`, `above_max_bid`,
 * `invalid_destination`, `invalid_duration` (longer than MAX_DURATION_SEC). A negative duration
 * reads as none.
 */
export function parseBidResponse(target: RtbTargetConfig, answer: SendAnswer | RawAnswer): ParsedBid {
  if (answer.errorKind !== null || !answer.ok) return reject(errorReason(answer.errorKind ?? 'transport_error'));
  const status = answer.status;
  if (status === null || status < 200 || status > 299) return reject(`http_${status ?? 'unknown'}`);
  const text = answer.body;
  if (status === 204 || text === null || text.trim() === '') return reject('no_bid');

  let json: unknown;
  try {
    // A UTF-8 byte order mark is not JSON, but fetch's text() drops it and buyers' stacks send it.
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    return reject('invalid_json');
  }

  const acceptedRaw = readPath(json, target.acceptancePath ?? DEFAULT_PATHS.accepted);
  const accepted = !(acceptedRaw === false || (typeof acceptedRaw === 'string' && NOT_ACCEPTED.has(acceptedRaw.trim().toLowerCase())));
  const destinationRaw = readPath(json, target.destinationNumberPath ?? DEFAULT_PATHS.destinationNumber);
  const destination = typeof destinationRaw === 'string' ? destinationRaw : null;
  const durationRaw = toNumber(readPath(json, target.durationPath ?? DEFAULT_PATHS.duration));
  const durationRounded = durationRaw !== null && durationRaw >= 0 ? Math.round(durationRaw) : null;
  const durationSec = durationRounded !== null && durationRounded <= MAX_DURATION_SEC ? durationRounded : null;
  const currencyRaw = readPath(json, target.currencyPath ?? DEFAULT_PATHS.currency);
  const currency =
    currencyRaw === undefined || currencyRaw === null || currencyRaw === ''
      ? target.currency.toUpperCase()
      : typeof currencyRaw === 'string'
        ? currencyRaw.trim().toUpperCase()
        : null;
  const amountRaw = readPath(json, target.bidAmountPath ?? DEFAULT_PATHS.bidAmount);
  const parsedAmount = toNumber(amountRaw);
  const amount = parsedAmount === null ? null : roundMoney(parsedAmount);
  // A hostile amount (1e12) is judged, but not recorded: no audit row could hold it.
  const bidAmount = amount !== null && Math.abs(amount) <= MAX_RECORDED_AMOUNT ? amount : null;
  const partial = { bidAmount, currency, destination, durationSec, accepted };

  if (!accepted) return reject('not_accepted', partial);
  if (amountRaw === undefined || amountRaw === null || amountRaw === '') return reject('missing_bid_amount', partial);
  if (amount === null || amount < 0) return reject('invalid_bid_amount', partial);
  if (amount === 0) return reject('no_bid', partial);
  if (currency === null || currency !== target.currency.trim().toUpperCase()) return reject('currency_mismatch', partial);
  if (amount < roundMoney(target.minBidAmount)) return reject('below_min_bid', partial);
  if (amount > roundMoney(target.maxBidAmount)) return reject('above_max_bid', partial);
  if (!isValidDestination(destinationRaw)) return reject('invalid_destination', partial);
  if (durationRounded !== null && durationSec === null) return reject('invalid_duration', partial);
  return { valid: true, rejectionReason: null, ...partial };
}
