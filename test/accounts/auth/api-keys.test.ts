import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateApiKey, isWellFormedApiKey } from '../../../server/accounts/api-keys/key-format.js';
import { type Client, type Member, PASSWORD, addMember, registerOrg, uniqueEmail } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

let t: TestApp;
let owner: Member;
let admin: Member;
let manager: Member;
let agent: Member;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Keys Org');
  admin = await addMember(t, owner, 'admin');
  manager = await addMember(t, owner, 'manager');
  agent = await addMember(t, owner, 'agent');
});
afterAll(async () => t.close());

const KEY_PATTERN = /^ccp_live_[0-9A-Za-z]{36}$/;
type Role = 'owner' | 'admin' | 'manager' | 'agent';

async function createKey(client: Client, name: string, role?: Role) {
  const { data, response } = await client.POST('/api/api-keys', { body: role ? { name, role } : { name } });
  if (response.status !== 201 || !data) throw new Error(`createApiKey failed: ${response.status}`);
  return data;
}
const keyRow = (id: string) => t.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
const revoke = (client: Client, id: string) => client.DELETE('/api/api-keys/{id}', { params: { path: { id } } });
const status = async (p: Promise<{ response: Response }>) => (await p).response.status;

describe('API keys: creation and storage', () => {
  it('creates a key shown once: 201 with the whole key, the list shows only the 17-char prefix', async () => {
    const { data, response } = await owner.client.POST('/api/api-keys', { body: { name: 'CRM integration', role: 'manager' } });
    expect(response.status).toBe(201);
    expect(data?.key).toMatch(KEY_PATTERN);
    expect(data).toMatchObject({
      name: 'CRM integration',
      role: 'manager',
      createdByUserId: owner.id,
      lastUsedAt: null,
      revokedAt: null,
      prefix: data!.key.slice(0, 17),
    });

    const list = await owner.client.GET('/api/api-keys');
    expect(list.response.status).toBe(200);
    const listed = list.data?.find((k) => k.id === data!.id);
    expect(listed).toBeDefined();
    expect(listed).not.toHaveProperty('key');
    expect(listed?.prefix).toBe(data!.key.slice(0, 17));
    const { key, ...rest } = data!;
    expect(listed).toEqual(rest);
    expect(JSON.stringify(list.data)).not.toContain(key.slice(17));
  });

  it('stores only the sha256 of the key, never the key itself', async () => {
    const created = await createKey(owner.client, 'Stored');
    const stored = await keyRow(created.id);
    expect(stored).toBeDefined();
    expect(stored!.key_hash).toBe(createHash('sha256').update(created.key).digest('hex'));
    expect(stored!.prefix).toBe(created.key.slice(0, 17));
    const secretPart = created.key.slice(17);
    for (const [column, value] of Object.entries(stored!)) {
      expect(String(value), column).not.toBe(created.key);
      expect(String(value), column).not.toContain(secretPart);
    }
  });

  it('defaults the key role to the creator role and refuses a role above it (403, nothing inserted)', async () => {
    expect((await createKey(admin.client, 'Admin default')).role).toBe('admin');
    expect((await createKey(owner.client, 'Owner default')).role).toBe('owner');
    expect((await createKey(admin.client, 'Admin agent', 'agent')).role).toBe('agent');

    const before = await t.db.selectFrom('api_keys').select('id').execute();
    const { error, response } = await admin.client.POST('/api/api-keys', { body: { name: 'Escalate', role: 'owner' } });
    expect(response.status).toBe(403);
    expect(error?.code).toBe('FORBIDDEN');
    expect(await t.db.selectFrom('api_keys').select('id').execute()).toHaveLength(before.length);
    expect(await t.db.selectFrom('api_keys').select('id').where('name', '=', 'Escalate').execute()).toEqual([]);
  });

  it('answers 400 naming the field for a bad create body', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{}, 'name'],
      [{ name: '' }, 'name'],
      [{ name: 'x'.repeat(101) }, 'name'],
      [{ name: 'Bad role', role: 'superuser' }, 'role'],
      [{ name: 'Extra', keyHash: 'f'.repeat(64) }, 'keyHash'],
      [{ name: 'Extra', key: 'ccp_live_' + 'a'.repeat(36) }, 'key'],
      [{ name: 'Extra', createdByUserId: agent.id }, 'createdByUserId'],
    ];
    for (const [body, field] of cases) {
      const { error, response } = await owner.client.POST('/api/api-keys', { body: body as never });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(error?.code).toBe('VALIDATION_ERROR');
      expect(error?.details).toHaveProperty([field]);
    }
  });

  it('applies the role matrix: agents cannot list, managers list but cannot create or revoke', async () => {
    const key = await createKey(owner.client, 'Matrix', 'agent');
    const agentList = await agent.client.GET('/api/api-keys');
    expect(agentList.response.status).toBe(403);
    expect(agentList.error?.code).toBe('FORBIDDEN');

    const managerList = await manager.client.GET('/api/api-keys');
    expect(managerList.response.status).toBe(200);
    expect(managerList.data?.map((k) => k.id)).toContain(key.id);
    expect(managerList.data?.every((k) => !('key' in k))).toBe(true);

    const managerCreate = await manager.client.POST('/api/api-keys', { body: { name: 'Manager key' } });
    expect(managerCreate.response.status).toBe(403);
    expect(await status(revoke(manager.client, key.id))).toBe(403);
    expect(await status(revoke(agent.client, key.id))).toBe(403);
    expect((await keyRow(key.id))?.revoked_at).toBeNull();

    const anon = t.client();
    expect(await status(anon.GET('/api/api-keys'))).toBe(401);
    expect(await status(anon.POST('/api/api-keys', { body: { name: 'Anon' } }))).toBe(401);
  });
});

describe('API keys: authentication', () => {
  it('authenticates GET /api/campaigns and GET /api/auth/user, and records lastUsedAt', async () => {
    const created = await createKey(admin.client, 'Reader');
    const api = t.client({ apiKey: created.key });
    const campaigns = await api.GET('/api/campaigns');
    expect(campaigns.response.status).toBe(200);
    expect(Array.isArray(campaigns.data)).toBe(true);
    const me = await api.GET('/api/auth/user');
    expect(me.response.status).toBe(200);
    expect(me.data).toMatchObject({ id: admin.id, email: admin.email, organization: { id: owner.orgId } });
    // No session cookie is issued for key-authenticated calls.
    expect(api.cookieJar?.cookies.has('ccp_session')).toBe(false);

    const stored = await keyRow(created.id);
    expect(stored?.last_used_at).toBeInstanceOf(Date);
    const listed = (await owner.client.GET('/api/api-keys')).data?.find((k) => k.id === created.id);
    expect(listed?.lastUsedAt).not.toBeNull();
  });

  it('answers 401 for a malformed, checksum-failing or unknown well-formed key', async () => {
    const created = await createKey(owner.client, 'Genuine');
    const last = created.key.at(-1)!;
    const flipped = created.key.slice(0, -1) + (last === 'a' ? 'b' : 'a');
    const unknown = generateApiKey().key;
    expect(isWellFormedApiKey(flipped)).toBe(false);
    expect(isWellFormedApiKey(unknown)).toBe(true);
    expect(unknown).toMatch(KEY_PATTERN);

    const bad = [
      'not-a-key',
      'ccp_live_',
      created.key.slice(0, -1),
      `${created.key}x`,
      created.key.replace('ccp_live_', 'ccp_test_'),
      flipped,
      unknown,
      created.key.toLowerCase() === created.key ? created.key.toUpperCase() : created.key.toLowerCase(),
    ];
    for (const key of bad) {
      for (const result of [await t.client({ apiKey: key }).GET('/api/campaigns'), await t.client({ apiKey: key }).GET('/api/auth/user')]) {
        expect(result.response.status, key).toBe(401);
        expect(result.error?.code).toBe('UNAUTHORIZED');
      }
    }
    // Other Authorization schemes are refused too, even with a valid key in them.
    for (const authorization of [`Basic ${created.key}`, `Bearer`, `Bearer ${created.key} extra`, created.key]) {
      const res = await fetch(`${t.url}/api/campaigns`, { headers: { authorization } });
      expect(res.status, authorization).toBe(401);
    }
    // The genuine key still works.
    expect(await status(t.client({ apiKey: created.key }).GET('/api/campaigns'))).toBe(200);
  });

  it('a bad Authorization header wins over a valid session cookie (401, no fallback)', async () => {
    const client = t.client({ apiKey: generateApiKey().key });
    const login = await client.POST('/api/login', { body: { email: owner.email, password: 'correct-horse-battery' } });
    expect(login.response.status).toBe(200);
    const me = await client.GET('/api/auth/user');
    expect(me.response.status).toBe(401);
  });

  it('revokes: 204, the key then gets 401, revoking again is 204 and keeps revokedAt', async () => {
    const created = await createKey(owner.client, 'To revoke');
    const api = t.client({ apiKey: created.key });
    expect(await status(api.GET('/api/campaigns'))).toBe(200);

    const first = await revoke(owner.client, created.id);
    expect(first.response.status).toBe(204);
    const after = await api.GET('/api/campaigns');
    expect(after.response.status).toBe(401);
    expect(after.error?.code).toBe('UNAUTHORIZED');

    const revokedAt = (await keyRow(created.id))?.revoked_at;
    expect(revokedAt).toBeInstanceOf(Date);
    const listed = (await owner.client.GET('/api/api-keys')).data?.find((k) => k.id === created.id);
    expect(listed?.revokedAt).not.toBeNull();
    expect(new Date(listed!.revokedAt!).getTime()).toBe(revokedAt!.getTime());

    const second = await revoke(owner.client, created.id);
    expect(second.response.status).toBe(204);
    expect((await keyRow(created.id))?.revoked_at).toEqual(revokedAt);
    expect(await status(api.GET('/api/campaigns'))).toBe(401);
  });

  it('answers 404 for another organisation\'s key id, an unknown id and a malformed id', async () => {
    const other = await registerOrg(t, 'Other Keys Org');
    const otherKey = await createKey(other.client, 'Theirs');
    for (const id of [otherKey.id, '00000000-0000-4000-8000-000000000000', 'not-a-uuid', '123', "1' OR '1'='1"]) {
      const { error, response } = await revoke(owner.client, id);
      expect(response.status, id).toBe(404);
      expect(error?.code).toBe('RESOURCE_NOT_FOUND');
    }
    expect((await keyRow(otherKey.id))?.revoked_at).toBeNull();
    expect((await owner.client.GET('/api/api-keys')).data?.map((k) => k.id)).not.toContain(otherKey.id);

    // The other organisation's key works, but only inside its own organisation.
    const mine = await createCampaignWith(owner.client, 'Mine');
    const theirs = t.client({ apiKey: otherKey.key });
    const list = await theirs.GET('/api/campaigns');
    expect(list.response.status).toBe(200);
    expect(list.data?.map((c) => c.id)).not.toContain(mine);
    expect(await status(theirs.GET('/api/campaigns/{id}', { params: { path: { id: mine } } }))).toBe(404);
  });
});

async function createCampaignWith(client: Client, name: string): Promise<string> {
  const { data, response } = await client.POST('/api/campaigns', { body: { name } });
  if (response.status !== 201 || !data) throw new Error(`createCampaign failed: ${response.status}`);
  return data.id;
}

describe('API keys: roles', () => {
  it('a key acts with its own role: an agent key gets 403 on POST /api/campaigns, a manager key 201', async () => {
    const agentKey = t.client({ apiKey: (await createKey(owner.client, 'Agent key', 'agent')).key });
    const managerKey = t.client({ apiKey: (await createKey(owner.client, 'Manager key', 'manager')).key });

    expect(await status(agentKey.GET('/api/campaigns'))).toBe(200);
    const denied = await agentKey.POST('/api/campaigns', { body: { name: 'By agent key' } });
    expect(denied.response.status).toBe(403);
    expect(denied.error?.code).toBe('FORBIDDEN');
    const created = await managerKey.POST('/api/campaigns', { body: { name: 'By manager key' } });
    expect(created.response.status).toBe(201);
    const names = (await t.db.selectFrom('campaigns').select('name').where('org_id', '=', owner.orgId).execute()).map((c) => c.name);
    expect(names).toContain('By manager key');
    expect(names).not.toContain('By agent key');

    // Minting keys needs admin; listing them needs manager.
    expect(await status(managerKey.POST('/api/api-keys', { body: { name: 'Minted' } }))).toBe(403);
    expect(await status(agentKey.GET('/api/api-keys'))).toBe(403);
    expect(await status(managerKey.GET('/api/api-keys'))).toBe(200);
  });

  it('an admin key cannot mint an owner key, and an admin cannot revoke an owner-role key (403)', async () => {
    const adminKey = t.client({ apiKey: (await createKey(owner.client, 'Owner-made admin key', 'admin')).key });
    expect(await status(adminKey.POST('/api/api-keys', { body: { name: 'Up', role: 'owner' } }))).toBe(403);

    const ownerKey = await createKey(owner.client, 'Owner key', 'owner');
    for (const client of [admin.client, adminKey]) {
      const { error, response } = await revoke(client, ownerKey.id);
      expect(response.status).toBe(403);
      expect(error?.code).toBe('FORBIDDEN');
    }
    expect((await keyRow(ownerKey.id))?.revoked_at).toBeNull();
    expect(await status(t.client({ apiKey: ownerKey.key }).GET('/api/users'))).toBe(200);

    // An admin may revoke an admin-role key made by the owner.
    const ownerMadeAdminKey = await createKey(owner.client, 'Revocable by admin', 'admin');
    expect(await status(revoke(admin.client, ownerMadeAdminKey.id))).toBe(204);
  });

  it('a key stops working (401) when its creator is removed, and is shown revoked', async () => {
    const creator = await addMember(t, owner, 'admin');
    const created = await createKey(creator.client, 'Leaver key');
    const api = t.client({ apiKey: created.key });
    expect(await status(api.GET('/api/campaigns'))).toBe(200);

    expect(await status(owner.client.DELETE('/api/users/{id}', { params: { path: { id: String(creator.id) } } }))).toBe(204);
    const after = await api.GET('/api/campaigns');
    expect(after.response.status).toBe(401);
    expect(after.error?.code).toBe('UNAUTHORIZED');
    expect(await status(api.GET('/api/auth/user'))).toBe(401);

    const listed = (await owner.client.GET('/api/api-keys')).data?.find((k) => k.id === created.id);
    expect(listed?.revokedAt).not.toBeNull();
    expect(listed?.createdByUserId).toBeNull();
  });

  it('a key of a user who is later demoted acts with the weaker role (and does not regain more on promotion above the key role)', async () => {
    const creator = await addMember(t, owner, 'admin');
    const created = await createKey(creator.client, 'Demoted key');
    expect(created.role).toBe('admin');
    const api = t.client({ apiKey: created.key });
    expect(await status(api.POST('/api/campaigns', { body: { name: 'Before demotion' } }))).toBe(201);
    expect(await status(api.GET('/api/api-keys'))).toBe(200);

    const demote = await owner.client.PUT('/api/users/{id}', { params: { path: { id: String(creator.id) } }, body: { role: 'agent' } });
    expect(demote.response.status).toBe(200);

    expect(await status(api.GET('/api/campaigns'))).toBe(200);
    expect((await api.GET('/api/auth/user')).data?.role).toBe('agent');
    const write = await api.POST('/api/campaigns', { body: { name: 'After demotion' } });
    expect(write.response.status).toBe(403);
    expect(write.error?.code).toBe('FORBIDDEN');
    expect(await status(api.GET('/api/api-keys'))).toBe(403);
    expect(await status(api.POST('/api/api-keys', { body: { name: 'Sneaky' } }))).toBe(403);
    expect(await t.db.selectFrom('campaigns').select('id').where('name', '=', 'After demotion').execute()).toEqual([]);

    // Promoted to owner, the key still acts as admin at most.
    const promote = await owner.client.PUT('/api/users/{id}', { params: { path: { id: String(creator.id) } }, body: { role: 'owner' } });
    expect(promote.response.status).toBe(200);
    expect(await status(api.POST('/api/campaigns', { body: { name: 'After promotion' } }))).toBe(201);
    expect(await status(api.POST('/api/api-keys', { body: { name: 'Owner?', role: 'owner' } }))).toBe(403);
    expect(await status(api.DELETE('/api/users/{id}', { params: { path: { id: String(agent.id) } } }))).toBe(403);
  });
});

describe('API keys cannot outlive their maker: keys, users and roles need a recent login (session)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('an admin key cannot create keys or users or change a role (403, nothing created), so revoking it leaves nothing behind', async () => {
    const made = await createKey(owner.client, 'Admin key', 'admin');
    const api = t.client({ apiKey: made.key });
    const keysBefore = (await t.db.selectFrom('api_keys').select('id').execute()).length;
    const email = uniqueEmail('minted');

    const key = await api.POST('/api/api-keys', { body: { name: 'Backdoor key', role: 'admin' } });
    const user = await api.POST('/api/users', { body: { email, password: PASSWORD, role: 'admin' } });
    const role = await api.PUT('/api/users/{id}', { params: { path: { id: String(agent.id) } }, body: { role: 'admin' } });
    for (const [label, result] of [['key', key], ['user', user], ['role', role]] as const) {
      expect(result.response.status, label).toBe(403);
      expect(result.error?.code, label).toBe('FORBIDDEN');
    }
    expect((await t.db.selectFrom('api_keys').select('id').execute()).length).toBe(keysBefore);
    expect(await t.db.selectFrom('users').select('id').where('email', '=', email).execute()).toEqual([]);
    expect((await t.db.selectFrom('users').select('role').where('id', '=', agent.id).executeTakeFirstOrThrow()).role).toBe('agent');

    // Other writes and a name change without a role still work through the key.
    expect(await status(api.PUT('/api/users/{id}', { params: { path: { id: String(agent.id) } }, body: { firstName: 'Renamed' } }))).toBe(200);
    expect(await status(revoke(owner.client, made.id))).toBe(204);
    expect(await status(api.GET('/api/users'))).toBe(401);
  });

  it('an owner key cannot remove a user (403 saying why, the user and their keys stay); an owner session that logged in recently can', async () => {
    const victim = await addMember(t, owner, 'admin');
    const victimKey = await createKey(victim.client, 'Victim key', 'manager');
    const made = await createKey(owner.client, 'Owner key', 'owner');
    const api = t.client({ apiKey: made.key });
    const removed = await api.DELETE('/api/users/{id}', { params: { path: { id: String(victim.id) } } });
    expect(removed.response.status).toBe(403);
    expect(removed.error).toMatchObject({ code: 'FORBIDDEN', details: 'An API key cannot remove users; log in with a password' });
    expect(await t.db.selectFrom('users').select('id').where('id', '=', victim.id).execute()).toEqual([{ id: victim.id }]);
    expect(await status(t.client({ apiKey: victimKey.key }).GET('/api/campaigns'))).toBe(200);
    expect(await status(owner.client.DELETE('/api/users/{id}', { params: { path: { id: String(victim.id) } } }))).toBe(204);
  });

  it('a session must have logged in within the last 15 minutes to create keys or users or change roles', async () => {
    const member = await addMember(t, owner, 'admin');
    const realNow = Date.now;
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + 16 * 60_000);
    const stale = await member.client.POST('/api/api-keys', { body: { name: 'Stale session key' } });
    expect(stale.response.status).toBe(403);
    expect(stale.error?.details).toMatch(/log in again/i);
    expect(await status(member.client.POST('/api/users', { body: { email: uniqueEmail('late'), password: PASSWORD, role: 'agent' } }))).toBe(403);
    expect(await status(member.client.PUT('/api/users/{id}', { params: { path: { id: String(agent.id) } }, body: { role: 'manager' } }))).toBe(403);
    const staleOwner = await owner.client.DELETE('/api/users/{id}', { params: { path: { id: String(member.id) } } });
    expect(staleOwner.response.status).toBe(403);
    expect(staleOwner.error?.details).toMatch(/log in again to remove users/i);
    // Reading still works, and logging in again opens the window.
    expect(await status(member.client.GET('/api/api-keys'))).toBe(200);
    expect((await member.client.POST('/api/login', { body: { email: member.email, password: PASSWORD } })).response.status).toBe(200);
    expect(await status(member.client.POST('/api/api-keys', { body: { name: 'Fresh session key' } }))).toBe(201);
  });
});
