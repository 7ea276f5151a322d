// Changing your own password (POST /api/auth/password) and an admin setting another user's
// (PUT /api/users/{id}/password): who may, what it checks, and which sessions end.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Member, PASSWORD, addMember, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

let t: TestApp;
let owner: Member;
let otherOwner: Member;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Password Org');
  otherOwner = await registerOrg(t, 'Other Password Org');
});
afterAll(async () => t.close());

const hashOf = async (id: number) =>
  (await t.db.selectFrom('users').select('password_hash').where('id', '=', id).executeTakeFirstOrThrow()).password_hash;

async function loginStatus(email: string, password: string): Promise<number> {
  return (await t.client().POST('/api/login', { body: { email, password } })).response.status;
}

/** A second logged-in client of the same member (another device). */
async function secondSession(member: Member, password = PASSWORD) {
  const client = t.client();
  const login = await client.POST('/api/login', { body: { email: member.email, password } });
  expect(login.response.status).toBe(200);
  return client;
}

const setPassword = (actor: Member, id: number | string, password: string) =>
  actor.client.PUT('/api/users/{id}/password', { params: { path: { id: String(id) } }, body: { password } });

describe('POST /api/auth/password', () => {
  it('changes the password, ends the other sessions and keeps this one', async () => {
    const member = await addMember(t, owner, 'agent');
    const laptop = await secondSession(member);
    const changed = await member.client.POST('/api/auth/password', { body: { currentPassword: PASSWORD, newPassword: 'a-brand-new-passphrase' } });
    expect(changed.response.status).toBe(200);
    expect(changed.data).toEqual({ message: 'Password changed' });
    // This session goes on; the other device's cookie no longer works.
    expect((await member.client.GET('/api/auth/user')).response.status).toBe(200);
    expect((await laptop.GET('/api/auth/user')).response.status).toBe(401);
    expect(await loginStatus(member.email, PASSWORD)).toBe(401);
    expect(await loginStatus(member.email, 'a-brand-new-passphrase')).toBe(200);
  });

  it('a renewed session counts as a fresh login (may create keys at once)', async () => {
    const member = await addMember(t, owner, 'admin');
    const realNow = Date.now;
    const later = vi.spyOn(Date, 'now').mockImplementation(() => realNow() + 16 * 60_000);
    try {
      expect((await member.client.POST('/api/api-keys', { body: { name: 'Stale' } })).response.status).toBe(403);
      const changed = await member.client.POST('/api/auth/password', { body: { currentPassword: PASSWORD, newPassword: 'fresh-session-passphrase' } });
      expect(changed.response.status).toBe(200);
      expect((await member.client.POST('/api/api-keys', { body: { name: 'Fresh' } })).response.status).toBe(201);
    } finally {
      later.mockRestore();
    }
  });

  it('a wrong current password is 400 naming currentPassword and changes nothing', async () => {
    const member = await addMember(t, owner, 'manager');
    const before = await hashOf(member.id);
    const wrong = await member.client.POST('/api/auth/password', { body: { currentPassword: 'not-my-password', newPassword: 'whatever-passphrase' } });
    expect(wrong.response.status).toBe(400);
    expect(wrong.error).toMatchObject({ code: 'VALIDATION_ERROR' });
    expect(JSON.stringify(wrong.error)).toContain('currentPassword');
    expect(await hashOf(member.id)).toBe(before);
    expect((await member.client.GET('/api/auth/user')).response.status).toBe(200);
  });

  it('refuses a new password equal to the current one, or too short, naming newPassword', async () => {
    const member = await addMember(t, owner, 'agent');
    const same = await member.client.POST('/api/auth/password', { body: { currentPassword: PASSWORD, newPassword: PASSWORD } });
    expect(same.response.status).toBe(400);
    expect(JSON.stringify(same.error)).toContain('newPassword');
    const short = await member.client.POST('/api/auth/password', { body: { currentPassword: PASSWORD, newPassword: 'short' } });
    expect(short.response.status).toBe(400);
    expect(JSON.stringify(short.error)).toContain('newPassword');
    expect(await loginStatus(member.email, PASSWORD)).toBe(200);
  });

  it('is refused to an API key (403) and to nobody (401)', async () => {
    const key = await owner.client.POST('/api/api-keys', { body: { name: 'Password key' } });
    expect(key.response.status).toBe(201);
    const api = t.client({ apiKey: key.data!.key });
    const byKey = await api.POST('/api/auth/password', { body: { currentPassword: PASSWORD, newPassword: 'key-chosen-passphrase' } });
    expect(byKey.response.status).toBe(403);
    expect(await loginStatus(owner.email, PASSWORD)).toBe(200);
    const anonymous = await t.client().POST('/api/auth/password', { body: { currentPassword: PASSWORD, newPassword: 'anonymous-passphrase' } });
    expect(anonymous.response.status).toBe(401);
  });
});

describe('the login backoff on POST /api/auth/password', () => {
  // Real limits: 5 failures per account and address are free, one once the account is under attack.
  let strict: TestApp;
  beforeAll(async () => {
    strict = await startTestApp({ env: { RATE_LIMITS: 'general=100000,login=5', TRUST_PROXY: 'true' } });
  });
  afterAll(async () => strict?.close());

  it('a wrong current password counts as a failed login, and the backoff that follows holds the right one back', async () => {
    const at = (address: string) => strict.client({ headers: { 'x-forwarded-for': address } });
    const boss = await registerOrg(strict, 'Backoff Org');
    const member = await addMember(strict, boss, 'agent');
    const device = at('198.51.100.7');
    expect((await device.POST('/api/login', { body: { email: member.email, password: PASSWORD } })).response.status).toBe(200);
    // Six wrong guesses from six other addresses: the account is under attack.
    for (let i = 1; i <= 6; i += 1) {
      expect((await at(`203.0.113.${i}`).POST('/api/login', { body: { email: member.email, password: 'wrong-guess' } })).response.status).toBe(401);
    }
    const wrong = await device.POST('/api/auth/password', { body: { currentPassword: 'wrong-guess', newPassword: 'whatever-passphrase' } });
    expect(wrong.response.status).toBe(400);
    // That failure started this address's backoff: even the right password waits.
    const right = await device.POST('/api/auth/password', { body: { currentPassword: PASSWORD, newPassword: 'whatever-passphrase' } });
    expect(right.response.status).toBe(429);
    expect((await device.POST('/api/login', { body: { email: member.email, password: PASSWORD } })).response.status).toBe(429);
    expect((await device.GET('/api/auth/user')).response.status).toBe(200);
  });
});

describe('PUT /api/users/{id}/password', () => {
  it('an admin sets an agent\'s password: the agent\'s sessions end, the new password opens', async () => {
    const admin = await addMember(t, owner, 'admin');
    const agent = await addMember(t, owner, 'agent');
    const set = await setPassword(admin, agent.id, 'set-by-the-admin');
    expect(set.response.status).toBe(204);
    expect((await agent.client.GET('/api/auth/user')).response.status).toBe(401);
    expect(await loginStatus(agent.email, PASSWORD)).toBe(401);
    expect(await loginStatus(agent.email, 'set-by-the-admin')).toBe(200);
    // The admin's own session is untouched.
    expect((await admin.client.GET('/api/auth/user')).response.status).toBe(200);
  });

  it('only an owner sets an owner\'s password; nobody sets their own here', async () => {
    const admin = await addMember(t, owner, 'admin');
    const secondOwner = await addMember(t, owner, 'owner');
    const before = await hashOf(secondOwner.id);
    const byAdmin = await setPassword(admin, secondOwner.id, 'admin-takes-over');
    expect(byAdmin.response.status).toBe(403);
    expect(await hashOf(secondOwner.id)).toBe(before);
    const own = await setPassword(admin, admin.id, 'my-own-without-the-old');
    expect(own.response.status).toBe(403);
    expect(own.error?.details).toMatch(/POST \/api\/auth\/password/);
    expect(await loginStatus(admin.email, PASSWORD)).toBe(200);
    expect((await setPassword(owner, secondOwner.id, 'owner-resets-owner')).response.status).toBe(204);
    expect(await loginStatus(secondOwner.email, 'owner-resets-owner')).toBe(200);
  });

  it('managers, API keys and stale sessions are refused; another organisation\'s user is a 404', async () => {
    const manager = await addMember(t, owner, 'manager');
    const agent = await addMember(t, owner, 'agent');
    const before = await hashOf(agent.id);
    expect((await setPassword(manager, agent.id, 'manager-chosen')).response.status).toBe(403);
    const key = await owner.client.POST('/api/api-keys', { body: { name: 'Reset key' } });
    const api = t.client({ apiKey: key.data!.key });
    expect((await api.PUT('/api/users/{id}/password', { params: { path: { id: String(agent.id) } }, body: { password: 'key-chosen-pass' } })).response.status).toBe(403);
    const foreign = await setPassword(otherOwner, agent.id, 'foreign-chosen');
    expect(foreign.response.status).toBe(404);
    expect((await setPassword(owner, 'not-a-number', 'whatever-passphrase')).response.status).toBe(404);
    const short = await setPassword(owner, agent.id, 'short');
    expect(short.response.status).toBe(400);
    expect(JSON.stringify(short.error)).toContain('password');
    const realNow = Date.now;
    const later = vi.spyOn(Date, 'now').mockImplementation(() => realNow() + 16 * 60_000);
    try {
      const stale = await setPassword(owner, agent.id, 'stale-chosen-pass');
      expect(stale.response.status).toBe(403);
      expect(stale.error?.details).toMatch(/log in again/i);
    } finally {
      later.mockRestore();
    }
    expect(await hashOf(agent.id)).toBe(before);
    expect((await agent.client.GET('/api/auth/user')).response.status).toBe(200);
  });
});
