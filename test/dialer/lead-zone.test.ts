// Calling hours of a lead whose time zone nobody knows (neither the lead's nor the campaign's):
// read in every zone its number's country spans — callable only when it is callable in all of
// them — never in UTC, where 08:00 is 03:00 or 04:00 in New York (pure: sortDueLeads, as the dial
// loop and preview dialing use it).
import { describe, expect, it } from 'vitest';
import { leadZones, sortDueLeads } from '../../server/dialer/loop/selection.js';
import { ALL_WEEKDAYS } from '../../server/dialer/schedule/calling-hours.js';
import { DEFAULT_RETRY_POLICY } from '../../server/dialer/schedule/retry-policy.js';

const campaign = { calling_days: [...ALL_WEEKDAYS], calling_hours_start: '08:00', calling_hours_end: '21:00', time_zone: null, retry_policy: JSON.stringify(DEFAULT_RETRY_POLICY) };
const lead = (phone: string, zone: string | null = null) => ({ id: `lead-${phone}`, org_id: 'org', phone_e164: phone, time_zone: zone, call_attempts: 0 });
const utc = (iso: string) => new Date(iso);
const sort = (leads: ReturnType<typeof lead>[], at: Date, campaignZone: string | null = null) =>
  sortDueLeads(leads, { ...campaign, retry_policy: DEFAULT_RETRY_POLICY as never, time_zone: campaignZone }, new Set(), at, 10);

describe('a lead without a time zone', () => {
  it('a US number is not dialled at 08:00 UTC (04:00 in New York): due when it is 08:00 everywhere in the US', () => {
    const at = utc('2026-06-10T08:00:00Z');
    const sorted = sort([lead('+12125550123')], at);
    expect(sorted.dial).toEqual([]);
    // 08:00 in Honolulu (UTC−10, the last US zone to reach it) is 18:00 UTC, 14:00 in New York.
    expect(sorted.deferred).toEqual([{ id: 'lead-+12125550123', at: utc('2026-06-10T18:00:00Z') }]);
  });

  it('a US number is not dialled after 21:00 in New York even though it is still day in Hawaii', () => {
    // 01:30 UTC: 21:30 EDT, 15:30 HST.
    expect(sort([lead('+12125550123')], utc('2026-06-11T01:30:00Z')).dial).toEqual([]);
    // 19:00 UTC: 15:00 EDT, 09:00 HST: callable everywhere.
    expect(sort([lead('+12125550123')], utc('2026-06-10T19:00:00Z')).dial.map((d) => d.lead.id)).toEqual(['lead-+12125550123']);
  });

  it("a number whose country has one zone is read in it; the lead's own zone, then the campaign's, come first", () => {
    // 06:30 UTC is 07:30 in London (BST): not yet.
    expect(sort([lead('+442071234567')], utc('2026-06-10T06:30:00Z')).deferred).toEqual([{ id: 'lead-+442071234567', at: utc('2026-06-10T07:00:00Z') }]);
    expect(leadZones(lead('+12125550123', 'America/Chicago'), { time_zone: 'Europe/Paris' })).toEqual(['America/Chicago']);
    expect(leadZones(lead('+12125550123'), { time_zone: 'Europe/Paris' })).toEqual(['Europe/Paris']);
    expect(sort([lead('+12125550123')], utc('2026-06-10T08:00:00Z'), 'Europe/Paris').dial).toHaveLength(1);
  });
});
