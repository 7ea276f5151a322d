import { sql, type Transaction } from 'kysely';
import type { DB } from '../../../db/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, type Member, PASSWORD, addMember, registerOrg, uniqueEmail } from '../../helpers/fixtures.js';
import { waitersBehind } from '../../helpers/held-open.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

let t: TestApp;
let owner: Member;
let admin: Member;
let manager: Member;
let agent: Member;
let otherOwner: Member;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Users Org');
  admin = await addMember(t, owner, 'admin');
  manager = await addMember(t, owner, 'manager');
  agent = await addMember(t, owner, 'agent');
  otherOwner = await registerOrg(t, 'Other Users Org');
});
afterAll(async () => t.close());

const row = (id: number) => t.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
const countByEmail = async (email: string) =>
  Number(
    (
      await t.db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('email', '=', email)
        .executeTakeFirstOrThrow()
    ).n,
  );
const path = (id: number | string) => ({ params: { path: { id: String(id) } } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Run `fire` while this test holds the organisation's owner rows locked, so that both requests
 * authenticate as owners and then queue on the server's owner lock; release once both wait.
 * PostgreSQL: poll until two backends are blocked behind our transaction. PGlite (one pooled
 * connection): the requests' queries queue in order behind our transaction.
 */
async function withOwnersLocked<T>(
  orgId: string,
  fire: () => Promise<T>[],
  meanwhile?: (trx: Transaction<DB>) => Promise<void>,
): Promise<T[]> {
  let pending: Promise<T>[] = [];
  await t.db.transaction().execute(async (trx) => {
    await trx.selectFrom('users').select('id').where('org_id', '=', orgId).where('role', '=', 'owner').forUpdate().execute();
    pending = fire();
    const waiting = pending.length;
    if (process.env.TEST_DB !== 'pg') {
      await sleep(500);
      await meanwhile?.(trx);
      return;
    }
    const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
    const pid = rows[0]!.pid;
    for (let i = 0; i < 200; i += 1) {
      if ((await waitersBehind(t.db, pid)) >= waiting) return meanwhile?.(trx);
      await sleep(25);
    }
    throw new Error('the requests never queued on the owner lock');
  });
  return Promise.all(pending);
}

function getUser(client: Client, id: number | string) {
  return client.GET('/api/users/{id}', path(id));
}
function putUser(client: Client, id: number | string, body: Record<string, unknown>) {
  return client.PUT('/api/users/{id}', { ...path(id), body: body as never });
}
function deleteUser(client: Client, id: number | string) {
  return client.DELETE('/api/users/{id}', path(id));
}

describe('users: authentication and read access', () => {
  it('answers 401 UNAUTHORIZED on every user operation without a session', async () => {
    const anon = t.client();
    const results = [
      await anon.GET('/api/users'),
      await anon.POST('/api/users', { body: { email: uniqueEmail('anon'), password: PASSWORD, role: 'agent' } }),
      await getUser(anon, owner.id),
      await putUser(anon, agent.id, { firstName: 'Anon' }),
      await deleteUser(anon, agent.id),
    ];
    for (const { response, error } of results) {
      expect(response.status).toBe(401);
      expect(error?.code).toBe('UNAUTHORIZED');
    }
    expect((await row(agent.id))?.first_name).toBeNull();
  });

  it('lets managers, admins and owners list and read users; agents get 403', async () => {
    const agentList = await agent.client.GET('/api/users');
    expect(agentList.response.status).toBe(403);
    expect(agentList.error?.code).toBe('FORBIDDEN');
    const agentGet = await getUser(agent.client, owner.id);
    expect(agentGet.response.status).toBe(403);
    expect(agentGet.error?.code).toBe('FORBIDDEN');

    for (const member of [manager, admin, owner]) {
      const list = await member.client.GET('/api/users');
      expect(list.response.status).toBe(200);
      const ids = list.data?.map((u) => u.id) ?? [];
      expect(ids).toEqual(expect.arrayContaining([owner.id, admin.id, manager.id, agent.id]));
      // Tenancy: another organisation's owner is never listed.
      expect(ids).not.toContain(otherOwner.id);
      const got = await getUser(member.client, agent.id);
      expect(got.response.status).toBe(200);
      expect(got.data).toMatchObject({ id: agent.id, email: agent.email, role: 'agent' });
      expect(list.data?.find((u) => u.id === agent.id)).toEqual(got.data);
    }
  });

  it('answers 404 for an unknown, malformed or other-organisation user id on get, put and delete', async () => {
    const before = await row(otherOwner.id);
    for (const id of ['999999', 'abc', '0', '-1', '1.5', '99999999999', "1' OR '1'='1", String(otherOwner.id)]) {
      for (const result of [await getUser(owner.client, id), await putUser(owner.client, id, { firstName: 'X' }), await deleteUser(owner.client, id)]) {
        expect(result.response.status, `id ${id}`).toBe(404);
        expect(result.error?.code).toBe('RESOURCE_NOT_FOUND');
      }
    }
    expect(await row(otherOwner.id)).toEqual(before);
  });
});

describe('users: create', () => {
  it('lets admins and owners create users; managers and agents get 403 and nothing is inserted', async () => {
    for (const member of [manager, agent]) {
      const email = uniqueEmail('denied');
      const { error, response } = await member.client.POST('/api/users', { body: { email, password: PASSWORD, role: 'agent' } });
      expect(response.status).toBe(403);
      expect(error?.code).toBe('FORBIDDEN');
      expect(await countByEmail(email)).toBe(0);
    }

    const email = uniqueEmail('created');
    const { data, response } = await admin.client.POST('/api/users', {
      body: { email, password: PASSWORD, role: 'manager', username: `created_${Date.now()}`, firstName: 'Grace', lastName: 'Hopper' },
    });
    expect(response.status).toBe(201);
    expect(data).toMatchObject({ email, role: 'manager', firstName: 'Grace', lastName: 'Hopper', lastLoginAt: null });
    const stored = await row(data!.id);
    expect(stored).toMatchObject({ org_id: owner.orgId, email, role: 'manager' });
    expect(stored?.password_hash).toMatch(/^scrypt\$/);
    expect(stored?.password_hash).not.toContain(PASSWORD);

    // The new user can log in with the password they were given.
    const login = await t.client().POST('/api/login', { body: { email, password: PASSWORD } });
    expect(login.response.status).toBe(200);
    expect(login.data?.user.id).toBe(data!.id);

    const byOwner = await owner.client.POST('/api/users', { body: { email: uniqueEmail('admin2'), password: PASSWORD, role: 'admin' } });
    expect(byOwner.response.status).toBe(201);
    expect(byOwner.data?.role).toBe('admin');
  });

  it('only an owner may create an owner (admin gets 403, nothing inserted)', async () => {
    const email = uniqueEmail('would-be-owner');
    const denied = await admin.client.POST('/api/users', { body: { email, password: PASSWORD, role: 'owner' } });
    expect(denied.response.status).toBe(403);
    expect(denied.error?.code).toBe('FORBIDDEN');
    expect(await countByEmail(email)).toBe(0);

    const allowed = await owner.client.POST('/api/users', { body: { email, password: PASSWORD, role: 'owner' } });
    expect(allowed.response.status).toBe(201);
    expect(allowed.data?.role).toBe('owner');
    expect((await row(allowed.data!.id))?.role).toBe('owner');
  });

  it("answers 409 naming email for a duplicate email of the organisation's own users, in any case", async () => {
    for (const email of [agent.email, agent.email.toUpperCase()]) {
      const { error, response } = await owner.client.POST('/api/users', { body: { email, password: PASSWORD, role: 'agent' } });
      expect(response.status).toBe(409);
      expect(error).toMatchObject({ code: 'CONFLICT', details: { email: expect.any(String) } });
    }
    expect(await countByEmail(agent.email)).toBe(1);
  });

  it('answers 409 naming username for a duplicate username on create and update', async () => {
    const username = `taken_${Date.now()}`;
    const first = await owner.client.POST('/api/users', { body: { email: uniqueEmail('u1'), password: PASSWORD, role: 'agent', username } });
    expect(first.response.status).toBe(201);

    const email = uniqueEmail('u2');
    const dup = await owner.client.POST('/api/users', { body: { email, password: PASSWORD, role: 'agent', username: username.toUpperCase() } });
    expect(dup.response.status).toBe(409);
    expect(dup.error).toMatchObject({ code: 'CONFLICT', details: { username: expect.any(String) } });
    expect(await countByEmail(email)).toBe(0);

    const put = await putUser(owner.client, manager.id, { username });
    expect(put.response.status).toBe(409);
    expect(put.error).toMatchObject({ code: 'CONFLICT', details: { username: expect.any(String) } });
    expect((await row(manager.id))?.username).toBeNull();
  });

  it('refuses bad or extra fields in the create body with 400 naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ email: 'not-an-email', password: PASSWORD, role: 'agent' }, 'email'],
      [{ email: uniqueEmail('short'), password: 'short', role: 'agent' }, 'password'],
      [{ email: uniqueEmail('role'), password: PASSWORD, role: 'superuser' }, 'role'],
      [{ email: uniqueEmail('missing'), password: PASSWORD }, 'role'],
      [{ email: uniqueEmail('org'), password: PASSWORD, role: 'agent', orgId: otherOwner.orgId }, 'orgId'],
      [{ email: uniqueEmail('id'), password: PASSWORD, role: 'agent', id: 1 }, 'id'],
    ];
    for (const [body, field] of cases) {
      const { error, response } = await owner.client.POST('/api/users', { body: body as never });
      expect(response.status, field).toBe(400);
      expect(error?.code).toBe('VALIDATION_ERROR');
      expect(error?.details).toHaveProperty([field]);
      expect(await countByEmail(body.email as string)).toBe(0);
    }
  });
});

describe('users: update', () => {
  it('lets admins change names and roles of non-owners; managers and agents get 403', async () => {
    const target = await addMember(t, owner, 'agent');
    for (const member of [manager, agent]) {
      const { error, response } = await putUser(member.client, target.id, { firstName: 'Nope' });
      expect(response.status).toBe(403);
      expect(error?.code).toBe('FORBIDDEN');
    }
    expect((await row(target.id))?.first_name).toBeNull();

    const before = await row(target.id);
    await sleep(5);
    const names = await putUser(admin.client, target.id, { firstName: 'Ada', lastName: 'Lovelace' });
    expect(names.response.status).toBe(200);
    expect(names.data).toMatchObject({ id: target.id, firstName: 'Ada', lastName: 'Lovelace', role: 'agent', email: target.email });
    expect(new Date(names.data!.updatedAt).getTime()).toBeGreaterThan(before!.updated_at.getTime());

    const promote = await putUser(admin.client, target.id, { role: 'manager' });
    expect(promote.response.status).toBe(200);
    expect(promote.data).toMatchObject({ role: 'manager', firstName: 'Ada' });
    const promoteToAdmin = await putUser(admin.client, target.id, { role: 'admin' });
    expect(promoteToAdmin.data?.role).toBe('admin');
    expect((await row(target.id))?.role).toBe('admin');

    // Clearing a name with null is allowed.
    const cleared = await putUser(admin.client, target.id, { lastName: null });
    expect(cleared.response.status).toBe(200);
    expect(cleared.data).toMatchObject({ firstName: 'Ada', lastName: null });
  });

  it('refuses an admin granting the owner role or touching an owner (403, unchanged in DB)', async () => {
    const target = await addMember(t, owner, 'manager');
    const grant = await putUser(admin.client, target.id, { role: 'owner' });
    expect(grant.response.status).toBe(403);
    expect(grant.error?.code).toBe('FORBIDDEN');
    expect((await row(target.id))?.role).toBe('manager');

    const ownerBefore = await row(owner.id);
    for (const body of [{ role: 'admin' }, { role: 'agent' }, { firstName: 'Hijacked' }]) {
      const { error, response } = await putUser(admin.client, owner.id, body);
      expect(response.status).toBe(403);
      expect(error?.code).toBe('FORBIDDEN');
    }
    expect(await row(owner.id)).toEqual(ownerBefore);

    // An owner may grant the owner role.
    const byOwner = await putUser(owner.client, target.id, { role: 'owner' });
    expect(byOwner.response.status).toBe(200);
    expect((await row(target.id))?.role).toBe('owner');
  });

  it('nobody changes their own role (403), but may change their own name', async () => {
    for (const [member, role] of [
      [admin, 'owner'],
      [admin, 'manager'],
      [owner, 'admin'],
    ] as const) {
      const { error, response } = await putUser(member.client, member.id, { role });
      expect(response.status).toBe(403);
      expect(error?.code).toBe('FORBIDDEN');
      expect((await row(member.id))?.role).toBe(member.role);
    }
    const own = await putUser(admin.client, admin.id, { firstName: 'Self' });
    expect(own.response.status).toBe(200);
    expect(own.data).toMatchObject({ id: admin.id, firstName: 'Self', role: 'admin' });
  });

  it('lets one of two owners demote the other (200); the demoted one can no longer touch owners', async () => {
    const org = await registerOrg(t, 'Two Owners');
    const second = await addMember(t, org, 'owner');
    const demote = await putUser(org.client, second.id, { role: 'admin' });
    expect(demote.response.status).toBe(200);
    expect(demote.data?.role).toBe('admin');
    expect((await row(second.id))?.role).toBe('admin');
    const back = await putUser(second.client, org.id, { role: 'admin' });
    expect(back.response.status).toBe(403);
    expect((await row(org.id))?.role).toBe('owner');
    // The only owner left cannot demote themselves either.
    const self = await putUser(org.client, org.id, { role: 'admin' });
    expect(self.response.status).toBe(403);
    expect((await row(org.id))?.role).toBe('owner');
  });

  it('the last owner cannot be demoted: two owners demoting each other at once leave one owner (409 for the loser)', async () => {
    const a = await registerOrg(t, 'Race Demote');
    const b = await addMember(t, a, 'owner');
    const results = await withOwnersLocked(a.orgId, () => [putUser(a.client, b.id, { role: 'admin' }), putUser(b.client, a.id, { role: 'admin' })]);
    const statuses = results.map((r) => r.response.status).sort((x, y) => x - y);
    expect(statuses).toEqual([200, 409]);
    expect(results.find((r) => r.response.status === 409)?.error?.code).toBe('CONFLICT');
    const owners = await t.db.selectFrom('users').select('id').where('org_id', '=', a.orgId).where('role', '=', 'owner').execute();
    expect(owners).toHaveLength(1);
  });

  it('an admin demoted while their role change waits on the owner lock does not carry it out (403, nothing changed)', async () => {
    const org = await registerOrg(t, 'Demoted Meanwhile');
    const rogue = await addMember(t, org, 'admin');
    const accomplice = await addMember(t, org, 'agent');
    const [result] = await withOwnersLocked(
      org.orgId,
      () => [putUser(rogue.client, accomplice.id, { role: 'admin' })],
      async (trx) => {
        // The owner demotes the admin while the admin's request is already let in and waiting.
        await trx.updateTable('users').set({ role: 'agent' }).where('id', '=', rogue.id).execute();
      },
    );
    expect(result!.response.status).toBe(403);
    expect(result!.error?.code).toBe('FORBIDDEN');
    expect((await row(accomplice.id))?.role).toBe('agent');
  });

  it('refuses mass assignment of id, orgId, email, password and createdAt (400 naming the field, nothing changed)', async () => {
    const target = await addMember(t, owner, 'agent');
    const before = await row(target.id);
    const extras: Array<Record<string, unknown>> = [
      { id: 1 },
      { orgId: otherOwner.orgId },
      { email: uniqueEmail('hijack') },
      { password: 'a-new-password-123' },
      { createdAt: '2020-01-01T00:00:00Z' },
      { passwordHash: 'scrypt$1$1$1$AAAA$AAAA' },
      { lastLoginAt: '2020-01-01T00:00:00Z' },
    ];
    for (const extra of extras) {
      const field = Object.keys(extra)[0]!;
      const { error, response } = await putUser(owner.client, target.id, { firstName: 'Hijacked', ...extra });
      expect(response.status, field).toBe(400);
      expect(error?.code).toBe('VALIDATION_ERROR');
      expect(error?.details).toMatchObject({ [field]: 'is not allowed' });
    }
    expect(await row(target.id)).toEqual(before);
    // The old password still works.
    const login = await t.client().POST('/api/login', { body: { email: target.email, password: PASSWORD } });
    expect(login.response.status).toBe(200);
  });

  it('answers 400 for an empty or ill-typed update body, changing nothing', async () => {
    const before = await row(agent.id);
    const empty = await putUser(owner.client, agent.id, {});
    expect(empty.response.status).toBe(400);
    expect(empty.error?.code).toBe('VALIDATION_ERROR');

    const cases: Array<[Record<string, unknown>, string]> = [
      [{ role: 'superuser' }, 'role'],
      [{ role: 5 }, 'role'],
      [{ username: 'has spaces!' }, 'username'],
      [{ username: 'x' }, 'username'],
      [{ firstName: 'x'.repeat(101) }, 'firstName'],
      [{ firstName: 42 }, 'firstName'],
    ];
    for (const [body, field] of cases) {
      const { error, response } = await putUser(owner.client, agent.id, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(error?.details).toHaveProperty([field]);
    }
    expect(await row(agent.id)).toEqual(before);
  });
});

describe('users: delete', () => {
  it('only owners delete: admins, managers and agents get 403 and the user stays', async () => {
    const target = await addMember(t, owner, 'agent');
    for (const member of [admin, manager, agent]) {
      const { error, response } = await deleteUser(member.client, target.id);
      expect(response.status).toBe(403);
      expect(error?.code).toBe('FORBIDDEN');
    }
    expect(await row(target.id)).toBeDefined();
  });

  it('an owner deletes a user: 204, gone from list and get, their session and password stop working', async () => {
    const target = await addMember(t, owner, 'manager');
    expect((await target.client.GET('/api/auth/user')).response.status).toBe(200);

    const del = await deleteUser(owner.client, target.id);
    expect(del.response.status).toBe(204);
    expect(await row(target.id)).toBeUndefined();
    const list = await owner.client.GET('/api/users');
    expect(list.data?.map((u) => u.id)).not.toContain(target.id);
    const got = await getUser(owner.client, target.id);
    expect(got.response.status).toBe(404);

    const session = await target.client.GET('/api/auth/user');
    expect(session.response.status).toBe(401);
    const login = await t.client().POST('/api/login', { body: { email: target.email, password: PASSWORD } });
    expect(login.response.status).toBe(401);

    const again = await deleteUser(owner.client, target.id);
    expect(again.response.status).toBe(404);
  });

  it('removing yourself is a 409 (also for the last owner), and nothing is removed', async () => {
    const { error, response } = await deleteUser(owner.client, owner.id);
    expect(response.status).toBe(409);
    expect(error?.code).toBe('CONFLICT');
    expect(await row(owner.id)).toBeDefined();
    const org = await registerOrg(t, 'Two Owners Delete');
    const second = await addMember(t, org, 'owner');
    const self = await deleteUser(second.client, second.id);
    expect(self.response.status).toBe(409);
    // With two owners, one may remove the other.
    const other = await deleteUser(org.client, second.id);
    expect(other.response.status).toBe(204);
    expect(await row(second.id)).toBeUndefined();
  });

  it('the last owner cannot be removed: two owners removing each other at once leave one owner (409 for the loser)', async () => {
    const a = await registerOrg(t, 'Race Delete');
    const b = await addMember(t, a, 'owner');
    const results = await withOwnersLocked(a.orgId, () => [deleteUser(a.client, b.id), deleteUser(b.client, a.id)]);
    const statuses = results.map((r) => r.response.status).sort((x, y) => x - y);
    expect(statuses).toEqual([204, 409]);
    const owners = await t.db.selectFrom('users').select('id').where('org_id', '=', a.orgId).where('role', '=', 'owner').execute();
    expect(owners).toHaveLength(1);
  });
});
