// Builders shared by the RTB tests.
import type { AuctionSettings, CallContext, RtbTargetConfig } from '../../../server/rtb/engine/types.js';

export function makeTarget(overrides: Partial<RtbTargetConfig> = {}): RtbTargetConfig {
  const id = overrides.id ?? 1;
  return {
    id,
    name: `Target ${id}`,
    endpointUrl: `https://buyer${id}.example.com/bid`,
    httpMethod: 'POST',
    contentType: 'application/json',
    authMethod: 'none',
    authToken: null,
    authHeaderName: null,
    minBidAmount: 1,
    maxBidAmount: 100,
    currency: 'USD',
    timeoutMs: 5000,
    states: [],
    excludedStates: [],
    zipCodes: [],
    excludedZipCodes: [],
    requestBody: null,
    bidAmountPath: null,
    destinationNumberPath: null,
    currencyPath: null,
    durationPath: null,
    acceptancePath: null,
    priority: 1,
    isActive: true,
    ...overrides,
  };
}

export function makeContext(overrides: Partial<CallContext> = {}): CallContext {
  return {
    requestId: 'req_1',
    campaignId: 'camp_1',
    callerId: '+12125551234',
    callerState: 'CA',
    callerZip: '90210',
    callStartTime: new Date('2025-08-04T12:00:00.000Z'),
    ...overrides,
  };
}

export function makeSettings(overrides: Partial<AuctionSettings> = {}): AuctionSettings {
  return { biddingTimeoutMs: 1000, minBiddersRequired: 1, callerIdRequired: false, auctionType: 'first_price', ...overrides };
}

export function bidBody(amount: unknown, destination = '+19876543210', extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ bidAmount: amount, destinationNumber: destination, accepted: true, currency: 'USD', ...extra });
}
