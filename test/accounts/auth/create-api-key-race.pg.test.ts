// POST /api/api-keys against a concurrent change of its caller: an admin demoted while the request
// runs must not create an admin key, and one removed meanwhile must get an answer, not a 500 (the
// key's creator row is gone: a foreign-key failure). The caller's row is locked and read again
// before the insert, as for POST /api/users. Deterministic on a PostgreSQL server: the change is
// held uncommitted while the request runs, then committed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, registerOrg, type Member } from '../../helpers/fixtures.js';
import { heldOpen } from '../../helpers/held-open.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

let t: TestApp;
let owner: Member;
beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Key Race Org');
});
afterAll(async () => t.close());

const keysOf = (userId: number) => t.db.selectFrom('api_keys').select(['id', 'role']).where('created_by_user_id', '=', userId).execute();

describe('createApiKey against a concurrent change of its caller', () => {
  it('a demotion committed while the request runs wins: 403, no admin key created', async () => {
    const admin = await addMember(t, owner, 'admin');
    const demotion = await heldOpen(t.rawDb, async (trx) => {
      await trx.updateTable('users').set({ role: 'manager' }).where('id', '=', admin.id).execute();
    });
    const request = admin.client.POST('/api/api-keys', { body: { name: 'accomplice', role: 'admin' } });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await demotion.commit();
    const created = await request;
    expect(created.response.status).toBe(403);
    expect(created.error).toMatchObject({ code: 'FORBIDDEN' });
    expect(await keysOf(admin.id)).toEqual([]);
  });

  it('a removal committed while the request runs: 403, not a 500, and no key', async () => {
    const admin = await addMember(t, owner, 'admin');
    const removal = await heldOpen(t.rawDb, async (trx) => {
      await trx.deleteFrom('users').where('id', '=', admin.id).execute();
    });
    const request = admin.client.POST('/api/api-keys', { body: { name: 'orphan' } });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await removal.commit();
    const created = await request;
    expect(created.response.status).toBe(403);
    expect(await t.db.selectFrom('api_keys').select('id').where('name', '=', 'orphan').where('org_id', '=', owner.orgId).execute()).toEqual([]);
  });

  it('without a change the admin creates the key as before', async () => {
    const admin = await addMember(t, owner, 'admin');
    const created = await admin.client.POST('/api/api-keys', { body: { name: 'fine', role: 'admin' } });
    expect(created.response.status).toBe(201);
  });
});
