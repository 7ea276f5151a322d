// The one place telephony failures become HTTP answers (unit, no server).
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../server/platform/errors.js';
import { blamedField, telephonyFailure, type NumberOperation } from '../../../server/inbound/numbers/provider-errors.js';
import { TelephonyError, type TelephonyErrorKind } from '../../../server/telephony/types.js';

function answer(err: unknown, op: NumberOperation): { status: number; code: string; details: unknown } {
  const mapped = telephonyFailure(err, op);
  expect(mapped).toBeInstanceOf(AppError);
  return { status: mapped.statusCode, code: mapped.code, details: mapped.details };
}

describe('telephonyFailure', () => {
  const table: Array<[TelephonyErrorKind, NumberOperation, number]> = [
    ['provider_error', 'search', 502],
    ['provider_error', 'purchase', 502],
    ['provider_error', 'release', 502],
    ['invalid', 'search', 400],
    ['invalid', 'purchase', 400],
    ['invalid', 'release', 502],
    ['not_supported', 'search', 400],
    ['not_supported', 'purchase', 400],
    ['not_supported', 'release', 502],
    ['conflict', 'search', 400],
    ['conflict', 'purchase', 409],
    ['conflict', 'release', 502],
    ['not_found', 'search', 400],
    ['not_found', 'purchase', 409],
    ['not_found', 'release', 502],
  ];

  it.each(table)('%s during %s answers %i', (kind, op, status) => {
    const result = answer(new TelephonyError(kind, 'something happened'), op);
    expect(result.status).toBe(status);
    expect(result.code).toBe({ 400: 'VALIDATION_ERROR', 409: 'CONFLICT', 502: 'UPSTREAM_ERROR' }[status]);
  });

  it('answers 502 for anything that is not a TelephonyError (never a 500)', () => {
    for (const op of ['search', 'purchase', 'release'] as const) {
      for (const err of [new TypeError('fetch failed'), new Error('socket hang up'), 'string thrown', undefined, null]) {
        expect(answer(err, op)).toMatchObject({ status: 502, code: 'UPSTREAM_ERROR' });
      }
    }
  });

  it('keeps internal detail of provider failures out of the answer', () => {
    const err = new TelephonyError('provider_error', 'Twilio could not be reached: connect ECONNREFUSED 10.1.2.3:443', { providerStatus: 503 });
    const { details } = answer(err, 'purchase');
    expect(typeof details).toBe('string');
    expect(String(details)).not.toContain('10.1.2.3');
  });

  it('names the field the provider refused', () => {
    expect(answer(new TelephonyError('invalid', 'areaCode applies only to US and CA numbers'), 'search').details).toEqual({
      areaCode: 'areaCode applies only to US and CA numbers',
    });
    expect(answer(new TelephonyError('invalid', 'limit must be a whole number from 1 to 1000'), 'search').details).toMatchObject({ limit: expect.any(String) });
    expect(answer(new TelephonyError('invalid', 'friendlyName must be 1 to 64 characters'), 'purchase').details).toMatchObject({ friendlyName: expect.any(String) });
    expect(answer(new TelephonyError('invalid', '+1415 is not a simulator number'), 'purchase').details).toMatchObject({ phoneNumber: expect.any(String) });
    expect(answer(new TelephonyError('conflict', 'Twilio: Phone number requested is not available'), 'purchase').details).toMatchObject({ phoneNumber: expect.any(String) });
    expect(answer(new TelephonyError('not_found', 'Numbers in XX not found'), 'search').details).toMatchObject({ country: expect.any(String) });
  });

  it('maps the seed 001 name `type` to numberType, and unknown words to the fallback', () => {
    expect(blamedField('type must be one of local, tollFree, mobile', 'search')).toBe('numberType');
    expect(blamedField('Twilio: Invalid parameter', 'search')).toBe('request');
    expect(blamedField('Twilio: Invalid parameter', 'purchase')).toBe('phoneNumber');
    expect(blamedField('', 'release')).toBe('id');
  });
});
