// The compactor folds deltas while calls are written and changed at the same time (issue 6):
// nothing is counted twice or lost — the summaries end up equal to the base tables, and every
// delta is folded once the writers stop.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTotals } from '../../server/reports/call-figures.js';
import { foldAllDeltas, foldDeltas } from '../../server/reports/rollups.js';
import { createCampaign, registerOrg } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { insertCall } from './fixture.js';

let t: TestApp;

beforeAll(async () => {
  // The app's own compactor runs every 5 ms beside the test's.
  t = await startTestApp({ env: { REPORT_ROLLUP_INTERVAL_MS: '5' } });
});
afterAll(async () => t.close());

describe('folding while writing', () => {
  it('keeps the summaries equal to the base tables', async () => {
    const owner = await registerOrg(t, 'Compactor Org');
    const campaign = await createCampaign(owner.client, { name: 'Busy', enableRtb: false });
    const start = Date.UTC(2025, 5, 1);
    let writing = true;
    const folder = (async () => {
      let folds = 0;
      while (writing) folds += (await foldDeltas(t.db, 13)) > 0 ? 1 : 0;
      return folds;
    })();
    const writers = Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; i < 40; i += 1) {
        const at = new Date(start + (w * 40 + i) * 97_000).toISOString();
        const id = await insertCall(t.db, owner.orgId, { at, campaignId: campaign.id, status: 'ringing' });
        if (i % 2 === 0) {
          await sql`UPDATE calls SET status = 'completed', status_rank = 4, duration_sec = ${i + 1}, revenue = ${i + 0.25}, revenue_qualified_at = now() WHERE id = ${id}`.execute(t.db);
        }
        if (i % 5 === 0) await t.db.updateTable('calls').set({ revenue_override: '1.00' }).where('id', '=', id).execute();
      }
    });
    await Promise.all(writers);
    writing = false;
    await folder;
    const window = { orgId: owner.orgId, from: new Date(start), to: new Date(start + 2 * 86_400_000), split: [] };
    const raw = await sql<{ calls: string; completed: string; revenue: string; duration: string }>`
      SELECT count(*) AS calls, count(*) FILTER (WHERE status = 'completed') AS completed,
        sum(COALESCE(revenue_override, revenue, 0)) AS revenue, sum(duration_sec) AS duration
      FROM calls WHERE org_id = ${owner.orgId}`.execute(t.db);
    const expected = raw.rows[0]!;
    const during = await callTotals(t.db, window);
    expect([during.calls, during.completed, during.revenue]).toEqual([160, 80, Number(expected.revenue)]);
    await foldAllDeltas(t.db);
    const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM call_stats_deltas WHERE org_id = ${owner.orgId}`.execute(t.db);
    expect(Number(rows[0]!.n)).toBe(0);
    const summed = await sql<{ calls: string; completed: string; revenue: string; duration: string }>`
      SELECT sum(calls) AS calls, sum(completed) AS completed, sum(revenue) AS revenue, sum(duration_sum) AS duration
      FROM call_stats_h WHERE org_id = ${owner.orgId}`.execute(t.db);
    expect(summed.rows[0]).toEqual({ calls: '160', completed: '80', revenue: expected.revenue, duration: expected.duration });
  });
});
