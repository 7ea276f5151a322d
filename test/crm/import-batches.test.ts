// The import worker writes two batches at once and commits them in order (worker.ts): a number
// repeated in the next batch, or far later, is one lead and counted as a duplicate, and the counts
// add up over many batches. (Resuming from the checkpoint is import-restart.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimImport, insertImport } from '../../server/crm/imports/queries.js';
import { runImport } from '../../server/crm/imports/worker.js';
import { createCampaign, type Member, registerOrg } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let owner: Member;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Batches Org');
});
afterAll(async () => t.close());

async function importFile(csv: string, batchRows: number) {
  const campaign = await createCampaign(owner.client, { name: `Batches ${Math.random()}` });
  const imp = await insertImport(t.db, { orgId: owner.orgId, campaignId: campaign.id, userId: owner.id, options: { defaultCountry: 'US', hasHeader: true } });
  await t.db.insertInto('lead_import_chunks').values({ import_id: imp.id, seq: 0, data: Buffer.from(csv) }).execute();
  const claimed = (await claimImport(t.db, 60_000))!;
  expect(claimed.id).toBe(imp.id);
  const outcome = await runImport(t.db, claimed, { batchRows });
  const row = await t.db.selectFrom('lead_imports').selectAll().where('id', '=', imp.id).executeTakeFirstOrThrow();
  const leads = await t.db.selectFrom('leads').select(['phone_e164', 'name']).where('campaign_id', '=', campaign.id).orderBy('phone_e164').execute();
  return { outcome, row, leads };
}

const phone = (n: number) => `+1212555${String(n).padStart(4, '0')}`;

describe('batches written two at a time', () => {
  it('counts a number repeated in the next batch and in a later one as duplicates, and keeps the first', async () => {
    // Batches of 3: [1 2 3] [3 4 1] [5 6 7] [2 8 9] — 3 and 1 repeat in the next batch, 2 three batches on.
    const order = [1, 2, 3, 3, 4, 1, 5, 6, 7, 2, 8, 9];
    const csv = ['phone,name', ...order.map((n, i) => `${phone(n)},Row ${i + 1}`)].join('\n');
    const { outcome, row, leads } = await importFile(csv, 3);
    expect(outcome).toBe('completed');
    expect(row).toMatchObject({ status: 'completed', total_rows: 12, valid_rows: 12, inserted_rows: 9, duplicate_rows: 3 });
    expect(leads.map((l) => l.phone_e164)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].map(phone));
    // The first row with a number is the lead (rows 1, 2 and 3, not their repeats).
    expect(leads.slice(0, 3).map((l) => l.name)).toEqual(['Row 1', 'Row 2', 'Row 3']);
  });

  it('a file of many batches ends with every row counted once', async () => {
    const rows = 2_003;
    const csv = ['phone,name', ...Array.from({ length: rows }, (_, i) => `${phone(i % 1_500)},Lead ${i}`)].join('\n');
    const { row, leads } = await importFile(csv, 100);
    expect(row).toMatchObject({ status: 'completed', total_rows: rows, valid_rows: rows, inserted_rows: 1_500, duplicate_rows: rows - 1_500 });
    expect(leads).toHaveLength(1_500);
  });
});

describe('one import per campaign at a time', () => {
  it('an import waits while another into the same campaign (or the same lack of one) runs under a live lease', async () => {
    const [first, second] = [await createCampaign(owner.client, { name: 'One at a time' }), await createCampaign(owner.client, { name: 'Another' })];
    const queue = async (campaignId: string | null) => {
      const imp = await insertImport(t.db, { orgId: owner.orgId, campaignId, userId: owner.id, options: { defaultCountry: 'US', hasHeader: true } });
      await t.db.insertInto('lead_import_chunks').values({ import_id: imp.id, seq: 0, data: Buffer.from(`phone\n${phone(9000)}\n`) }).execute();
      return imp.id;
    };
    const a = await queue(first.id);
    const b = await queue(first.id);
    const c = await queue(second.id);
    const d = await queue(null);
    const e = await queue(null);
    const claimed = [(await claimImport(t.db, 60_000))?.id, (await claimImport(t.db, 60_000))?.id, (await claimImport(t.db, 60_000))?.id];
    expect(claimed).toEqual([a, c, d]);
    // b and e wait for a and d ...
    expect(await claimImport(t.db, 60_000)).toBeUndefined();
    // ... which, given back (a stopping worker) or ended, let them run.
    await t.db.updateTable('lead_imports').set({ locked_until: null }).where('id', '=', a).execute();
    expect((await claimImport(t.db, 60_000))?.id).toBe(a);
    await t.db.updateTable('lead_imports').set({ status: 'completed', locked_until: null }).where('id', 'in', [a, d]).execute();
    expect([(await claimImport(t.db, 60_000))?.id, (await claimImport(t.db, 60_000))?.id]).toEqual([b, e]);
    await t.db.updateTable('lead_imports').set({ status: 'completed', locked_until: null }).where('id', 'in', [b, c, e]).execute();
  });
});
