// The order the dialer takes a campaign's leads in (server/dialer/loop/queries.ts claimDueLeads):
// leads whose call-back time has come first, then leads never scheduled by priority — urgent,
// high, normal, low — oldest first within one priority.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimDueLeads } from '../../server/dialer/loop/queries.js';
import { type Member, registerOrg } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let owner: Member;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Lead Order Org');
});
afterAll(async () => t?.close());

async function lead(campaignId: string, phone: string, priority: 'low' | 'normal' | 'high' | 'urgent'): Promise<string> {
  const res = await owner.client.POST('/api/leads', { body: { phone, campaignId, priority } });
  expect(res.response.status).toBe(201);
  return res.data!.id;
}

describe('the order leads are dialled in', () => {
  it('call-backs due first, then the never scheduled by priority, oldest first within one', async () => {
    const campaign = (await owner.client.POST('/api/campaigns', { body: { name: 'Ordered', direction: 'outbound' } as never })).data!;
    const lowOld = await lead(campaign.id, '+14155550301', 'low');
    const normal = await lead(campaign.id, '+14155550302', 'normal');
    const urgent = await lead(campaign.id, '+14155550303', 'urgent');
    const high = await lead(campaign.id, '+14155550304', 'high');
    const urgentLater = await lead(campaign.id, '+14155550305', 'urgent');
    const callBack = await lead(campaign.id, '+14155550306', 'low');
    // Created in this order, a moment apart; the call-back is due.
    for (const [i, id] of [lowOld, normal, urgent, high, urgentLater, callBack].entries()) {
      await sql`UPDATE leads SET created_at = now() - make_interval(secs => ${60 - i}) WHERE id = ${id}`.execute(t.db);
    }
    await sql`UPDATE leads SET next_call_at = now() - interval '1 minute' WHERE id = ${callBack}`.execute(t.db);

    const claimed = await t.db.transaction().execute((trx) => claimDueLeads(trx, campaign.id, 10));
    expect(claimed.map((l) => l.id)).toEqual([callBack, urgent, urgentLater, high, normal, lowOld]);
  });

  it('the never scheduled can be read in that order from leads_fresh_priority_idx (the claim\'s expression matches it)', async () => {
    const plan = await t.db.transaction().execute(async (trx) => {
      // A test table is small enough for a sequential scan: the question is whether the index can serve the order.
      await sql`SET LOCAL enable_seqscan = off`.execute(trx);
      await sql`SET LOCAL enable_sort = off`.execute(trx);
      return sql<{ 'QUERY PLAN': string }>`
        EXPLAIN SELECT id FROM leads
         WHERE campaign_id = '00000000-0000-4000-8000-000000000000' AND dial_status IN ('pending', 'queued') AND NOT do_not_call AND next_call_at IS NULL
         ORDER BY CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END, created_at, id
         LIMIT 10`.execute(trx);
    });
    const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(text).toContain('leads_fresh_priority_idx');
    expect(text).not.toContain('Sort');
  });
});
