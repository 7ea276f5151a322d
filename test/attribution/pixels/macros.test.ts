// Pixel macros and the worker's verdicts (pure): encoding, unknown macros, missing values, retries.
import { describe, expect, it } from 'vitest';
import { formatAmount, pixelBody, renderMacros, tagValue, withPlaceholders, type CallFacts } from '../../../server/attribution/pixels/macros.js';
import type { CallAttribution } from '../../../db/types.js';
import { verdictOf } from '../../../server/attribution/pixels/worker.js';

const FACTS: CallFacts = {
  event: 'conversion',
  callSid: 'CA0123',
  callerId: '+1 (310) 555-1234',
  campaignId: '4f1c2b3a-5d6e-4f70-8a9b-0c1d2e3f4a5b',
  durationSec: 125,
  payout: '25.5000',
  at: new Date('2025-08-04T10:00:00.000Z'),
};

const ATTRIBUTION: CallAttribution = {
  sessionId: 's_1',
  utmSource: 'google ads',
  utmMedium: 'cpc',
  utmCampaign: null,
  utmTerm: null,
  utmContent: null,
  clickIds: { clickid: 'rt&1', gclid: 'G-1' },
  landingUrl: 'https://lp.example/?sub1=a%2Bb&gclid=from-url&utm_source=from-url',
  referrer: 'https://ref.example/',
  domain: 'lp.example',
};

describe('tag macros', () => {
  it.each([
    ['User', 'clickid', 'rt&1'],
    ['User', 'gclid', 'G-1'],
    ['User', 'utm_source', 'google ads'],
    ['User', 'utmMedium', 'cpc'],
    ['User', 'sub1', 'a+b'],
    ['User', 'msclkid', ''],
    ['User', 'utm_campaign', ''],
    ['Session', 'sessionId', 's_1'],
    ['Session', 'landingUrl', ATTRIBUTION.landingUrl!],
    ['Session', 'referrer', 'https://ref.example/'],
    ['Session', 'domain', 'lp.example'],
    ['Session', 'utm_source', 'google ads'],
    ['Session', 'clickid', ''],
    ['Session', 'constructor', ''],
    ['User', 'constructor', ''],
    ['Other', 'clickid', ''],
  ])('[tag:%s:%s] is %j', (kind, name, value) => {
    expect(tagValue(ATTRIBUTION, kind, name)).toBe(value);
  });

  it('prefers the session\'s click ids and UTM fields over the landing page\'s parameters', () => {
    expect(renderMacros('https://x.example/p?g=[tag:User:gclid]&s=[tag:User:utm_source]&c=[tag:User:clickid]', { ...FACTS, attribution: ATTRIBUTION })).toBe(
      'https://x.example/p?g=G-1&s=google%20ads&c=rt%261',
    );
  });

  it('is empty for an unattributed call, and a landing URL that does not parse gives nothing', () => {
    expect(tagValue(null, 'User', 'clickid')).toBe('');
    expect(tagValue({ ...ATTRIBUTION, landingUrl: 'not a url' }, 'User', 'sub1')).toBe('');
  });
});

describe('renderMacros', () => {
  it.each([
    ['[Call:ConversionPayout]', '25.5'],
    ['[Call:CallerId]', '%2B1%20(310)%20555-1234'],
    ['[Call:CallSid]', 'CA0123'],
    ['[Call:Duration]', '125'],
    ['[Call:Event]', 'conversion'],
    ['[Call:Timestamp]', '2025-08-04T10%3A00%3A00.000Z'],
    ['[Call:CampaignId]', '4f1c2b3a-5d6e-4f70-8a9b-0c1d2e3f4a5b'],
    ['[tag:User:clickid]', ''],
    ['[tag:Session:utm_source]', ''],
  ])('replaces %s by its URL-encoded value', (macro, value) => {
    expect(renderMacros(`https://x.example/p?v=${macro}`, FACTS)).toBe(`https://x.example/p?v=${value}`);
  });

  it('replaces every occurrence and leaves the rest of the URL as it is', () => {
    expect(renderMacros('https://x.example/[Call:Event]?a=[Call:CallSid]&b=[Call:CallSid]&c[]=1', FACTS)).toBe(
      'https://x.example/conversion?a=CA0123&b=CA0123&c[]=1',
    );
  });

  it('replaces unknown macros by the empty string, so none of our syntax leaks', () => {
    expect(renderMacros('https://x.example/p?a=[Call:Nope]&b=[tag:Other:x]&c=[Call:CallSid]', FACTS)).toBe('https://x.example/p?a=&b=&c=CA0123');
  });

  it('renders missing values as empty strings', () => {
    const bare: CallFacts = { ...FACTS, callerId: null, campaignId: null, durationSec: null, payout: null };
    expect(renderMacros('p=[Call:ConversionPayout]&c=[Call:CallerId]&d=[Call:Duration]&k=[Call:CampaignId]', bare)).toBe('p=&c=&d=&k=');
  });

  it('encodes characters that would change the URL’s meaning', () => {
    expect(renderMacros('?c=[Call:CallerId]', { ...FACTS, callerId: 'a&b=c#d/e?' })).toBe('?c=a%26b%3Dc%23d%2Fe%3F');
  });

  it('formats amounts without trailing zeros', () => {
    expect([formatAmount('25.5000'), formatAmount('0.0000'), formatAmount('100'), formatAmount(null)]).toEqual(['25.5', '0', '100', '']);
  });

  it('replaces macros by a placeholder for the save-time URL check', () => {
    expect(withPlaceholders('https://[tag:User:sub].example.com/[Call:CallSid]')).toBe('https://x.example.com/x');
    expect(() => new URL(withPlaceholders('https://[tag:User:sub].example.com/'))).not.toThrow();
  });
});

describe('pixelBody', () => {
  it('is the call facts as JSON, values not encoded', () => {
    expect(JSON.parse(pixelBody(FACTS))).toEqual({
      event: 'conversion',
      callSid: 'CA0123',
      callerId: '+1 (310) 555-1234',
      campaignId: FACTS.campaignId,
      durationSec: 125,
      payout: 25.5,
      timestamp: '2025-08-04T10:00:00.000Z',
    });
    expect(JSON.parse(pixelBody({ ...FACTS, payout: null, durationSec: null }))).toMatchObject({ payout: null, durationSec: null });
  });
});

describe('verdictOf', () => {
  const limits = { maxAttempts: 3, retryBaseMs: 1000 };
  const answer = (status: number) => ({ ok: true as const, status, headers: {}, body: '', durationMs: 1 });
  const failure = (kind: 'timeout' | 'blocked' | 'connect_error') => ({ ok: false as const, kind, message: kind, durationMs: 1 });

  it('delivers on any 2xx', () => {
    expect(verdictOf(answer(204), 1, limits)).toEqual({ kind: 'delivered' });
  });

  it('retries with exponential backoff, 3 tries in all', () => {
    expect(verdictOf(answer(500), 1, limits)).toEqual({ kind: 'retry', delayMs: 1000 });
    expect(verdictOf(failure('timeout'), 2, limits)).toEqual({ kind: 'retry', delayMs: 2000 });
    expect(verdictOf(failure('connect_error'), 3, limits)).toEqual({ kind: 'failed' });
  });

  it('treats a refused address and a 4xx other than 408 / 429 as permanent; 3xx, 408 and 429 are retried', () => {
    expect(verdictOf(failure('blocked'), 1, limits)).toEqual({ kind: 'failed' });
    expect(verdictOf(answer(404), 1, limits)).toEqual({ kind: 'failed' });
    expect(verdictOf(answer(408), 1, limits).kind).toBe('retry');
    expect(verdictOf(answer(429), 1, limits).kind).toBe('retry');
    expect(verdictOf(answer(302), 1, limits).kind).toBe('retry');
  });

  describe('Retry-After on a 429 or 503 (seconds or an HTTP date) sets the next try, at most the longest backoff', () => {
    // 8 tries from 60 s: backoffs 1, 2, 4 … 64 min; the longest is 64 min.
    const hourly = { maxAttempts: 8, retryBaseMs: 60_000 };
    const now = Date.parse('2025-08-04T12:00:00.000Z');
    const told = (status: number, retryAfter: string) => ({ ok: true as const, status, headers: { 'retry-after': retryAfter }, body: '', durationMs: 1 });

    it('waits the seconds asked (longer than the backoff), capped at the longest backoff', () => {
      expect(verdictOf(told(429, '600'), 1, hourly, now)).toEqual({ kind: 'retry', delayMs: 600_000 });
      expect(verdictOf(told(503, ' 300 '), 2, hourly, now)).toEqual({ kind: 'retry', delayMs: 300_000 });
      expect(verdictOf(told(429, '86400'), 1, hourly, now)).toEqual({ kind: 'retry', delayMs: 64 * 60_000 });
    });

    it('reads an HTTP date', () => {
      expect(verdictOf(told(429, 'Mon, 04 Aug 2025 12:15:00 GMT'), 1, hourly, now)).toEqual({ kind: 'retry', delayMs: 15 * 60_000 });
      expect(verdictOf(told(503, 'Tue, 05 Aug 2025 12:00:00 GMT'), 1, hourly, now)).toEqual({ kind: 'retry', delayMs: 64 * 60_000 });
    });

    it('never retries sooner than the backoff; ignores a past date, garbage, and other statuses', () => {
      expect(verdictOf(told(429, '5'), 3, hourly, now)).toEqual({ kind: 'retry', delayMs: 240_000 });
      expect(verdictOf(told(429, 'Mon, 04 Aug 2025 11:00:00 GMT'), 1, hourly, now)).toEqual({ kind: 'retry', delayMs: 60_000 });
      expect(verdictOf(told(429, 'soon'), 1, hourly, now)).toEqual({ kind: 'retry', delayMs: 60_000 });
      expect(verdictOf(told(429, '-30'), 1, hourly, now)).toEqual({ kind: 'retry', delayMs: 60_000 });
      expect(verdictOf(told(500, '600'), 1, hourly, now)).toEqual({ kind: 'retry', delayMs: 60_000 });
      // The last try is the last, whatever the receiver asks.
      expect(verdictOf(told(429, '600'), 8, hourly, now)).toEqual({ kind: 'failed' });
    });
  });
});
