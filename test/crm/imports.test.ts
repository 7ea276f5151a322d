// CSV imports over HTTP: seed 002's upload with fieldMapping, seed 004's validate / import /
// status, messy real-world files, duplicates, do-not-call, idempotence, the errors CSV.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createCampaign, type Member, registerOrg } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { cookieOf, upload, waitForImport } from './helpers.js';

let t: TestApp;
let owner: Member;
let agent: Member;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Import Org');
  agent = await addMember(t, owner, 'agent');
});
afterAll(async () => t.close());

async function importFile(csv: string | Uint8Array, fields: Record<string, string>, path = '/api/leads/imports') {
  const accepted = await upload(t, owner, path, csv, fields);
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
  expect(accepted.body.status).toBe('queued');
  expect(accepted.headers.get('location')).toBe(`/api/leads/imports/${accepted.body.id}`);
  return waitForImport(owner, accepted.body.id);
}

describe('seed 002 upload with fieldMapping', () => {
  it('maps the columns it names (snake_case field names), counts every outcome, and lists row errors', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Seed 002' });
    await owner.client.POST('/api/dnc-numbers', { body: { phoneNumber: '+14155550903' } });
    const csv = [
      'First Name,Last Name,Phone Number,Country Code,Favourite Colour',
      'Sara,Ahmed,+14155552671,US,green',
      'Omar,Khan,(415) 555-0902,US,blue',
      'Dup,Licate,415.555.0902,US,',
      'Bad,Phone,invalid,US,red',
      'No,Country,+14155550903,USA,',
      'Do,NotCall,+1 415 555 0903,US,',
    ].join('\n');
    const done = await importFile(csv, {
      campaign_id: campaign.id,
      field_mapping: JSON.stringify({ 'First Name': 'first_name', 'Last Name': 'last_name', 'Phone Number': 'phone', 'Country Code': 'country' }),
    }, '/api/leads/upload');
    expect(done).toMatchObject({ status: 'completed', totalRows: 6, validRows: 4, invalidRows: 2, duplicateRows: 1, dncRows: 1, insertedRows: 3, errorCount: 2, failure: null });
    expect(done.errors).toEqual([
      { row: 5, field: 'phone', value: 'invalid', message: 'Invalid phone number' },
      { row: 6, field: 'country', value: 'USA', message: 'Invalid country (ISO code, e.g. US)' },
    ]);
    const leads = await owner.client.GET('/api/leads', { params: { query: { campaignId: campaign.id } } });
    expect(leads.data!.total).toBe(3);
    const sara = leads.data!.leads.find((l) => l.firstName === 'Sara')!;
    expect(sara).toMatchObject({ name: 'Sara Ahmed', country: 'US', source: 'import', importId: done.id, customFields: { 'Favourite Colour': 'green' } });
    expect(leads.data!.leads.find((l) => l.lastName === 'NotCall')).toMatchObject({ doNotCall: true, dialStatus: 'dnc' });
  });
});

describe('messy real-world files', () => {
  it('reads a BOM, `;` separators, CRLF, quoted separators / quotes / line breaks, blank lines and mixed phone formats', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Messy' });
    const rows = [
      'Name;Company;Phone;E-mail;Notes',
      '"Smith; John";"ACME ""Best"" Corp";(212) 555-0100;john@acme.test;"line one',
      'line two"',
      '',
      'Jane Roe;Roe & Co;+1-212-555-0101;;',
      '   ',
      'Ann Lee;;212.555.0102;ann@lee.test;plain',
      ';;;;',
      'Bob Stone;;2125550103;;"=HYPERLINK(""http://x"")"',
      'Eve Adams;;1 212 555 0104;;',
    ];
    const csv = `\ufeff${rows.join('\r\n')}\r\n`;
    const done = await importFile(csv, { campaignId: campaign.id });
    // Blank lines, a line of spaces and a line of empty fields are no records.
    expect(done).toMatchObject({ status: 'completed', totalRows: 5, validRows: 5, invalidRows: 0, insertedRows: 5, errors: [] });
    const { data } = await owner.client.GET('/api/leads', { params: { query: { campaignId: campaign.id, limit: 10 } } });
    const byName = Object.fromEntries(data!.leads.map((l) => [l.name, l]));
    expect(byName['Smith; John']).toMatchObject({ company: 'ACME "Best" Corp', email: 'john@acme.test', notes: 'line one\r\nline two' });
    const stored = await t.db.selectFrom('leads').select(['name', 'phone_e164']).where('campaign_id', '=', campaign.id).orderBy('phone_e164').execute();
    expect(stored.map((r) => r.phone_e164)).toEqual(['+12125550100', '+12125550101', '+12125550102', '+12125550103', '+12125550104']);
  });

  it('puts 50 columns into fields and customFields', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Wide' });
    const extra = Array.from({ length: 46 }, (_, i) => `Extra ${i + 1}`);
    const header = ['phone', 'first_name', 'last_name', 'email', ...extra].join(',');
    const lines = Array.from({ length: 20 }, (_, r) => [`+1646555${String(1000 + r)}`, `F${r}`, `L${r}`, `p${r}@wide.test`, ...extra.map((_, c) => `v${r}-${c}`)].join(','));
    const done = await importFile([header, ...lines].join('\n'), { campaignId: campaign.id });
    expect(done).toMatchObject({ status: 'completed', totalRows: 20, insertedRows: 20 });
    const lead = (await owner.client.GET('/api/leads', { params: { query: { campaignId: campaign.id, q: 'p7@wide.test' } } })).data!.leads[0]!;
    expect(Object.keys(lead.customFields)).toHaveLength(46);
    expect(lead.customFields['Extra 46']).toBe('v7-45');
  });

  it('reads a file without a header row in the template\'s column order (seed 004 skipHeader=false)', async () => {
    const done = await importFile('Ann,Bee,,Hive Inc,+14155550950,ann@hive.test,US,America/Los_Angeles,high,Qualified,,2025-11-02T10:00:00Z\n', { skipHeader: 'false' });
    expect(done).toMatchObject({ status: 'completed', totalRows: 1, insertedRows: 1 });
    const lead = (await owner.client.GET('/api/leads', { params: { query: { q: 'ann@hive.test' } } })).data!.leads[0]!;
    expect(lead).toMatchObject({ name: 'Ann Bee', company: 'Hive Inc', priority: 'high', stage: 'qualified', timeZone: 'America/Los_Angeles', nextCallAt: '2025-11-02T10:00:00.000Z' });
  });
});

describe('idempotence', () => {
  it('reads a call time without an offset in the lead\'s zone, else the campaign\'s, and refuses it without either', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Call times' });
    await t.db.updateTable('campaigns').set({ time_zone: 'America/Chicago' }).where('id', '=', campaign.id).execute();
    const csv = [
      'phone,timeZone,scheduledFor',
      '+14155550177,America/New_York,2030-06-03 10:00', // the row's zone
      '+442079460177,,2030-06-03T10:00:00', // the country's single zone (Europe/London)
      '+14155550178,,2030-06-03T10:00', // a US number: the campaign's zone
      '+14155550179,,2030-06-03T10:00:00+02:00', // an offset is an instant
    ].join('\n');
    const done = await importFile(csv, { campaignId: campaign.id });
    expect(done).toMatchObject({ status: 'completed', insertedRows: 4, invalidRows: 0 });
    const leads = await t.db.selectFrom('leads').select(['phone_e164', 'next_call_at']).where('campaign_id', '=', campaign.id).orderBy('phone_e164').execute();
    expect(leads.map((l) => [l.phone_e164, l.next_call_at!.toISOString()])).toEqual([
      ['+14155550177', '2030-06-03T14:00:00.000Z'],
      ['+14155550178', '2030-06-03T15:00:00.000Z'],
      ['+14155550179', '2030-06-03T08:00:00.000Z'],
      ['+442079460177', '2030-06-03T09:00:00.000Z'],
    ]);
    // Without a campaign zone a US number has none: the dry run and the import name nextCallAt.
    const { body } = await upload(t, owner, '/api/leads/imports/validate', 'phone,scheduledFor\n+14155550180,2030-06-03 10:00\n');
    expect(body).toMatchObject({ validRows: 0, invalidRows: 1, errors: [{ row: 2, field: 'nextCallAt', value: '2030-06-03 10:00' }] });
  });

  it('importing the same file twice inserts nothing twice', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Twice' });
    const csv = ['phone,name', ...Array.from({ length: 30 }, (_, i) => `+1303555${String(2000 + i)},Lead ${i}`)].join('\n');
    const first = await importFile(csv, { campaignId: campaign.id });
    const second = await importFile(csv, { campaignId: campaign.id });
    expect(first).toMatchObject({ insertedRows: 30, duplicateRows: 0 });
    expect(second).toMatchObject({ status: 'completed', totalRows: 30, validRows: 30, insertedRows: 0, duplicateRows: 30 });
    const count = await t.db.selectFrom('leads').select((eb) => eb.fn.countAll<string>().as('n')).where('campaign_id', '=', campaign.id).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(30);
  });
});

describe('names that are also JavaScript property names', () => {
  it('a stage cell `constructor` or `__proto__` is that row\'s error, and a `Constructor` column is a custom field, in the import and the dry run', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Prototype names' });
    const csv = 'phone,name,stage,Constructor\n+14155550870,A,New,Acme Builders\n+14155550871,B,constructor,x\n+14155550872,C,__proto__,y\n+14155550873,D,Lost,z\n';
    const checked = await upload(t, owner, '/api/leads/imports/validate', csv, { campaignId: campaign.id });
    expect(checked.status, JSON.stringify(checked.body)).toBe(200);
    expect(checked.body).toMatchObject({ totalRows: 4, validRows: 2, invalidRows: 2, columns: { phone: 'phone', name: 'name', stage: 'stage', Constructor: 'customFields.Constructor' } });
    expect(checked.body.errors.map((e: { row: number; field: string }) => [e.row, e.field])).toEqual([[3, 'stage'], [4, 'stage']]);
    const done = await importFile(csv, { campaignId: campaign.id });
    expect(done).toMatchObject({ status: 'completed', totalRows: 4, validRows: 2, invalidRows: 2, insertedRows: 2, failure: null });
    const leads = (await owner.client.GET('/api/leads', { params: { query: { campaignId: campaign.id } } })).data!.leads;
    expect(leads.map((l) => [l.name, l.stage, l.customFields]).sort()).toEqual([
      ['A', 'new', { Constructor: 'Acme Builders' }],
      ['D', 'lost', { Constructor: 'z' }],
    ]);
  });

  it('a column named `__proto__` or `constructor` is a custom field like any other, in the import and the dry run', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Prototype columns' });
    const csv = 'phone,__proto__,constructor\n+14155550874,polluted,builder\n';
    const checked = await upload(t, owner, '/api/leads/imports/validate', csv, { campaignId: campaign.id });
    expect(checked.status, JSON.stringify(checked.body)).toBe(200);
    expect(Object.entries(checked.body.columns)).toEqual([['phone', 'phone'], ['__proto__', 'customFields.__proto__'], ['constructor', 'customFields.constructor']]);
    expect(Object.entries(checked.body.preview[0].customFields)).toEqual([['__proto__', 'polluted'], ['constructor', 'builder']]);
    const done = await importFile(csv, { campaignId: campaign.id });
    expect(done).toMatchObject({ status: 'completed', totalRows: 1, validRows: 1, insertedRows: 1, failure: null });
    const stored = await t.db.selectFrom('leads').select('custom_fields').where('campaign_id', '=', campaign.id).executeTakeFirstOrThrow();
    expect(Object.entries(stored.custom_fields)).toEqual([['__proto__', 'polluted'], ['constructor', 'builder']]);
    const leads = (await owner.client.GET('/api/leads', { params: { query: { campaignId: campaign.id } } })).data!.leads;
    expect(Object.entries(leads[0]!.customFields)).toEqual([['__proto__', 'polluted'], ['constructor', 'builder']]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a fieldMapping naming a `__proto__` column maps it', async () => {
    const csv = '__proto__,name\n+14155550875,Proto\n';
    const checked = await upload(t, owner, '/api/leads/imports/validate', csv, { fieldMapping: '{"__proto__":"phone"}' });
    expect(checked.status, JSON.stringify(checked.body)).toBe(200);
    expect(checked.body).toMatchObject({ totalRows: 1, validRows: 1, columns: { name: 'name' } });
    expect(Object.entries(checked.body.columns)).toEqual([['__proto__', 'phone'], ['name', 'name']]);
  });
});

describe('repeated headers', () => {
  it('keeps every column of a repeated header as its own custom field, in the import and the dry run', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Repeated headers' });
    const csv = 'phone,Tag,Tag,tag\n+14155550877,red,blue,green\n';
    const checked = await upload(t, owner, '/api/leads/imports/validate', csv, { campaignId: campaign.id });
    expect(checked.status, JSON.stringify(checked.body)).toBe(200);
    expect(checked.body.columns).toEqual({ phone: 'phone', Tag: 'customFields.Tag', 'Tag (2)': 'customFields.Tag (2)', tag: 'customFields.tag' });
    expect(checked.body.preview[0].customFields).toEqual({ Tag: 'red', 'Tag (2)': 'blue', tag: 'green' });
    const done = await importFile(csv, { campaignId: campaign.id });
    expect(done).toMatchObject({ status: 'completed', insertedRows: 1 });
    const leads = (await owner.client.GET('/api/leads', { params: { query: { campaignId: campaign.id } } })).data!.leads;
    expect(leads[0]!.customFields).toEqual({ Tag: 'red', 'Tag (2)': 'blue', tag: 'green' });
  });
});

describe('numbers E.164 cannot hold', () => {
  it('a number of 16 digits (possible for libphonenumber-js in Germany or Japan) is that row\'s error, and the import completes', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Long numbers' });
    const csv = 'phone,name\n+14155550880,A\n+49 1555 5555 5555 55,B\n+14155550881,C\n';
    const checked = await upload(t, owner, '/api/leads/imports/validate', csv, { campaignId: campaign.id });
    expect(checked.body).toMatchObject({ totalRows: 3, validRows: 2, invalidRows: 1 });
    const done = await importFile(csv, { campaignId: campaign.id });
    expect(done).toMatchObject({ status: 'completed', totalRows: 3, validRows: 2, invalidRows: 1, insertedRows: 2, failure: null });
    expect(done.errors).toEqual([{ row: 3, field: 'phone', value: '+49 1555 5555 5555 55', message: 'Invalid phone number' }]);
  });
});

describe('seed 004 validate (dry run)', () => {
  it('counts, lists errors and previews without storing anything (the file may come before the fields)', async () => {
    const csv = 'phoneNumber,agentId,userId,scheduledFor,timezone,priority\n+919876543210,agent_123,user_123,2025-11-02T10:00:00Z,Asia/Kolkata,high\n+919876543210,agent_123,user_123,2025-11-02T11:00:00Z,Asia/Kolkata,normal\n12,agent_1,user_1,soon,Asia/Kolkata,normal\n';
    const before = await t.db.selectFrom('leads').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const { status, body } = await upload(t, owner, '/api/leads/imports/validate', csv, { skipHeader: 'true' });
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ totalRows: 3, validRows: 2, invalidRows: 1, duplicateRows: 1, delimiter: ',', errorCount: 2 });
    expect(body.columns).toEqual({ phoneNumber: 'phone', agentId: 'customFields.agentId', userId: 'customFields.userId', scheduledFor: 'nextCallAt', timezone: 'timeZone', priority: 'priority' });
    expect(body.errors.map((e: { field: string }) => e.field)).toEqual(['phone', 'nextCallAt']);
    expect(body.preview[0]).toMatchObject({ row: 2, phoneE164: '987***3210', country: 'IN', timeZone: 'Asia/Kolkata', priority: 'high', nextCallAt: '2025-11-02T10:00:00.000Z', customFields: { agentId: 'agent_123', userId: 'user_123' } });
    const after = await t.db.selectFrom('leads').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });
});

describe('refusals', () => {
  it('answers 400 naming what is wrong, and stores nothing', async () => {
    const before = await t.db.selectFrom('lead_imports').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const cases: Array<[string | null, Record<string, string>, string]> = [
      [null, {}, 'file'],
      ['name,email\nA,a@b.c\n', {}, 'file'],
      ['phone\n+14155550100\n', { fieldMapping: '{not json' }, 'fieldMapping'],
      ['phone\n+14155550100\n', { fieldMapping: '{"phone":"telephone"}' }, 'fieldMapping'],
      ['phone\n+14155550100\n', { defaultCountry: 'USA' }, 'defaultCountry'],
      ['phone\n+14155550100\n', { defaultCountry: 'ZZ' }, 'defaultCountry'],
      ['phone\n+14155550100\n', { unexpected: 'x' }, 'unexpected'],
      ['', {}, 'file'],
    ];
    for (const [file, fields, named] of cases) {
      const { status, body } = await upload(t, owner, '/api/leads/imports', file, fields);
      expect({ status, code: body.code, named: Object.keys(body.details ?? {}) }, JSON.stringify(fields)).toEqual({ status: 400, code: 'VALIDATION_ERROR', named: [named] });
    }
    const notMultipart = await fetch(`${t.url}/api/leads/imports`, { method: 'POST', headers: { cookie: cookieOf(owner), 'content-type': 'application/json' }, body: '{}' });
    expect(notMultipart.status).toBe(400);
    const after = await t.db.selectFrom('lead_imports').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
    expect(Number((await t.db.selectFrom('lead_import_chunks').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n)).toBe(0);
  });

  it('takes a file name with a NUL or control character (plain or RFC 5987), storing it without them', async () => {
    const boundary = 'ccp-test-boundary-nul';
    for (const disposition of [`filename*=UTF-8''a%00b%07.csv`, 'filename="c\u0000d.csv"']) {
      const body = `--${boundary}\r\nContent-Disposition: form-data; name="file"; ${disposition}\r\nContent-Type: text/csv\r\n\r\nphone\n+14155550876\n\r\n--${boundary}--\r\n`;
      const response = await fetch(`${t.url}/api/leads/imports`, { method: 'POST', body, headers: { cookie: cookieOf(owner), 'content-type': `multipart/form-data; boundary=${boundary}` } });
      const accepted = (await response.json()) as { id: string; fileName: string | null };
      expect(response.status, JSON.stringify(accepted)).toBe(202);
      expect(accepted.fileName).toMatch(/^(ab|cd)\.csv$/);
      expect(await waitForImport(owner, accepted.id)).toMatchObject({ status: 'completed', totalRows: 1 });
    }
  });

  it('answers 404 for another organisation\'s campaign, and 403 to an agent', async () => {
    const other = await registerOrg(t, 'Other');
    const foreign = await createCampaign(other.client);
    expect((await upload(t, owner, '/api/leads/upload', 'phone\n+14155550100\n', { campaignId: foreign.id })).status).toBe(404);
    expect((await upload(t, agent, '/api/leads/upload', 'phone\n+14155550100\n', {})).status).toBe(403);
  });
});

describe('the errors as CSV', () => {
  it('keeps row errors and writes them formula-safe', async () => {
    const done = await importFile('phone,email\n=1+2,x\n"@SUM(A1)",y@z.test\n', {});
    expect(done).toMatchObject({ invalidRows: 2 });
    const response = await fetch(`${t.url}/api/leads/imports/${done.id}/errors`, { headers: { cookie: cookieOf(owner) } });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain("'=1+2");
    expect(text).toContain("'@SUM(A1)");
    expect(text).not.toMatch(/(^|,)=1\+2/m);
  });
});
