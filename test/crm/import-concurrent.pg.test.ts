// Two imports of overlapping numbers into one campaign at the same time. Each writes a batch while
// the next is parsed and holds the batch's rows uncommitted until the batch before it commits; two
// such imports could each hold rows the other's earlier batch waits for, and wait for ever (the
// wait in the worker is invisible to PostgreSQL's deadlock detection). One import per campaign now
// runs at a time (claimImport). Real on a PostgreSQL server only: PGlite is one connection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertImport } from '../../server/crm/imports/queries.js';
import { drainImports } from '../../server/crm/imports/worker.js';
import { createCampaign, type Member, registerOrg } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let owner: Member;
beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Concurrent imports');
});
afterAll(async () => t.close());

const phone = (n: number) => `+1313${String(n).padStart(7, '0')}`;
const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => phone(from + i));

describe('two imports into one campaign at once', () => {
  it('both finish, every number inserted once and counted once', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Both' });
    const per = 3000;
    // Batch 1 of each file ends with a number that batch 2 of the other file starts with.
    const files = [
      ['phone', ...range(0, per - 1), phone(900_000), phone(900_001), ...range(100_000, per - 1)],
      ['phone', ...range(200_000, per - 1), phone(900_001), phone(900_000), ...range(300_000, per - 1)],
    ];
    const ids: string[] = [];
    for (const lines of files) {
      const imp = await insertImport(t.db, { orgId: owner.orgId, campaignId: campaign.id, userId: owner.id, options: { defaultCountry: 'US', hasHeader: true } });
      await t.db.insertInto('lead_import_chunks').values({ import_id: imp.id, seq: 0, data: Buffer.from(lines.join('\n')) }).execute();
      ids.push(imp.id);
    }
    // Two workers at once (the upload's own pass and the periodic one, or two servers).
    const workers = Promise.all([drainImports(t.db, { batchRows: per }), drainImports(t.db, { batchRows: per })]);
    const outcome = await Promise.race([workers, new Promise((resolve) => setTimeout(() => resolve('still waiting'), 30_000))]);
    expect(outcome).toEqual(expect.arrayContaining([expect.any(Number)]));
    expect((outcome as number[]).reduce((a, b) => a + b, 0)).toBe(2);
    const rows = await t.db.selectFrom('lead_imports').select(['status', 'total_rows', 'valid_rows', 'inserted_rows', 'duplicate_rows']).where('id', 'in', ids).execute();
    expect(rows.map((r) => r.status)).toEqual(['completed', 'completed']);
    expect(rows.map((r) => r.total_rows)).toEqual([2 * per, 2 * per]);
    expect(rows.reduce((sum, r) => sum + r.inserted_rows, 0)).toBe(4 * per - 2);
    expect(rows.reduce((sum, r) => sum + r.duplicate_rows, 0)).toBe(2);
    const count = await t.db.selectFrom('leads').select((eb) => eb.fn.countAll<string>().as('n')).where('campaign_id', '=', campaign.id).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(4 * per - 2);
  }, 60_000);
});
