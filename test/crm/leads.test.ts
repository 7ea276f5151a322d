// Leads over HTTP: both seeds' shapes, phone normalisation, stage vs dial status, search, roles.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { components } from '../../client/schema.js';
import { addMember, createCampaign, type Member, registerOrg } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let owner: Member;
let manager: Member;
let agent: Member;
let otherAgent: Member;
let campaignId: string;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Leads Org');
  manager = await addMember(t, owner, 'manager');
  agent = await addMember(t, owner, 'agent');
  otherAgent = await addMember(t, owner, 'agent');
  campaignId = (await createCampaign(owner.client, { name: 'Outbound Q1' })).id;
});
afterAll(async () => t.close());

describe('creating leads', () => {
  it('takes seed 003 bodies: the phone normalised in the default country, `status` as the stage', async () => {
    const { data, response } = await owner.client.POST('/api/leads', {
      body: { name: 'Jane Doe', company: 'Digital Corp', phone: '(555) 987-6543', email: 'jane@digitalcorp.com', status: 'New', notes: 'Potential high-value client' },
    });
    expect(response.status).toBe(201);
    expect(data).toMatchObject({ name: 'Jane Doe', company: 'Digital Corp', phoneE164: '555***6543', stage: 'new', dialStatus: 'pending', doNotCall: false, source: 'api', priority: 'normal' });
    const row = await t.db.selectFrom('leads').select(['phone', 'phone_e164']).where('id', '=', data!.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ phone: '(555) 987-6543', phone_e164: '+15559876543' });
  });

  it('takes seed 002 bodies: first/last names joined, custom fields, a campaign; the country and time zone from the number', async () => {
    const { data, response } = await owner.client.POST('/api/leads', {
      body: { campaignId, phone: '+44 20 7946 0958', firstName: 'Sara', lastName: 'Ahmed', email: 'sara@example.com', priority: 'high', customFields: { company: 'ABC Corp', vip: true } },
    });
    expect(response.status).toBe(201);
    expect(data).toMatchObject({ campaignId, name: 'Sara Ahmed', firstName: 'Sara', lastName: 'Ahmed', country: 'GB', timeZone: 'Europe/London', priority: 'high', customFields: { company: 'ABC Corp', vip: true } });
  });

  it('reads a national number in the country the request names', async () => {
    const { data } = await owner.client.POST('/api/leads', { body: { phone: '020 7946 0111', defaultCountry: 'GB', name: 'Kim Lee' } });
    expect(data).toMatchObject({ country: 'GB', phoneE164: '207***0111' });
  });

  it('keeps the time zone when the same number is sent again, and derives it only from a new number or country', async () => {
    const created = (await owner.client.POST('/api/leads', { body: { phone: '+1 415 555 0181', timeZone: 'America/Los_Angeles' } })).data!;
    expect(created.timeZone).toBe('America/Los_Angeles');
    const put = (body: components['schemas']['LeadUpdate']) => owner.client.PUT('/api/leads/{id}', { params: { path: { id: created.id } }, body });
    const resent = await put({ phone: '(415) 555-0181', notes: 'called' });
    expect(resent.response.status).toBe(200);
    expect(resent.data).toMatchObject({ country: 'US', timeZone: 'America/Los_Angeles', notes: 'called' });
    // A new number of a country with several zones leaves a zone given explicitly alone.
    expect((await put({ phone: '+1 212 555 0181' })).data).toMatchObject({ country: 'US', timeZone: 'America/Los_Angeles' });
    // A number of a one-zone country brings its zone; a later multi-zone number clears that implied one.
    expect((await put({ phone: '+44 20 7946 0181' })).data).toMatchObject({ country: 'GB', timeZone: 'Europe/London' });
    expect((await put({ phone: '+1 212 555 0182' })).data).toMatchObject({ country: 'US', timeZone: null });
  });

  it('takes a number written with an extension (`ext. 123`), keeping it as given and dialing the number itself', async () => {
    const { data, response } = await owner.client.POST('/api/leads', { body: { phone: '+1 415 555 0191 ext. 123', name: 'Front Desk' } });
    expect(response.status, JSON.stringify(data)).toBe(201);
    expect(data).toMatchObject({ phoneE164: '415***0191', country: 'US' });
    const stored = await t.db.selectFrom('leads').select(['phone', 'phone_e164']).where('id', '=', data!.id).executeTakeFirstOrThrow();
    expect(stored).toEqual({ phone: '+1 415 555 0191 ext. 123', phone_e164: '+14155550191' });
    const dnc = await owner.client.POST('/api/dnc-numbers', { body: { phoneNumber: '(415) 555-0192 Ext. 9' } });
    expect(dnc.response.status).toBe(201);
    const check = await owner.client.GET('/api/dnc-numbers/check', { params: { query: { phoneNumber: '+14155550192' } } });
    expect(check.data!.doNotCall).toBe(true);
  });

  it('answers 400 naming defaultCountry for a country libphonenumber-js does not know', async () => {
    const { error, response } = await owner.client.POST('/api/leads', { body: { phone: '415 555 0199', defaultCountry: 'ZZ' } });
    expect(response.status).toBe(400);
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', details: { defaultCountry: expect.any(String) } });
    expect(Object.keys((error as { details: Record<string, string> }).details)).not.toContain('phone');
  });

  it('answers 400 naming phone for a number that is none, and for a bad time zone naming timeZone', async () => {
    for (const phone of ['12', 'call me maybe', '1-800-FLOWERS']) {
      const { error, response } = await owner.client.POST('/api/leads', { body: { phone, name: 'Bad' } });
      expect(response.status).toBe(400);
      expect(error).toMatchObject({ code: 'VALIDATION_ERROR', details: { phone: expect.any(String) } });
    }
    const { error } = await owner.client.POST('/api/leads', { body: { phone: '+14155550101', timeZone: 'Mars/Olympus' } });
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', details: { timeZone: expect.any(String) } });
  });

  it('answers 400 naming phone for a number libphonenumber-js finds possible but E.164 cannot hold (over 15 or under 7 digits)', async () => {
    for (const phone of ['+49 1555 5555 5555 55', '+81 15555555555555', '+43 1555']) {
      const { error, response } = await owner.client.POST('/api/leads', { body: { phone, name: 'Too long' } });
      expect(response.status, phone).toBe(400);
      expect(error).toMatchObject({ code: 'VALIDATION_ERROR', details: { phone: expect.any(String) } });
      const dnc = await owner.client.POST('/api/dnc-numbers', { body: { phoneNumber: phone } });
      expect(dnc.response.status, phone).toBe(400);
    }
  });

  it('answers 409 for a number already in the campaign (in any format)', async () => {
    await owner.client.POST('/api/leads', { body: { campaignId, phone: '+1 415 555 0123', name: 'First' } });
    const { error, response } = await owner.client.POST('/api/leads', { body: { campaignId, phone: '(415) 555-0123', name: 'Again' } });
    expect(response.status).toBe(409);
    expect(error).toMatchObject({ code: 'CONFLICT', details: { phone: expect.any(String) } });
    // ...while another campaign (or none) may hold it.
    expect((await owner.client.POST('/api/leads', { body: { phone: '415.555.0123', name: 'No campaign' } })).response.status).toBe(201);
  });

  it('answers 404 for a campaign of another organisation and 400 for an assignee who is no member', async () => {
    const other = await registerOrg(t, 'Other Org');
    const foreign = await createCampaign(other.client);
    expect((await owner.client.POST('/api/leads', { body: { campaignId: foreign.id, phone: '+14155550150' } })).response.status).toBe(404);
    const { error } = await owner.client.POST('/api/leads', { body: { phone: '+14155550151', assignedTo: other.id } });
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', details: { assignedTo: expect.any(String) } });
  });
});

describe('stage and dial status are separate', () => {
  it('updates the stage in seed 003 spelling without touching the dial status; filters by either through `status`', async () => {
    const { data: lead } = await owner.client.POST('/api/leads', { body: { campaignId, phone: '+14155550170', name: 'Stage Test' } });
    const { data } = await owner.client.PUT('/api/leads/{id}', { params: { path: { id: lead!.id } }, body: { status: 'Follow-up', notes: 'Call back Tuesday' } });
    expect(data).toMatchObject({ stage: 'follow_up', dialStatus: 'pending', notes: 'Call back Tuesday' });
    const byStage = await owner.client.GET('/api/leads', { params: { query: { status: 'Follow-up' } } });
    expect(byStage.data!.leads.map((l) => l.id)).toEqual([lead!.id]);
    const byDial = await owner.client.GET('/api/leads', { params: { query: { status: 'pending', campaignId } } });
    expect(byDial.data!.leads.map((l) => l.id)).toContain(lead!.id);
  });
});

describe('listing: both seed pagination styles', () => {
  it('pages by limit/offset (seed 002: count + total) and by page/limit (seed 003: pagination)', async () => {
    const { data: campaign } = await owner.client.POST('/api/campaigns', { body: { name: 'Paging' } });
    for (let i = 0; i < 5; i += 1) await owner.client.POST('/api/leads', { body: { campaignId: campaign!.id, phone: `+1415555020${i}`, name: `Page ${i}` } });
    const seed002 = await owner.client.GET('/api/leads', { params: { query: { campaignId: campaign!.id, limit: 2, offset: 4 } } });
    expect(seed002.data).toMatchObject({ count: 1, total: 5, pagination: { page: 3, limit: 2, total: 5, totalPages: 3 } });
    const seed003 = await owner.client.GET('/api/leads', { params: { query: { campaignId: campaign!.id, page: 2, limit: 2 } } });
    expect(seed003.data).toMatchObject({ count: 2, total: 5, pagination: { page: 2, limit: 2, total: 5, totalPages: 3 } });
    expect(seed003.data!.leads.map((l) => l.name)).toEqual(['Page 2', 'Page 1']);
  });
});

describe('search', () => {
  let ids: Record<string, string>;
  beforeAll(async () => {
    const org = owner.client;
    const { data: campaign } = await org.POST('/api/campaigns', { body: { name: 'Search' } });
    const make = async (name: string, company: string, phone: string, email: string) =>
      (await org.POST('/api/leads', { body: { campaignId: campaign!.id, name, company, phone, email } })).data!.id;
    ids = {
      john: await make('John Smith', 'Tech Solutions Inc.', '(555) 123-4567', 'john@techsolutions.com'),
      johnny: await make('Johnny Smithers', 'Acme', '+1 555 987 1234', 'johnny@acme.test'),
      sarah: await make('Sarah Johnson', 'Innovation Labs', '555-234-5678', 'sarah@innovationlabs.com'),
      tech: await make('Pat Tech', 'Techno Union', '+1 212 555 0199', 'pat@union.example'),
    };
  });
  const search = async (q: string) => (await owner.client.GET('/api/leads', { params: { query: { q } } })).data!.leads.map((l) => l.id);

  it('matches phone fragments in any format', async () => {
    for (const q of ['(555) 123', '555123', '+1555123', '5551234567', '123-45']) expect(await search(q), q).toEqual([ids.john]);
  });

  it('matches names, companies and emails, ranking exact matches first', async () => {
    expect((await search('john smith'))[0]).toBe(ids.john);
    expect(await search('Tech Solutions')).toEqual([ids.john]);
    expect(await search('innovationlabs')).toEqual([ids.sarah]);
    const tech = await search('tech');
    expect(tech).toEqual(expect.arrayContaining([ids.john, ids.tech]));
    // A near name (John Smith for Johnny Smithers) may follow, never precede, the exact one.
    expect((await search('Johnny Smithers'))[0]).toBe(ids.johnny);
  });

  it('tolerates small typos in names and companies', async () => {
    expect(await search('John Smyth')).toContain(ids.john);
    expect(await search('Tech Solutoins')).toContain(ids.john);
    expect(await search('Inovation Labs')).toContain(ids.sarah);
    expect(await search('Sarah Jonson')).toContain(ids.sarah);
  });

  it('takes seed 003\'s `search` parameter', async () => {
    const { data } = await owner.client.GET('/api/leads', { params: { query: { search: 'Tech Solutions' } } });
    expect(data!.leads.map((l) => l.id)).toEqual([ids.john]);
  });
});

describe('roles (seed 003 matrix)', () => {
  it('an agent sees and changes only leads assigned to it, and cannot give them away', async () => {
    const mine = (await agent.client.POST('/api/leads', { body: { phone: '+14155550301', name: 'Agent own' } })).data!;
    expect(mine.assignedTo).toBe(agent.id);
    const theirs = (await owner.client.POST('/api/leads', { body: { phone: '+14155550302', name: 'Other agent', assignedTo: otherAgent.id } })).data!;
    const list = await agent.client.GET('/api/leads', {});
    expect(list.data!.leads.map((l) => l.id)).toEqual([mine.id]);
    expect((await agent.client.GET('/api/leads/{id}', { params: { path: { id: theirs.id } } })).response.status).toBe(404);
    expect((await agent.client.PUT('/api/leads/{id}', { params: { path: { id: theirs.id } }, body: { notes: 'mine now' } })).response.status).toBe(404);
    expect((await agent.client.PUT('/api/leads/{id}', { params: { path: { id: mine.id } }, body: { stage: 'contacted' } })).data?.stage).toBe('contacted');
    const giveAway = await agent.client.PUT('/api/leads/{id}', { params: { path: { id: mine.id } }, body: { assignedTo: otherAgent.id } });
    expect(giveAway.response.status).toBe(403);
    const createForOther = await agent.client.POST('/api/leads', { body: { phone: '+14155550303', assignedTo: otherAgent.id } });
    expect(createForOther.response.status).toBe(403);
    expect((await agent.client.DELETE('/api/leads/{id}', { params: { path: { id: mine.id } } })).response.status).toBe(403);
  });

  it('a manager reads and changes every lead but cannot delete one; an admin can', async () => {
    const lead = (await agent.client.POST('/api/leads', { body: { phone: '+14155550310', name: 'Managed' } })).data!;
    expect((await manager.client.GET('/api/leads/{id}', { params: { path: { id: lead.id } } })).response.status).toBe(200);
    expect((await manager.client.PUT('/api/leads/{id}', { params: { path: { id: lead.id } }, body: { assignedTo: otherAgent.id } })).data?.assignedTo).toBe(otherAgent.id);
    expect((await manager.client.DELETE('/api/leads/{id}', { params: { path: { id: lead.id } } })).response.status).toBe(403);
    const admin = await addMember(t, owner, 'admin');
    expect((await admin.client.DELETE('/api/leads/{id}', { params: { path: { id: lead.id } } })).response.status).toBe(204);
    expect((await admin.client.GET('/api/leads/{id}', { params: { path: { id: lead.id } } })).response.status).toBe(404);
  });

  it('answers 404 for a malformed lead id', async () => {
    expect((await owner.client.GET('/api/leads/{id}', { params: { path: { id: 'not-a-uuid' } } })).response.status).toBe(404);
  });
});

describe('the CSV template', () => {
  it('is a header row and an example row', async () => {
    const response = await fetch(`${t.url}/api/leads/template/csv`, { headers: { cookie: cookieOf(owner) } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const text = await response.text();
    expect(text.split('\r\n')[0]).toBe('firstName,lastName,name,company,phone,email,country,timeZone,priority,stage,notes,nextCallAt');
  });
});

function cookieOf(member: Member): string {
  return [...member.client.cookieJar!.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
}
