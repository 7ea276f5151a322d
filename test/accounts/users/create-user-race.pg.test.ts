// An admin demoted while their POST /api/users runs must not create an admin: the caller's own row
// is locked and their role read again before the insert. Deterministic on a PostgreSQL server: the
// demotion is held uncommitted while the request runs, then committed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, PASSWORD, registerOrg, uniqueEmail, type Member } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

let t: TestApp;
let owner: Member;
beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Race Org');
});
afterAll(async () => t.close());

describe('createUser against a concurrent demotion of its caller', () => {
  it('a demotion committed while the request runs wins: 403, no admin created', async () => {
    const admin = await addMember(t, owner, 'admin');
    let commit!: () => void;
    const released = new Promise<void>((resolve) => (commit = resolve));
    let updated!: () => void;
    const demoted = new Promise<void>((resolve) => (updated = resolve));
    // The owner's demotion of the admin, written but not yet committed.
    const demotion = t.rawDb.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ role: 'manager' }).where('id', '=', admin.id).execute();
      updated();
      await released;
    });
    await demoted;
    const email = uniqueEmail('accomplice');
    const request = admin.client.POST('/api/users', { body: { email, password: PASSWORD, role: 'admin' } });
    // Let the request reach the database (password hashed, insert or lock attempted), then commit.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    commit();
    await demotion;
    const created = await request;
    expect(created.response.status).toBe(403);
    expect(created.error).toMatchObject({ code: 'FORBIDDEN' });
    expect(await t.db.selectFrom('users').select('id').where('email', '=', email).execute()).toEqual([]);
  });

  it('without a demotion the admin creates the user as before', async () => {
    const admin = await addMember(t, owner, 'admin');
    const created = await admin.client.POST('/api/users', { body: { email: uniqueEmail('fine'), password: PASSWORD, role: 'admin' } });
    expect(created.response.status).toBe(201);
  });
});
