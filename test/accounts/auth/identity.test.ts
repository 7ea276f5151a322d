// Issue 15.7: registration and user creation answer the same whether an email has an account in
// another organisation or not (emails are unique per organisation), and login picks the right
// account when one email has several.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, registerOrg, uniqueEmail, type Member } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

let t: TestApp;
let orgA: Member;
let orgB: Member;
beforeAll(async () => {
  t = await startTestApp();
  orgA = await registerOrg(t, 'Identity A');
  orgB = await registerOrg(t, 'Identity B');
});
afterAll(async () => t.close());

async function register(email: string, password: string, organizationName: string) {
  const client = t.client();
  const sent = await client.POST('/api/auth/register', { body: { organizationName, email, password } });
  return { client, status: sent.response.status, data: sent.data, setsCookie: sent.response.headers.get('set-cookie') !== null };
}

describe('no email existence oracle', () => {
  it('registration with an email that already has an account answers exactly as with a new one', async () => {
    const fresh = await register(uniqueEmail('fresh'), PASSWORD, 'Fresh Org');
    const again = await register(orgA.email, 'another-long-password', 'Second Org');
    expect([fresh.status, again.status]).toEqual([201, 201]);
    expect([fresh.setsCookie, again.setsCookie]).toEqual([true, true]);
    expect(Object.keys(again.data!).sort()).toEqual(Object.keys(fresh.data!).sort());
    expect(again.data).toMatchObject({ email: orgA.email, role: 'owner', organization: { name: 'Second Org' } });
    expect(again.data!.organization.id).not.toBe(orgA.orgId);
    // The new account is its own: its session sees its own organisation only.
    const me = await again.client.GET('/api/auth/user');
    expect(me.data?.organization.id).toBe(again.data!.organization.id);
  });

  it('a username used in another organisation registers too; the same username twice in one organisation is a 409', async () => {
    const first = await t.client().POST('/api/auth/register', { body: { organizationName: 'U1', email: uniqueEmail('u1'), password: PASSWORD, username: 'register_taken' } });
    const second = await t.client().POST('/api/auth/register', { body: { organizationName: 'U2', email: uniqueEmail('u2'), password: PASSWORD, username: 'Register_Taken' } });
    expect([first.response.status, second.response.status]).toEqual([201, 201]);
    const dup = await orgA.client.POST('/api/users', { body: { email: uniqueEmail('u3'), password: PASSWORD, role: 'agent', username: 'dup_name' } });
    const dupAgain = await orgA.client.POST('/api/users', { body: { email: uniqueEmail('u4'), password: PASSWORD, role: 'agent', username: 'DUP_NAME' } });
    expect([dup.response.status, dupAgain.response.status]).toEqual([201, 409]);
    expect(dupAgain.error).toMatchObject({ code: 'CONFLICT', details: { username: expect.any(String) } });
  });

  it("creating a user whose email is used in another organisation succeeds like any new email; a second use in the same organisation is a 409", async () => {
    const elsewhere = await orgA.client.POST('/api/users', { body: { email: orgB.email, password: PASSWORD, role: 'agent' } });
    const fresh = await orgA.client.POST('/api/users', { body: { email: uniqueEmail('fresh'), password: PASSWORD, role: 'agent' } });
    expect([elsewhere.response.status, fresh.response.status]).toEqual([201, 201]);
    expect(Object.keys(elsewhere.data!).sort()).toEqual(Object.keys(fresh.data!).sort());
    const twice = await orgA.client.POST('/api/users', { body: { email: orgB.email.toUpperCase(), password: PASSWORD, role: 'agent' } });
    expect(twice.response.status).toBe(409);
    expect(twice.error).toMatchObject({ code: 'CONFLICT', details: { email: 'is already a user of this organisation' } });
  });
});

describe('login when one email has accounts in several organisations', () => {
  it('different passwords: each password opens its own account', async () => {
    const email = uniqueEmail('shared');
    const first = await register(email, 'first-org-password', 'Shared One');
    const second = await register(email, 'second-org-password', 'Shared Two');
    for (const [password, orgId] of [['first-org-password', first.data!.organization.id], ['second-org-password', second.data!.organization.id]] as const) {
      const client = t.client();
      expect((await client.POST('/api/login', { body: { email, password } })).response.status).toBe(200);
      expect((await client.GET('/api/auth/user')).data?.organization.id).toBe(orgId);
    }
    expect((await t.client().POST('/api/login', { body: { email, password: 'neither-password' } })).response.status).toBe(401);
  });

  it("five organisations registered later with the same email do not push the address's first account out of a login", async () => {
    const email = uniqueEmail('squatted');
    const own = await register(email, 'the-real-password', 'Real Owner');
    for (let i = 0; i < 5; i += 1) expect((await register(email, `squatter-password-${i}`, `Squatter ${i}`)).status).toBe(201);
    const client = t.client();
    expect((await client.POST('/api/login', { body: { email, password: 'the-real-password' } })).response.status).toBe(200);
    expect((await client.GET('/api/auth/user')).data?.organization.id).toBe(own.data!.organization.id);
  });

  it('the same password in two organisations: 400 naming organizationId, then organizationId picks one (both login paths)', async () => {
    const email = uniqueEmail('twice');
    await register(email, PASSWORD, 'Twice One');
    const second = await register(email, PASSWORD, 'Twice Two');
    const ambiguous = await t.client().POST('/api/login', { body: { email, password: PASSWORD } });
    expect(ambiguous.response.status).toBe(400);
    expect(ambiguous.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { organizationId: expect.any(String) } });
    const client = t.client();
    const named = await client.POST('/api/login', { body: { email, password: PASSWORD, organizationId: second.data!.organization.id } });
    expect(named.response.status).toBe(200);
    expect((await client.GET('/api/auth/user')).data?.organization.id).toBe(second.data!.organization.id);
    const legacy = await t.client().POST('/api/auth/login', { body: { username: email, password: PASSWORD, organizationId: second.data!.organization.id } });
    expect(legacy.response.status).toBe(200);
    // Naming an organisation the email has no account in is a wrong login, nothing more.
    const wrongOrg = await t.client().POST('/api/login', { body: { email, password: PASSWORD, organizationId: orgA.orgId } });
    expect(wrongOrg.response.status).toBe(401);
  });
});
