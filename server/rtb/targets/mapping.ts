// RTB target rows <-> API shapes and the checks JSON Schema
// cannot express (pure). The auth token is write-only: it never leaves through presentTarget.
import { RESERVED_AUTH_HEADERS, tokenSecrets } from '../engine/adapter.js';
import { redact } from '../engine/audit.js';
import type { components } from '../../../client/schema.js';
import type { AuthMethod, RtbTargetPatch, RtbTargetRow } from '../../../db/types.js';
import { iso } from '../../platform/common/dates.js';
import { moneyFromNumber } from '../../inbound/calls/money.js';
import type { CampaignTargetView } from './queries.js';
import { DEFAULT_API_KEY_HEADER } from './defaults.js';

type RtbTarget = components['schemas']['RtbTarget'];
type RtbTargetUpdate = components['schemas']['RtbTargetUpdate'];
type CampaignRtbTarget = components['schemas']['CampaignRtbTarget'];

/** Money is stored as numeric(12,4): write exactly four decimals (rounded as the database rounds). */
export function moneyColumn(amount: number): string {
  return moneyFromNumber(amount);
}

/** jsonb on write is always a JSON string. */
function listColumn(values: readonly string[]): string {
  return JSON.stringify(values);
}

export function presentTarget(row: RtbTargetRow): RtbTarget {
  return {
    id: row.id,
    name: row.name,
    companyName: row.company_name,
    contactEmail: row.contact_email,
    endpointUrl: row.endpoint_url,
    httpMethod: row.http_method,
    contentType: row.content_type,
    authMethod: row.auth_method,
    authHeaderName: row.auth_header_name,
    hasAuthToken: row.auth_token !== null && row.auth_token !== '',
    minBidAmount: Number(row.min_bid_amount),
    maxBidAmount: Number(row.max_bid_amount),
    currency: row.currency,
    timeoutMs: row.timeout_ms,
    isActive: row.is_active,
    states: row.states,
    excludedStates: row.excluded_states,
    zipCodes: row.zip_codes,
    excludedZipCodes: row.excluded_zip_codes,
    // A template may carry the token itself (or, for basic, its password or Basic form): never returned.
    requestBody: row.request_body === null ? null : redact(row.request_body, tokenSecrets(row.auth_method, row.auth_token)),
    bidAmountPath: row.bid_amount_path,
    destinationNumberPath: row.destination_number_path,
    currencyPath: row.currency_path,
    durationPath: row.duration_path,
    acceptancePath: row.acceptance_path,
    maxConcurrentCalls: row.max_concurrent_calls,
    hourlyCap: row.hourly_cap,
    dailyCap: row.daily_cap,
    monthlyCap: row.monthly_cap,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export function presentCampaignTarget(row: CampaignTargetView): CampaignRtbTarget {
  return {
    campaignId: row.campaign_id,
    rtbTargetId: row.target_id,
    targetName: row.target_name,
    priority: row.priority,
    isActive: row.is_active,
    createdAt: iso(row.created_at),
  };
}

/** Only the fields sent become column changes (create bodies are a subset of update bodies). */
export function targetPatch(body: RtbTargetUpdate): RtbTargetPatch {
  const patch: RtbTargetPatch = {};
  if (body.name !== undefined) patch.name = body.name;
  if (body.companyName !== undefined) patch.company_name = body.companyName;
  if (body.contactEmail !== undefined) patch.contact_email = body.contactEmail;
  if (body.endpointUrl !== undefined) patch.endpoint_url = body.endpointUrl.trim();
  if (body.httpMethod !== undefined) patch.http_method = body.httpMethod;
  if (body.contentType !== undefined) patch.content_type = body.contentType;
  if (body.authMethod !== undefined) patch.auth_method = body.authMethod;
  if (body.authToken !== undefined) patch.auth_token = body.authToken;
  if (body.authHeaderName !== undefined) patch.auth_header_name = body.authHeaderName;
  if (body.minBidAmount !== undefined) patch.min_bid_amount = moneyColumn(body.minBidAmount);
  if (body.maxBidAmount !== undefined) patch.max_bid_amount = moneyColumn(body.maxBidAmount);
  if (body.currency !== undefined) patch.currency = body.currency;
  if (body.timeoutMs !== undefined) patch.timeout_ms = body.timeoutMs;
  if (body.isActive !== undefined) patch.is_active = body.isActive;
  if (body.states !== undefined) patch.states = listColumn(body.states);
  if (body.excludedStates !== undefined) patch.excluded_states = listColumn(body.excludedStates);
  if (body.zipCodes !== undefined) patch.zip_codes = listColumn(body.zipCodes);
  if (body.excludedZipCodes !== undefined) patch.excluded_zip_codes = listColumn(body.excludedZipCodes);
  if (body.requestBody !== undefined) patch.request_body = body.requestBody;
  if (body.bidAmountPath !== undefined) patch.bid_amount_path = body.bidAmountPath;
  if (body.destinationNumberPath !== undefined) patch.destination_number_path = body.destinationNumberPath;
  if (body.currencyPath !== undefined) patch.currency_path = body.currencyPath;
  if (body.durationPath !== undefined) patch.duration_path = body.durationPath;
  if (body.acceptancePath !== undefined) patch.acceptance_path = body.acceptancePath;
  if (body.maxConcurrentCalls !== undefined) patch.max_concurrent_calls = body.maxConcurrentCalls;
  if (body.hourlyCap !== undefined) patch.hourly_cap = body.hourlyCap;
  if (body.dailyCap !== undefined) patch.daily_cap = body.dailyCap;
  if (body.monthlyCap !== undefined) patch.monthly_cap = body.monthlyCap;
  return patch;
}

/** scheme://host:port with default ports dropped and the host lower-cased; null when unparsable. */
function originOf(url: string): string | null {
  try {
    return new URL(url.trim()).origin;
  } catch {
    return null;
  }
}

/**
 * Stored credentials belong to the endpoint they were given for: an update that moves the target
 * to another scheme, host or port without sending a token forgets the stored one (and its method
 * becomes `none` unless the request names one, which then needs a token). Without this, a manager
 * could point the target at their own host and read the write-only token on the next bid.
 */
export function forgetMovedCredentials(current: RtbTargetRow, body: RtbTargetUpdate): RtbTargetUpdate {
  if (body.endpointUrl === undefined || body.authToken !== undefined) return body;
  if (originOf(body.endpointUrl) === originOf(current.endpoint_url)) return body;
  if (current.auth_token === null && current.auth_method === 'none') return body;
  return { ...body, authToken: null, authMethod: body.authMethod ?? 'none' };
}

/** What a target will look like after a create or an update, as far as the cross-field checks go. */
export interface TargetSettings {
  minBidAmount: number;
  maxBidAmount: number;
  authMethod: AuthMethod;
  authToken: string | null;
  authHeaderName: string | null;
}

/** The migration's defaults, for a create that leaves fields out. */
export const NEW_TARGET_SETTINGS: TargetSettings = {
  minBidAmount: 0,
  maxBidAmount: 1000,
  authMethod: 'none',
  authToken: null,
  authHeaderName: null,
};

export function storedSettings(row: RtbTargetRow): TargetSettings {
  return {
    minBidAmount: Number(row.min_bid_amount),
    maxBidAmount: Number(row.max_bid_amount),
    authMethod: row.auth_method,
    authToken: row.auth_token,
    authHeaderName: row.auth_header_name,
  };
}

/** The settings once `body` is applied over `base` (stored values on update, defaults on create). */
export function mergeSettings(base: TargetSettings, body: RtbTargetUpdate): TargetSettings {
  return {
    minBidAmount: body.minBidAmount ?? base.minBidAmount,
    maxBidAmount: body.maxBidAmount ?? base.maxBidAmount,
    authMethod: body.authMethod ?? base.authMethod,
    authToken: body.authToken !== undefined ? body.authToken : base.authToken,
    authHeaderName: body.authHeaderName !== undefined ? body.authHeaderName : base.authHeaderName,
  };
}

/** Problems the schema cannot see, judged on the merged settings. Never echoes the token. */
export function settingsProblems(settings: TargetSettings): Record<string, string> {
  const problems: Record<string, string> = {};
  if (moneyCents(settings.minBidAmount) > moneyCents(settings.maxBidAmount)) {
    problems.maxBidAmount = 'must be at least minBidAmount';
  }
  if (settings.authMethod !== 'none' && (settings.authToken === null || settings.authToken === '')) {
    problems.authToken = `is required when authMethod is ${settings.authMethod}`;
  }
  const header = settings.authHeaderName;
  if (settings.authMethod === 'api_key' && header !== null && RESERVED_AUTH_HEADERS.has(header.toLowerCase())) {
    problems.authHeaderName = `cannot be ${header}: the bid request sets that header itself`;
  }
  return problems;
}

/**
 * A kept request template is shown redacted with the target's token forms only: when an update
 * forgets, clears or replaces the stored token, or reads it under another method, a template that
 * carries one of the stored token's forms would be answered (and sent) with it whole. Such an
 * update must send a template of its own. Never echoes the token.
 */
export function templateProblems(current: RtbTargetRow, body: RtbTargetUpdate, settings: TargetSettings): Record<string, string> {
  if (body.requestBody !== undefined || current.request_body === null) return {};
  const stored = tokenSecrets(current.auth_method, current.auth_token);
  if (stored.length === 0) return {};
  const shown = redact(current.request_body, tokenSecrets(settings.authMethod, settings.authToken));
  if (!stored.some((form) => shown.includes(form))) return {};
  return { requestBody: 'carries the stored authToken, which this change removes: send a new requestBody with the change' };
}

/** Compare amounts exactly as the database will store them (4 decimals, as moneyColumn writes). */
function moneyCents(amount: number): number {
  return Math.round(Number(moneyColumn(amount)) * 10_000);
}

/** An api_key target without a header name gets the default one (stored, so it shows). */
export function headerNameDefault(settings: TargetSettings): string | null {
  return settings.authMethod === 'api_key' && settings.authHeaderName === null ? DEFAULT_API_KEY_HEADER : settings.authHeaderName;
}
