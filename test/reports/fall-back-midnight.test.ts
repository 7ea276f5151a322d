// Reports by day in a zone whose clocks go back to midnight (Atlantic/Azores, 2025-10-26 01:00 →
// 00:00): the 25-hour day is one group and one row, not two with the same date.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Member, registerOrg } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { insertCall } from './fixture.js';

let t: TestApp;
let owner: Member;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Azores Reports Org');
  // Both on the local date 2025-10-26: 00:30 at +00:00 (before the change), 12:00 at -01:00.
  await insertCall(t.db, owner.orgId, { at: '2025-10-26T00:30:00Z', status: 'completed', duration: 60, revenue: '10.00' });
  await insertCall(t.db, owner.orgId, { at: '2025-10-26T13:00:00Z', status: 'completed', duration: 60, revenue: '20.00' });
});
afterAll(async () => t?.close());

describe('reports by day across a fall-back to midnight', () => {
  it('call-analytics gives the 25-hour day one group', async () => {
    const res = await owner.client.GET('/api/reports/call-analytics', {
      params: { query: { startDate: '2025-10-25', endDate: '2025-10-27', timeZone: 'Atlantic/Azores', groupBy: 'day' } },
    });
    expect(res.response.status).toBe(200);
    expect(res.data!.groupedData.map((g) => [g.groupKey, g.totalCalls, g.revenue])).toEqual([['2025-10-26', 2, 30]]);
  });

  it('the call_outcomes report lists each day of the period once', async () => {
    const res = await owner.client.POST('/api/reports/generate', {
      body: { reportType: 'call_outcomes', dateRange: { start: '2025-10-25', end: '2025-10-27' }, timeZone: 'Atlantic/Azores' },
    });
    expect(res.response.status).toBe(200);
    const rows = (res.data as { rows: Array<{ groupKey: string; calls: number }> }).rows;
    expect(rows.map((r) => [r.groupKey, r.calls])).toEqual([
      ['2025-10-25', 0],
      ['2025-10-26', 2],
      ['2025-10-27', 0],
    ]);
  });
});
