// What PostgreSQL cannot store never sinks an import: a cell with a NUL character (U+0000) is a row
// error in the dry run and in the import alike, and a batch the database refuses for good ends the
// import failed with the real cause at once (a lost connection or a deadlock is retried instead).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEAD_IMPORT, type ImportKind } from '../../server/crm/imports/kind.js';
import { claimImport, insertImport } from '../../server/crm/imports/queries.js';
import { runImport } from '../../server/crm/imports/worker.js';
import { isTransientDbError } from '../../server/platform/common/pg-errors.js';
import { sql } from 'kysely';
import { createCampaign, type Member, registerOrg } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { upload, waitForImport } from './helpers.js';

let t: TestApp;
let owner: Member;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Import Failures Org');
});
afterAll(async () => t.close());

describe('a cell with a NUL character', () => {
  const csv = 'phone,name,Source\n+14155550301,Good One,web\n+14155550302,Bad\u0000Name,web\n+14155550303,Good Two,fa\u0000ir\n+14155550304,Good Three,web\n';

  it('is a row error naming its field in the dry run', async () => {
    const { status, body } = await upload(t, owner, '/api/leads/imports/validate', csv);
    expect(status).toBe(200);
    expect(body).toMatchObject({ totalRows: 4, validRows: 2, invalidRows: 2 });
    expect(body.errors.map((e: { row: number; field: string }) => [e.row, e.field])).toEqual([
      [3, 'name'],
      [4, 'customFields.Source'],
    ]);
  });

  it('is a row error in the import, which completes with the other rows', async () => {
    const accepted = await upload(t, owner, '/api/leads/imports', csv);
    expect(accepted.status).toBe(202);
    const done = await waitForImport(owner, accepted.body.id);
    expect(done).toMatchObject({ status: 'completed', totalRows: 4, validRows: 2, invalidRows: 2, insertedRows: 2, failure: null });
    expect(done.errors[0]).toMatchObject({ row: 3, field: 'name', value: 'Bad\ufffdName', message: expect.stringContaining('NUL') });
  });
});

describe('a batch the database refuses', () => {
  it('ends the import failed with the real cause at once, keeping the batches before', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Refused batch' });
    const imp = await insertImport(t.db, { orgId: owner.orgId, campaignId: campaign.id, userId: owner.id, options: { defaultCountry: 'US', hasHeader: true } });
    const rows = ['phone', '+14155550401', '+14155550402', '+14155550403', '+14155550404'].join('\n');
    await t.db.insertInto('lead_import_chunks').values({ import_id: imp.id, seq: 0, data: Buffer.from(rows) }).execute();
    // The leads kind, except that the batch holding +14155550403 meets a data error.
    const refusing: ImportKind = {
      name: 'leads',
      async open(db, target) {
        const leads = await LEAD_IMPORT.open(db, target);
        return {
          ...leads,
          async write(trx, into, items) {
            const written = await leads.write(trx, into, items);
            if (items.some((item) => leads.key(item) === '+14155550403')) await sql`SELECT 1 / 0`.execute(trx);
            return written;
          },
        };
      },
    };
    const claimed = (await claimImport(t.db, 60_000))!;
    expect(claimed.id).toBe(imp.id);
    expect(await runImport(t.db, claimed, { batchRows: 2 }, refusing)).toBe('failed');
    const row = await t.db.selectFrom('lead_imports').select(['status', 'failure', 'attempts', 'inserted_rows']).where('id', '=', imp.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'failed', attempts: 1, inserted_rows: 2 });
    expect(row.failure).toMatch(/22012.*division by zero/);
  });

  it('tells a retryable error from one that fails the same way every time', () => {
    const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });
    expect([pgError('40001'), pgError('40P01'), pgError('08006'), pgError('57P01'), pgError('55P03'), pgError('ECONNRESET'), new Error('Connection terminated unexpectedly'), new Error('PGlite is closed')].map(isTransientDbError)).toEqual([true, true, true, true, true, true, true, true]);
    expect([pgError('22021'), pgError('22P05'), pgError('23502'), pgError('42703'), new TypeError('x is undefined')].map(isTransientDbError)).toEqual([false, false, false, false, false]);
  });
});
