import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, type Member, PASSWORD, registerOrg, uniqueEmail } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

let t: TestApp;
let owner: Member;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Auth Org');
});
afterAll(async () => t.close());

async function counts(app: TestApp): Promise<{ organizations: number; users: number }> {
  const organizations = await app.db.selectFrom('organizations').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  const users = await app.db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return { organizations: Number(organizations.n), users: Number(users.n) };
}

/** Record the raw text of every response the client receives. */
function recordBodies(client: Client): string[] {
  const bodies: string[] = [];
  client.use({
    async onResponse({ response }) {
      bodies.push(await response.clone().text());
      return undefined;
    },
  });
  return bodies;
}

function sessionCookieLine(response: Response): string | undefined {
  return response.headers.getSetCookie().find((line) => line.startsWith('ccp_session='));
}

describe('login and the current user', () => {
  it('runs the seed 000 flow: register, then login sets a cookie that GET /api/auth/user accepts', async () => {
    const email = uniqueEmail('seed');
    const registrant = t.client();
    const registered = await registrant.POST('/api/auth/register', {
      body: { organizationName: 'Seed Org', email, password: PASSWORD, firstName: 'Ada', lastName: 'Lovelace' },
    });
    expect(registered.response.status).toBe(201);
    expect(registered.data).toMatchObject({
      email,
      username: null,
      firstName: 'Ada',
      lastName: 'Lovelace',
      profileImageUrl: null,
      role: 'owner',
      organization: { name: 'Seed Org' },
    });
    // Registration logs in at once.
    const me0 = await registrant.GET('/api/auth/user');
    expect(me0.response.status).toBe(200);
    expect(me0.data).toEqual(registered.data);

    const client = t.client();
    const login = await client.POST('/api/login', { body: { email, password: PASSWORD } });
    expect(login.response.status).toBe(200);
    expect(login.data).toEqual({
      message: 'Login successful',
      user: { id: registered.data!.id, email, firstName: 'Ada', lastName: 'Lovelace' },
    });
    expect(client.cookieJar?.cookies.get('ccp_session')).toBeTruthy();
    const me = await client.GET('/api/auth/user');
    expect(me.response.status).toBe(200);
    expect(me.data).toEqual(registered.data);
    const stored = await t.db.selectFrom('users').select(['last_login_at', 'org_id', 'role']).where('id', '=', registered.data!.id).executeTakeFirstOrThrow();
    expect(stored.last_login_at).toBeInstanceOf(Date);
    expect(stored).toMatchObject({ org_id: registered.data!.organization.id, role: 'owner' });
  });

  it('matches the login email case-insensitively', async () => {
    const client = t.client();
    const login = await client.POST('/api/login', { body: { email: owner.email.toUpperCase(), password: PASSWORD } });
    expect(login.response.status).toBe(200);
    expect(login.data?.user.id).toBe(owner.id);
  });

  it('reads a password with accents the same whichever Unicode form the keyboard sent (é as one character or e + accent)', async () => {
    const composed = 'café-crème-brûlée'.normalize('NFC');
    const decomposed = composed.normalize('NFD');
    expect(decomposed).not.toBe(composed);
    const email = uniqueEmail('accent');
    const register = await t.client().POST('/api/auth/register', { body: { organizationName: 'Accent Org', email, password: composed } });
    expect(register.response.status).toBe(201);
    const login = await t.client().POST('/api/login', { body: { email, password: decomposed } });
    expect(login.response.status).toBe(200);
    expect(login.data?.user.id).toBe(register.data?.id);
    // The other way round: a user created with the decomposed form logs in with the composed one.
    const other = uniqueEmail('accent');
    expect((await owner.client.POST('/api/users', { body: { email: other, password: decomposed, role: 'agent' } })).response.status).toBe(201);
    expect((await t.client().POST('/api/auth/login', { body: { username: other, password: composed } })).response.status).toBe(200);
    expect((await t.client().POST('/api/login', { body: { email, password: composed.replace('é', 'e') } })).response.status).toBe(401);
  });

  it('answers 401 UNAUTHORIZED with the same body text for a wrong password and an unknown email', async () => {
    const client = t.client();
    const wrong = await client.POST('/api/login', { body: { email: owner.email, password: 'wrong-password-1' } });
    const unknown = await client.POST('/api/login', { body: { email: uniqueEmail('nobody'), password: PASSWORD } });
    for (const result of [wrong, unknown]) {
      expect(result.response.status).toBe(401);
      expect(result.error?.code).toBe('UNAUTHORIZED');
    }
    expect(wrong.error?.error).toBe(unknown.error?.error);
    expect(wrong.error?.details).toEqual(unknown.error?.details);
    expect(wrong.response.headers.getSetCookie().some((l) => l.startsWith('ccp_session=') && !/max-age=0|expires=thu, 01 jan 1970/i.test(l))).toBe(false);
    expect(client.cookieJar?.cookies.has('ccp_session')).toBe(false);
    expect((await client.GET('/api/auth/user')).response.status).toBe(401);

    // The legacy path answers the same way.
    const legacyWrong = await client.POST('/api/auth/login', { body: { username: owner.email, password: 'wrong-password-1' } });
    const legacyUnknown = await client.POST('/api/auth/login', { body: { username: 'no_such_user', password: PASSWORD } });
    for (const result of [legacyWrong, legacyUnknown]) {
      expect(result.response.status).toBe(401);
      expect(result.error).toMatchObject({ code: 'UNAUTHORIZED', error: wrong.error?.error, details: wrong.error?.details });
    }
  });

  it('answers 400 naming the field for a malformed login body', async () => {
    const client = t.client();
    const badEmail = await client.POST('/api/login', { body: { email: 'not-an-email', password: PASSWORD } });
    expect(badEmail.response.status).toBe(400);
    expect(badEmail.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { email: expect.any(String) } });
    const noPassword = await client.POST('/api/login', { body: { email: owner.email } as never });
    expect(noPassword.response.status).toBe(400);
    expect(noPassword.error?.details).toMatchObject({ password: 'is required' });
    const legacyNoLogin = await client.POST('/api/auth/login', { body: { password: PASSWORD } });
    expect(legacyNoLogin.response.status).toBe(400);
    expect(legacyNoLogin.error?.code).toBe('VALIDATION_ERROR');
  });

  it('logs in on the legacy path with a username (also in another case) and with an email', async () => {
    const email = uniqueEmail('legacy');
    const created = await owner.client.POST('/api/users', {
      body: { email, password: PASSWORD, role: 'admin', username: 'admin', firstName: 'Demo', lastName: null },
    });
    expect(created.response.status).toBe(201);
    const id = created.data!.id;
    const expected = { id, username: 'admin', email, firstName: 'Demo', lastName: null };

    for (const body of [{ username: 'admin', password: PASSWORD }, { username: 'ADMIN', password: PASSWORD }, { email, password: PASSWORD }, { username: email, password: PASSWORD }]) {
      const client = t.client();
      const login = await client.POST('/api/auth/login', { body });
      expect(login.response.status, JSON.stringify(body)).toBe(200);
      expect(login.data).toEqual(expected);
      const me = await client.GET('/api/auth/user');
      expect(me.response.status).toBe(200);
      expect(me.data).toMatchObject({ id, username: 'admin', role: 'admin', organization: { id: owner.orgId } });
    }
  });

  it('logs out on both paths; the current user is then 401', async () => {
    for (const path of ['/api/logout', '/api/auth/logout'] as const) {
      const client = t.client();
      expect((await client.POST('/api/login', { body: { email: owner.email, password: PASSWORD } })).response.status).toBe(200);
      expect((await client.GET('/api/auth/user')).response.status).toBe(200);
      const out = await client.POST(path);
      expect(out.response.status).toBe(200);
      expect(out.data).toEqual({ message: 'Logout successful' });
      expect(client.cookieJar?.cookies.has('ccp_session')).toBe(false);
      const me = await client.GET('/api/auth/user');
      expect(me.response.status).toBe(401);
      expect(me.error?.code).toBe('UNAUTHORIZED');
    }
    // Logging out without a session is fine too.
    const anon = await t.client().POST('/api/logout');
    expect(anon.response.status).toBe(200);
  });

  it('ends every session of the user on logout: a cookie copied before logout stops working', async () => {
    const laptop = t.client();
    const phone = t.client();
    for (const device of [laptop, phone]) {
      expect((await device.POST('/api/login', { body: { email: owner.email, password: PASSWORD } })).response.status).toBe(200);
    }
    const copied = laptop.cookieJar?.cookies.get('ccp_session');
    expect((await fetch(`${t.url}/api/auth/user`, { headers: { cookie: `ccp_session=${copied}` } })).status).toBe(200);
    expect((await laptop.POST('/api/logout')).response.status).toBe(200);
    expect((await fetch(`${t.url}/api/auth/user`, { headers: { cookie: `ccp_session=${copied}` } })).status).toBe(401);
    expect((await phone.GET('/api/auth/user')).response.status).toBe(401);
    // A new login works again.
    expect((await phone.POST('/api/login', { body: { email: owner.email, password: PASSWORD } })).response.status).toBe(200);
    expect((await phone.GET('/api/auth/user')).response.status).toBe(200);
  });

  it('answers 401 for a missing, garbage or tampered ccp_session cookie', async () => {
    const client = t.client();
    await client.POST('/api/login', { body: { email: owner.email, password: PASSWORD } });
    const valid = client.cookieJar?.cookies.get('ccp_session');
    expect(valid).toBeTruthy();
    const ok = await fetch(`${t.url}/api/auth/user`, { headers: { cookie: `ccp_session=${valid}` } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { id: number }).id).toBe(owner.id);

    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    const cookies = [
      undefined,
      'ccp_session=garbage',
      'ccp_session=',
      `ccp_session=${flip(valid!, 5)}`,
      `ccp_session=${flip(valid!, 20)}`,
      `ccp_session=${valid!.slice(0, -4)}`,
      `ccp_session=${valid!.split('%3B')[0]}`,
      `other=${valid}`,
    ];
    for (const cookie of cookies) {
      const res = await fetch(`${t.url}/api/auth/user`, { headers: cookie === undefined ? {} : { cookie } });
      expect(res.status, cookie).toBe(401);
      const body = (await res.json()) as { code: string; requestId: string };
      expect(body.code).toBe('UNAUTHORIZED');
      expect(body.requestId).toBeTruthy();
    }
  });

  it('sets the session cookie HttpOnly and SameSite=Lax on login, legacy login and register', async () => {
    const login = await t.client().POST('/api/login', { body: { email: owner.email, password: PASSWORD } });
    const legacy = await t.client().POST('/api/auth/login', { body: { email: owner.email, password: PASSWORD } });
    const register = await t.client().POST('/api/auth/register', { body: { organizationName: 'Cookie Org', email: uniqueEmail('cookie'), password: PASSWORD } });
    for (const { response } of [login, legacy, register]) {
      const line = sessionCookieLine(response);
      expect(line).toBeDefined();
      const attributes = line!.split(';').map((a) => a.trim().toLowerCase());
      expect(attributes).toContain('httponly');
      expect(attributes).toContain('samesite=lax');
      expect(attributes).toContain('path=/');
    }
  });
});

describe('registration', () => {
  it('answers 403 and inserts nothing when registration is switched off', async () => {
    const closed = await startTestApp({ env: { ALLOW_REGISTRATION: 'false' } });
    try {
      const before = await counts(closed);
      const client = closed.client();
      const email = uniqueEmail('closed');
      const { error, response } = await client.POST('/api/auth/register', { body: { organizationName: 'Closed Org', email, password: PASSWORD } });
      expect(response.status).toBe(403);
      expect(error?.code).toBe('FORBIDDEN');
      expect(sessionCookieLine(response)).toBeUndefined();
      expect(await counts(closed)).toEqual(before);
      expect((await client.GET('/api/auth/user')).response.status).toBe(401);
    } finally {
      await closed.close();
    }
  });

  it('answers 400 naming the field for bad input, inserting nothing', async () => {
    const before = await counts(t);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ organizationName: 'Bad', email: uniqueEmail('short'), password: 'short' }, 'password'],
      [{ organizationName: 'Bad', email: 'not-an-email', password: PASSWORD }, 'email'],
      [{ organizationName: 'Bad', email: uniqueEmail('extra'), password: PASSWORD, role: 'admin' }, 'role'],
      [{ organizationName: 'Bad', email: uniqueEmail('extra'), password: PASSWORD, orgId: owner.orgId }, 'orgId'],
      [{ organizationName: '', email: uniqueEmail('noname'), password: PASSWORD }, 'organizationName'],
      [{ email: uniqueEmail('missing'), password: PASSWORD }, 'organizationName'],
      [{ organizationName: 'Bad', email: uniqueEmail('user'), password: PASSWORD, username: 'no spaces allowed' }, 'username'],
    ];
    for (const [body, field] of cases) {
      const client = t.client();
      const { error, response } = await client.POST('/api/auth/register', { body: body as never });
      expect(response.status, field).toBe(400);
      expect(error?.code).toBe('VALIDATION_ERROR');
      expect(error?.details).toHaveProperty([field]);
      expect(sessionCookieLine(response)).toBeUndefined();
    }
    expect(await counts(t)).toEqual(before);
  });
});

describe('secrets', () => {
  it('never sends a password hash in any response body', async () => {
    const client = t.client();
    const bodies = recordBodies(client);
    const email = uniqueEmail('hash');
    await client.POST('/api/auth/register', { body: { organizationName: 'Hash Org', email, password: PASSWORD, username: 'hash_user' } });
    await client.POST('/api/login', { body: { email, password: PASSWORD } });
    await client.POST('/api/auth/login', { body: { username: 'hash_user', password: PASSWORD } });
    await client.POST('/api/login', { body: { email, password: 'wrong-password-1' } });
    await client.POST('/api/login', { body: { email, password: PASSWORD } });
    await client.GET('/api/auth/user');
    const created = await client.POST('/api/users', { body: { email: uniqueEmail('member'), password: PASSWORD, role: 'manager' } });
    const id = String(created.data!.id);
    await client.GET('/api/users');
    await client.GET('/api/users/{id}', { params: { path: { id } } });
    await client.PUT('/api/users/{id}', { params: { path: { id } }, body: { firstName: 'Named' } });
    await client.PUT('/api/users/{id}', { params: { path: { id } }, body: { password: 'x' } as never });
    await client.POST('/api/users', { body: { email, password: PASSWORD, role: 'agent' } });
    await client.POST('/api/auth/register', { body: { organizationName: 'Again', email, password: PASSWORD } });
    await client.POST('/api/logout');

    const hashes = (await t.db.selectFrom('users').select('password_hash').execute()).map((r) => r.password_hash);
    expect(hashes.every((h) => h.startsWith('scrypt$'))).toBe(true);
    expect(bodies.length).toBe(14);
    for (const text of bodies) {
      expect(text).not.toContain('scrypt$');
      expect(text).not.toMatch(/password_?hash/i);
      expect(text).not.toContain(PASSWORD);
      for (const hash of hashes) expect(text).not.toContain(hash.split('$').pop()!);
    }
  });
});
