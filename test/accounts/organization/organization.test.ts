// The organisation's settings: its default country reads national lead numbers, a campaign's
// country overrides it; who may read and change them; bad countries refused, nothing changed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createCampaign, type Member, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

let t: TestApp;
let owner: Member;
let manager: Member;
let agent: Member;
let other: Member;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Country Org');
  manager = await addMember(t, owner, 'manager');
  agent = await addMember(t, owner, 'agent');
  other = await registerOrg(t, 'Other Country Org');
});
afterAll(async () => t.close());

async function storedCountry(orgId: string): Promise<string> {
  return (await t.db.selectFrom('organizations').select('default_country').where('id', '=', orgId).executeTakeFirstOrThrow()).default_country;
}

describe('GET /api/organization', () => {
  it('shows every member its own organisation, US by default', async () => {
    for (const member of [owner, manager, agent]) {
      const { data, response } = await member.client.GET('/api/organization');
      expect(response.status).toBe(200);
      expect(data).toMatchObject({ id: owner.orgId, name: 'Country Org', defaultCountry: 'US' });
    }
    const { data } = await other.client.GET('/api/organization');
    expect(data).toMatchObject({ id: other.orgId, name: 'Other Country Org' });
  });
});

describe('PATCH /api/organization', () => {
  it('is for admins and owners: a manager gets 403 and nothing changes', async () => {
    const { response, error } = await manager.client.PATCH('/api/organization', { body: { defaultCountry: 'GB' } });
    expect(response.status).toBe(403);
    expect(error).toMatchObject({ code: 'FORBIDDEN' });
    expect(await storedCountry(owner.orgId)).toBe('US');
  });

  it('refuses a country libphonenumber-js does not know, naming defaultCountry, and changes nothing', async () => {
    for (const defaultCountry of ['ZZ', 'gb', 'GBR']) {
      const { response, error } = await owner.client.PATCH('/api/organization', { body: { defaultCountry } });
      expect(response.status).toBe(400);
      expect(error?.details).toHaveProperty('defaultCountry');
    }
    expect(await storedCountry(owner.orgId)).toBe('US');
  });

  it('refuses a blank name (spaces only) on update and on registration, naming the field, and changes nothing', async () => {
    for (const name of [' ', '\t\n', '   ']) {
      const { response, error } = await owner.client.PATCH('/api/organization', { body: { name } });
      expect(response.status).toBe(400);
      expect(error?.details).toHaveProperty('name');
      const registered = await t.client().POST('/api/auth/register', { body: { organizationName: name, email: `blank-${Math.random()}@example.com`, password: 'a-long-passphrase' } });
      expect(registered.response.status).toBe(400);
      expect(registered.error?.details).toHaveProperty('organizationName');
    }
    expect((await owner.client.GET('/api/organization')).data).toMatchObject({ name: 'Country Org' });
  });

  it('reads national lead numbers in the new country; a campaign of its own country overrides it', async () => {
    const changed = await owner.client.PATCH('/api/organization', { body: { defaultCountry: 'GB' } });
    expect(changed.response.status).toBe(200);
    expect(changed.data).toMatchObject({ defaultCountry: 'GB', name: 'Country Org' });
    expect(await storedCountry(other.orgId)).toBe('US');

    const british = await owner.client.POST('/api/leads', { body: { name: 'London lead', phone: '020 7946 0018' } });
    expect(british.response.status).toBe(201);
    expect(british.data).toMatchObject({ country: 'GB' });
    const row = await t.db.selectFrom('leads').select('phone_e164').where('id', '=', british.data!.id).executeTakeFirstOrThrow();
    expect(row.phone_e164).toBe('+442079460018');

    const german = await createCampaign(owner.client, { name: 'Berlin', defaultCountry: 'DE' });
    expect(german.defaultCountry).toBe('DE');
    const berlin = await owner.client.POST('/api/leads', { body: { name: 'Berlin lead', phone: '030 901820', campaignId: german.id } });
    expect(berlin.response.status).toBe(201);
    const berlinRow = await t.db.selectFrom('leads').select('phone_e164').where('id', '=', berlin.data!.id).executeTakeFirstOrThrow();
    expect(berlinRow.phone_e164).toBe('+4930901820');
  });

  it('a campaign refuses an unknown country on create and update, naming defaultCountry', async () => {
    const created = await owner.client.POST('/api/campaigns', { body: { name: 'Nowhere', defaultCountry: 'ZZ' } });
    expect(created.response.status).toBe(400);
    expect(created.error?.details).toHaveProperty('defaultCountry');
    const campaign = await createCampaign(owner.client, { name: 'Somewhere' });
    const updated = await owner.client.PUT('/api/campaigns/{id}', { params: { path: { id: campaign.id } }, body: { defaultCountry: 'ZZ' } });
    expect(updated.response.status).toBe(400);
    expect(updated.error?.details).toHaveProperty('defaultCountry');
    const cleared = await owner.client.PUT('/api/campaigns/{id}', { params: { path: { id: campaign.id } }, body: { defaultCountry: 'FR' } });
    expect(cleared.data).toMatchObject({ defaultCountry: 'FR' });
  });
});
