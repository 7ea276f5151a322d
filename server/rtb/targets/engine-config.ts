// A stored target as the auction engine sees it. Its own module: the queries that load targets
// for an auction and the API's presentation (mapping.ts) both use it, and neither imports the other.
import type { RtbTargetRow } from '../../../db/types.js';
import type { RtbTargetConfig } from '../engine/types.js';
import { DEFAULT_API_KEY_HEADER } from './defaults.js';

/** The auction's view of an assigned target (the token included: the adapter needs it). */
export function toTargetConfig(row: RtbTargetRow, assignment: { priority: number; isActive: boolean }): RtbTargetConfig {
  return {
    id: row.id,
    name: row.name,
    endpointUrl: row.endpoint_url,
    httpMethod: row.http_method,
    contentType: row.content_type,
    authMethod: row.auth_method,
    authToken: row.auth_token,
    authHeaderName: row.auth_method === 'api_key' ? (row.auth_header_name ?? DEFAULT_API_KEY_HEADER) : row.auth_header_name,
    minBidAmount: Number(row.min_bid_amount),
    maxBidAmount: Number(row.max_bid_amount),
    currency: row.currency,
    timeoutMs: row.timeout_ms,
    states: [...row.states],
    excludedStates: [...row.excluded_states],
    zipCodes: [...row.zip_codes],
    excludedZipCodes: [...row.excluded_zip_codes],
    requestBody: row.request_body,
    bidAmountPath: row.bid_amount_path,
    destinationNumberPath: row.destination_number_path,
    currencyPath: row.currency_path,
    durationPath: row.duration_path,
    acceptancePath: row.acceptance_path,
    priority: assignment.priority,
    isActive: row.is_active && assignment.isActive,
  };
}
