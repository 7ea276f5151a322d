// An import survives a restart: stopped by a graceful shutdown it resumes where it stopped; left by
// a crashed worker it is taken over when the lease expires; stopped too often it fails visibly.
// And a 100 MB file, generated as it is sent, streams through in bounded memory.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimImport, finishImport, insertImport } from '../../server/crm/imports/queries.js';
import { drainImports, MAX_ATTEMPTS, runImport } from '../../server/crm/imports/worker.js';
import { createCampaign, type Member, PASSWORD, registerOrg } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { cookieOf, upload, waitForImport } from './helpers.js';

let t: TestApp;
let owner: Member;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Restart Org');
});
afterAll(async () => t.close());

function leadsCsv(count: number, prefix: string): string {
  return ['phone,name', ...Array.from({ length: count }, (_, i) => `+1${prefix}${String(i).padStart(7 - (prefix.length - 3), '0')},Lead ${i}`)].join('\n');
}

async function countLeads(campaignId: string): Promise<number> {
  const row = await t.db.selectFrom('leads').select((eb) => eb.fn.countAll<string>().as('n')).where('campaign_id', '=', campaignId).executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('a 100 MB file', () => {
  it('streams through upload, storage and import in bounded memory', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Big' });
    const rows = 50_000;
    const filler = 'x'.repeat(1990);
    const boundary = 'ccp-test-boundary-5d1f';
    const encoder = new TextEncoder();
    let sent = 0;
    async function* body() {
      yield encoder.encode(`--${boundary}\r\nContent-Disposition: form-data; name="campaignId"\r\n\r\n${campaign.id}\r\n`);
      yield encoder.encode(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\nContent-Type: text/csv\r\n\r\nphone,name,notes\r\n`);
      for (let start = 0; start < rows; start += 1000) {
        let block = '';
        for (let i = start; i < start + 1000; i += 1) block += `+1718${String(i).padStart(7, '0')},Big ${i},${filler}\r\n`;
        const bytes = encoder.encode(block);
        sent += bytes.length;
        yield bytes;
      }
      yield encoder.encode(`\r\n--${boundary}--\r\n`);
    }
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    const sampler = setInterval(() => {
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }, 20);
    try {
      const stream = ReadableStream.from(body());
      const response = await fetch(`${t.url}/api/leads/imports`, {
        method: 'POST',
        body: stream,
        duplex: 'half',
        headers: { cookie: cookieOf(owner), 'content-type': `multipart/form-data; boundary=${boundary}` },
      } as RequestInit);
      const accepted = (await response.json()) as { id: string; fileBytes: number };
      expect(response.status).toBe(202);
      expect(sent).toBeGreaterThan(100 * 1000 * 1000);
      expect(accepted.fileBytes).toBe(sent + 'phone,name,notes\r\n'.length);
      const done = await waitForImport(owner, accepted.id, 300_000);
      expect(done).toMatchObject({ status: 'completed', totalRows: rows, insertedRows: rows });
    } finally {
      clearInterval(sampler);
    }
    expect(await countLeads(campaign.id)).toBe(rows);
    // The JavaScript heap never held the file (the embedded database's own memory is not counted here).
    expect(heapPeak - heapBefore).toBeLessThan(150 * 1024 * 1024);
  }, 400_000);
});

describe('restarts', () => {
  it('a crashed worker\'s import is taken over when its lease expires, from its checkpoint', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Crash' });
    const accepted = await upload(t, owner, '/api/leads/imports', leadsCsv(12_000, '213'), { campaignId: campaign.id });
    await waitForImport(owner, accepted.body.id);
    // As if a worker had died after the first 5,000 rows: rows after the checkpoint deleted, the
    // import back to processing under an expired lease.
    await sql`DELETE FROM leads WHERE import_id = ${accepted.body.id}::uuid AND phone_e164 > '+12130004999'`.execute(t.db);
    await t.db
      .updateTable('lead_imports')
      .set({ status: 'processing', total_rows: 5000, valid_rows: 5000, inserted_rows: 5000, locked_until: new Date(Date.now() - 1000), completed_at: null })
      .where('id', '=', accepted.body.id)
      .execute();
    // (the file is removed at the end of an import: put it back as it was uploaded)
    await restoreFile(accepted.body.id, leadsCsv(12_000, '213'));
    expect(await countLeads(campaign.id)).toBe(5000);
    expect(await drainImports(t.db)).toBe(1);
    const done = await waitForImport(owner, accepted.body.id);
    expect(done).toMatchObject({ status: 'completed', totalRows: 12_000, insertedRows: 12_000, duplicateRows: 0 });
    expect(await countLeads(campaign.id)).toBe(12_000);
  });

  it('a worker whose lease lapsed and was taken over cannot finish the import nor drop the file the new worker reads', async () => {
    const accepted = await upload(t, owner, '/api/leads/imports', leadsCsv(10, '215'), {});
    await waitForImport(owner, accepted.body.id);
    // Taken over: the import is processing under attempt 3; the old worker held attempt 2.
    await t.db.updateTable('lead_imports').set({ status: 'processing', attempts: 3, completed_at: null }).where('id', '=', accepted.body.id).execute();
    await restoreFile(accepted.body.id, leadsCsv(10, '215'));
    await finishImport(t.db, accepted.body.id, 2, { status: 'failed', failure: 'CSV error seen by the stale worker' });
    const row = await t.db.selectFrom('lead_imports').select(['status', 'failure']).where('id', '=', accepted.body.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'processing', failure: null });
    expect(await t.db.selectFrom('lead_import_chunks').select('seq').where('import_id', '=', accepted.body.id).execute()).toEqual([{ seq: 0 }]);
    // The worker holding it finishes it, and only then is the file dropped.
    await finishImport(t.db, accepted.body.id, 3, { status: 'completed' });
    expect(await t.db.selectFrom('lead_import_chunks').select('seq').where('import_id', '=', accepted.body.id).execute()).toEqual([]);
  });

  it(`an import stopped ${MAX_ATTEMPTS} times fails visibly, keeping what it imported`, async () => {
    const accepted = await upload(t, owner, '/api/leads/imports', leadsCsv(10, '214'), {});
    await waitForImport(owner, accepted.body.id);
    await t.db.updateTable('lead_imports').set({ status: 'processing', attempts: MAX_ATTEMPTS, locked_until: null }).where('id', '=', accepted.body.id).execute();
    await restoreFile(accepted.body.id, leadsCsv(10, '214'));
    await drainImports(t.db);
    const failed = await waitForImport(owner, accepted.body.id);
    expect(failed.status).toBe('failed');
    expect(failed.failure).toMatch(/stopped 5 times before finishing/);
  });
  it('a stopping worker gives the import back after its batch in hand, and the import resumes from there', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Stop' });
    const imp = await insertImport(t.db, { orgId: owner.orgId, campaignId: campaign.id, userId: owner.id, options: { defaultCountry: 'US', hasHeader: true } });
    await restoreFile(imp.id, leadsCsv(12_000, '215'));
    const stopping = new AbortController();
    stopping.abort();
    const claimed = (await claimImport(t.db, 60_000))!;
    expect(claimed.id).toBe(imp.id);
    expect(await runImport(t.db, claimed, { signal: stopping.signal, batchRows: 2000 })).toBe('stopped');
    const given = await t.db.selectFrom('lead_imports').selectAll().where('id', '=', imp.id).executeTakeFirstOrThrow();
    expect(given).toMatchObject({ status: 'processing', total_rows: 2000, inserted_rows: 2000, locked_until: null });
    expect(await countLeads(campaign.id)).toBe(2000);
    expect(await drainImports(t.db)).toBe(1);
    expect(await t.db.selectFrom('lead_imports').selectAll().where('id', '=', imp.id).executeTakeFirstOrThrow()).toMatchObject({ status: 'completed', total_rows: 12_000, inserted_rows: 12_000, duplicate_rows: 0, attempts: 2 });
    expect(await countLeads(campaign.id)).toBe(12_000);
  });

  // Last: the app is replaced by the restart.
  it('a server restarted in the middle of an import finishes it, every row inserted once', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Resume' });
    const rows = 40_000;
    const accepted = await upload(t, owner, '/api/leads/imports', leadsCsv(rows, '212'), { campaignId: campaign.id });
    expect(accepted.status).toBe(202);
    // The upload started the import in the background; the restart stops it (wherever it is) and
    // the new server's periodic worker takes it up.
    t = await t.restart({ LEAD_IMPORT_INTERVAL_MS: '100' });
    owner = await logIn(owner);
    const done = await waitForImport(owner, accepted.body.id, 120_000);
    expect(done).toMatchObject({ status: 'completed', totalRows: rows, validRows: rows, insertedRows: rows, duplicateRows: 0, invalidRows: 0 });
    expect(await countLeads(campaign.id)).toBe(rows);
    // The stored file is gone once the import has ended.
    const chunks = await t.db.selectFrom('lead_import_chunks').select((eb) => eb.fn.countAll<string>().as('n')).where('import_id', '=', accepted.body.id).executeTakeFirstOrThrow();
    expect(Number(chunks.n)).toBe(0);
  });
});

async function restoreFile(importId: string, csv: string): Promise<void> {
  await t.db.insertInto('lead_import_chunks').values({ import_id: importId, seq: 0, data: Buffer.from(csv) }).execute();
}


/** The member logged in again on the restarted app (clients belong to one app). */
async function logIn(member: Member): Promise<Member> {
  const client = t.client();
  const login = await client.POST('/api/login', { body: { email: member.email, password: PASSWORD } });
  expect(login.response.status).toBe(200);
  return { ...member, client };
}
