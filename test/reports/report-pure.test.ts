// The pure parts of analytics and generated reports: ratios, the PDF's page layout and cell
// formats, the request's checks and seed 003's named periods.
import { describe, expect, it } from 'vitest';
import { analyticsPeriod } from '../../server/reports/analytics/period.js';
import { formatCell, formatSeconds, printable } from '../../server/reports/generate/format.js';
import { fitText, layoutTable, nameList } from '../../server/reports/generate/pdf-layout.js';
import { reportRequestOf } from '../../server/reports/generate/request.js';
import { ratio, share } from '../../server/reports/tallies.js';

const PAGE = { width: 800, height: 600, margin: 40, footerHeight: 20 };
const NOW = Date.parse('2025-03-12T15:00:00Z'); // a Wednesday

describe('ratios', () => {
  it('round half away from zero, as numeric does; nothing over nothing is null (a share 0)', () => {
    expect([ratio(505, 6, 2), ratio(1, 8, 2), ratio(2, 3, 4), ratio(1, 0, 2), share(0, 0), share(3, 8)]).toEqual([84.17, 0.13, 0.6667, null, 0, 0.375]);
  });
});

describe('PDF layout', () => {
  const input = { weights: [3, 1, 1], minWidths: [100, 40, 40], rowHeight: 20, headerHeight: () => 30, firstTop: 140 };

  it('gives each column its minimum and shares the rest by weight', () => {
    const { widths, left } = layoutTable({ ...input, rowCount: 1 }, PAGE);
    expect(widths).toEqual([100 + 540 * 0.6, 40 + 540 * 0.2, 40 + 540 * 0.2]);
    expect(left).toEqual([40, 464, 612]);
    const squeezed = layoutTable({ ...input, minWidths: [720, 360, 360], rowCount: 1 }, PAGE);
    expect(squeezed.widths).toEqual([360, 180, 180]);
  });

  it('puts the header on every page, as many rows as fit, the totals after the last row', () => {
    // First page: (600 - 40 - 20 - 140 - 30) / 20 = 18 rows; the others (540 - 40 - 30) / 20 = 23.5 → 23.
    const { pages } = layoutTable({ ...input, rowCount: 50 }, PAGE);
    expect(pages.map((p) => [p.top, p.rows.length, p.rows[0], p.totals])).toEqual([
      [140, 18, 0, false],
      [40, 23, 18, false],
      [40, 9, 41, true],
    ]);
  });

  it('gives the totals a page of their own (under the header) when the last page is full, and works without rows', () => {
    const full = layoutTable({ ...input, rowCount: 18 }, PAGE).pages;
    expect(full.map((p) => [p.rows.length, p.totals])).toEqual([
      [18, false],
      [0, true],
    ]);
    expect(layoutTable({ ...input, rowCount: 0 }, PAGE).pages).toEqual([{ top: 140, rows: [], totals: true }]);
  });

  it('cuts text that does not fit with an ellipsis', () => {
    const measure = (s: string) => s.length * 5;
    expect(fitText('Agent Ann', 100, measure)).toBe('Agent Ann');
    expect(fitText('Agent Annabelle-Marie', 50, measure)).toBe('Agent Ann…');
  });

  it('lists the names a filter picked on one line: as many as fit, then how many more', () => {
    const measure = (s: string) => s.length * 5;
    expect(nameList([], 100, measure)).toBe('all');
    expect(nameList(['Alpha', 'Beta'], 100, measure)).toBe('Alpha, Beta');
    expect(nameList(['Alpha', 'Beta', 'Gamma', 'Delta'], 120, measure)).toBe('Alpha, Beta and 2 more');
    expect(nameList(['A very long campaign name', 'Beta'], 100, measure)).toBe('A very l… and 1 more');
    const many = Array.from({ length: 100 }, (_, i) => `Agent ${i} ${'Y'.repeat(90)}`);
    expect(measure(nameList(many, 700, measure))).toBeLessThanOrEqual(700);
  });
});

describe('cell formats', () => {
  it('reads counts, durations, shares and nothing as people do; only what the standard fonts show', () => {
    expect([formatCell('count', 12345), formatCell('seconds', 59.6), formatCell('seconds', 3725), formatCell('share', 0.1867), formatCell('share', null), formatCell('text', 'Alpha')]).toEqual([
      '12,345',
      '1:00',
      '1:02:05',
      '18.7 %',
      '—',
      'Alpha',
    ]);
    expect(formatSeconds(0)).toBe('0:00');
    expect(printable('Zoë — 李 Acme\tCalls €')).toBe('Zoë — ? Acme Calls €');
  });
});

describe('report requests', () => {
  it('defaults: JSON, the last 30 days in UTC, the first grouping of the type', () => {
    const r = reportRequestOf({ reportType: 'call_outcomes' }, NOW);
    expect([r.format, r.period.startDate, r.period.endDate, r.period.timeZone, r.groupBy]).toEqual(['json', '2025-02-11', '2025-03-12', 'UTC', 'day']);
    expect(reportRequestOf({ reportType: 'lead_conversion' }, NOW).groupBy).toBe('campaign');
    expect(reportRequestOf({ reportType: 'agent_performance' }, NOW).groupBy).toBe('agent');
  });

  it('takes outcomes in either spelling, once each', () => {
    const r = reportRequestOf({ reportType: 'agent_performance', filters: { outcomes: ['Interested', 'interested', 'Callback Requested'] } }, NOW);
    expect(r.outcomes).toEqual(['interested', 'callback_requested']);
  });

  it.each([
    [{ reportType: 'call_outcomes', dateRange: { start: '2025-03-02', end: '2025-03-01' } }, 'dateRange.start'],
    [{ reportType: 'call_outcomes', dateRange: { start: '2024-01-01', end: '2025-01-01' } }, 'dateRange.end'],
    [{ reportType: 'call_outcomes', timeZone: 'Nowhere/Town' }, 'timeZone'],
    [{ reportType: 'call_outcomes', groupBy: 'source' }, 'groupBy'],
    [{ reportType: 'agent_performance', groupBy: 'day' }, 'groupBy'],
    [{ reportType: 'lead_conversion', filters: { outcomes: ['Busy'] } }, 'filters.outcomes'],
  ] as const)('%j is a 400 naming %s', (body, field) => {
    expect(() => reportRequestOf(body as never, NOW)).toThrow(expect.objectContaining({ details: expect.objectContaining({ [field]: expect.any(String) }) }));
  });
});

describe("analytics periods (seed 003's names)", () => {
  it.each([
    [{}, 'last_30_days', '2025-02-11', '2025-03-12'],
    [{ period: 'today' }, 'today', '2025-03-12', '2025-03-12'],
    [{ period: 'this_week' }, 'this_week', '2025-03-10', '2025-03-12'],
    [{ period: 'last_7_days' }, 'last_7_days', '2025-03-06', '2025-03-12'],
    [{ period: 'last_90_days' }, 'last_90_days', '2024-12-13', '2025-03-12'],
    [{ startDate: '2025-01-01', endDate: '2025-01-31' }, 'custom', '2025-01-01', '2025-01-31'],
    // Sunday 2025-03-16 in Auckland already while it is Saturday in UTC: the week began Monday 03-10.
    [{ period: 'this_week', timeZone: 'Pacific/Auckland', now: '2025-03-15T12:00:00Z' }, 'this_week', '2025-03-10', '2025-03-16'],
  ] as const)('%j → %s %s … %s', (query, name, start, end) => {
    const now = 'now' in query ? Date.parse(query.now) : NOW;
    const got = analyticsPeriod(query as never, now);
    expect([got.name, got.period.startDate, got.period.endDate]).toEqual([name, start, end]);
  });

  it('refuses a named period with dates (400 naming period)', () => {
    expect(() => analyticsPeriod({ period: 'today', endDate: '2025-03-01' }, NOW)).toThrow(expect.objectContaining({ details: { period: expect.any(String) } }));
  });
});
