// RedTrack reports, pure: fingerprints (a retried postback is the same report) and what a report
// becomes on a visitor session.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONVERSION_TYPE, redtrackDataPatch, reportEvent, reportFingerprint, sessionFill } from '../../../server/attribution/redtrack/report.js';

describe('reportFingerprint', () => {
  it('is the same for the same body in any key order, and differs by kind and by any value', () => {
    const body = { clickid: 'c1', eventType: 'lead', conversionValue: 25 };
    const base = reportFingerprint('conversion', body);
    expect(reportFingerprint('conversion', { conversionValue: 25, eventType: 'lead', clickid: 'c1' })).toBe(base);
    expect(reportFingerprint('conversion', { ...body, conversionValue: 25.01 })).not.toBe(base);
    expect(reportFingerprint('quality', body)).not.toBe(base);
    expect(reportFingerprint('conversion', { ...body, sessionId: undefined })).toBe(base);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('what a report changes', () => {
  it('gives RedTrack ids to every kind, and source/medium/timestamp only from a session report', () => {
    const report = { clickid: 'c1', campaign_id: 'rc', source: 'google', medium: 'cpc', timestamp: '2025-08-04T12:00:00Z' };
    expect(redtrackDataPatch('session', report)).toEqual({ clickid: 'c1', campaign_id: 'rc', source: 'google', medium: 'cpc', timestamp: '2025-08-04T12:00:00Z' });
    expect(redtrackDataPatch('conversion', report)).toEqual({ clickid: 'c1', campaign_id: 'rc' });
    expect(sessionFill({ source: 'google' })).toEqual({ utmSource: 'google', utmMedium: null, landingUrl: null, referrer: null, userAgent: null });
  });

  it('turns a conversion into its event type (default when absent) and a quality report into call_quality', () => {
    expect(reportEvent('session', { clickid: 'c1' }, '1')).toBeNull();
    expect(reportEvent('conversion', { clickid: 'c1', conversionValue: 12.5, phoneNumber: '+12125551234' }, '7')).toEqual({
      eventType: DEFAULT_CONVERSION_TYPE,
      eventValue: '12.5',
      phoneNumber: '+12125551234',
      metadata: { clickid: 'c1', redtrack_attribution: true, redtrackEventId: 7 },
    });
    expect(reportEvent('quality', { sessionId: 's', conversionType: 'ConvertedCall', duration: 0, answered: false }, '8')).toEqual({
      eventType: 'call_quality',
      eventValue: null,
      phoneNumber: null,
      metadata: { conversionType: 'ConvertedCall', duration: 0, answered: false, redtrack_attribution: true, redtrackEventId: 8 },
    });
  });
});
