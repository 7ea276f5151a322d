// A document taking longer than its lease keeps it while it is processed (server/ai/knowledge/lease.ts):
// no second worker takes it meanwhile; once renewals stop, the lease runs out as after a crash.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keepLease } from '../../../server/ai/knowledge/lease.js';
import { claimDocument } from '../../../server/ai/knowledge/queries.js';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

const LEASE_MS = 1000;
let t: TestApp;
let owner: Member;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitingDocument(): Promise<string> {
  const doc = await t.db
    .insertInto('kb_documents')
    .values({ org_id: owner.orgId, title: 'Long read', content_type: 'text/plain', size_bytes: 20, sha256: 'x', file: Buffer.from('A long document.') })
    .returning('id')
    .executeTakeFirstOrThrow();
  return doc.id;
}

beforeAll(async () => {
  t = await startTestApp({ env: { KB_PROCESS_INTERVAL_MS: '0' } });
  owner = await registerOrg(t, 'Lease Org');
});
afterAll(async () => t?.close());

describe('the lease of a document being processed', () => {
  it('is renewed while held, and runs out once renewals stop', async () => {
    const id = await waitingDocument();
    const claim = await claimDocument(t.db, LEASE_MS, id);
    expect(claim?.attempts).toBe(1);
    const lease = keepLease(t.db, claim!, LEASE_MS);
    await sleep(LEASE_MS * 3);
    // Three lease lengths later, nobody can take it.
    expect(await claimDocument(t.db, LEASE_MS, id)).toBeUndefined();
    await lease.stop();
    await sleep(LEASE_MS + 100);
    expect((await claimDocument(t.db, LEASE_MS, id))?.attempts).toBe(2);
  });

  it('without renewals the same wait lets another worker take it (the control)', async () => {
    const id = await waitingDocument();
    expect((await claimDocument(t.db, LEASE_MS, id))?.attempts).toBe(1);
    await sleep(LEASE_MS * 3);
    expect((await claimDocument(t.db, LEASE_MS, id))?.attempts).toBe(2);
  });

  it('a renewal by a worker whose claim was taken over changes nothing', async () => {
    const id = await waitingDocument();
    const stale = await claimDocument(t.db, 1, id);
    await sleep(20);
    const current = await claimDocument(t.db, 60_000, id);
    expect(current?.attempts).toBe(2);
    const lease = keepLease(t.db, stale!, 30);
    await sleep(100);
    await lease.stop();
    const row = await t.db.selectFrom('kb_documents').select('locked_until').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.locked_until!.getTime()).toBeGreaterThan(Date.now() + 50_000);
  });
});
