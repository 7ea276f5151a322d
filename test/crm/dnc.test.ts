// The do-not-call list: add / list / check / remove / CSV import, leads marked and unmarked, and
// the function the dialer calls at dial time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDoNotCall } from '../../server/crm/dnc/queries.js';
import { addMember, type Member, registerOrg } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { upload } from './helpers.js';

let t: TestApp;
let owner: Member;
let agent: Member;
let manager: Member;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'DNC Org');
  agent = await addMember(t, owner, 'agent');
  manager = await addMember(t, owner, 'manager');
});
afterAll(async () => t.close());

describe('do-not-call', () => {
  it('marks a lead created with a listed number, and the leads of a number added later; unmarks them when removed', async () => {
    const added = await agent.client.POST('/api/dnc-numbers', { body: { phoneNumber: '(415) 555-2671', reason: 'Asked not to be called' } });
    expect(added.response.status).toBe(201);
    expect(added.data).toMatchObject({ phoneNumber: '415***2671', reason: 'Asked not to be called', source: 'api' });
    const listed = await agent.client.POST('/api/leads', { body: { phone: '+1 415 555 2671', name: 'Listed' } });
    expect(listed.data).toMatchObject({ doNotCall: true, dialStatus: 'dnc' });

    const later = (await owner.client.POST('/api/leads', { body: { phone: '+14155550777', name: 'Later' } })).data!;
    expect(later.doNotCall).toBe(false);
    const second = await owner.client.POST('/api/dnc-numbers', { body: { phoneNumber: '415-555-0777' } });
    expect((await owner.client.GET('/api/leads/{id}', { params: { path: { id: later.id } } })).data).toMatchObject({ doNotCall: true, dialStatus: 'dnc' });

    expect((await owner.client.POST('/api/dnc-numbers', { body: { phoneNumber: '+14155550777' } })).response.status).toBe(409);
    expect((await agent.client.DELETE('/api/dnc-numbers/{id}', { params: { path: { id: second.data!.id } } })).response.status).toBe(403);
    expect((await manager.client.DELETE('/api/dnc-numbers/{id}', { params: { path: { id: second.data!.id } } })).response.status).toBe(204);
    expect((await owner.client.GET('/api/leads/{id}', { params: { path: { id: later.id } } })).data).toMatchObject({ doNotCall: false, dialStatus: 'pending' });
    expect((await manager.client.DELETE('/api/dnc-numbers/{id}', { params: { path: { id: second.data!.id } } })).response.status).toBe(404);
  });

  it('answers the dialer at dial time (the exported function and GET /api/dnc-numbers/check)', async () => {
    await owner.client.POST('/api/dnc-numbers', { body: { phoneNumber: '+442079460958' } });
    expect(await isDoNotCall(t.db, owner.orgId, '+442079460958')).toBe(true);
    expect(await isDoNotCall(t.db, owner.orgId, '+442079460959')).toBe(false);
    const other = await registerOrg(t, 'Other');
    expect(await isDoNotCall(t.db, other.orgId, '+442079460958')).toBe(false);
    const check = await agent.client.GET('/api/dnc-numbers/check', { params: { query: { phoneNumber: '020 7946 0958', defaultCountry: 'GB' } } });
    expect(check.data).toEqual({ phoneNumber: '207***0958', doNotCall: true });
    const bad = await agent.client.GET('/api/dnc-numbers/check', { params: { query: { phoneNumber: 'nope' } } });
    expect(bad.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { phoneNumber: expect.any(String) } });
    const unknown = await agent.client.GET('/api/dnc-numbers/check', { params: { query: { phoneNumber: '020 7946 0958', defaultCountry: 'ZZ' } } });
    expect(unknown.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { defaultCountry: expect.any(String) } });
  });

  it('imports a CSV of numbers (phone column found by name), counting added, duplicates, invalid and leads marked', async () => {
    await owner.client.POST('/api/leads', { body: { phone: '+13125550401', name: 'To be marked' } });
    const csv = '\ufeffName;Phone Number;Reason\r\nA;(312) 555-0401;complaint\r\nB;312.555.0402;\r\nC;312 555 0402;again\r\nD;12;\r\n';
    const { status, body } = await upload(t, manager, '/api/dnc-numbers/import', csv);
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body).toEqual({ totalRows: 4, added: 2, duplicates: 1, invalid: 1, leadsMarked: 1, errors: [{ row: 5, field: 'phone', value: '12', message: 'Invalid phone number' }], errorsTruncated: false });
    const list = await agent.client.GET('/api/dnc-numbers', { params: { query: { q: '312555040' } } });
    expect(list.data!.numbers.map((n) => [n.phoneNumber, n.reason, n.source])).toEqual(
      expect.arrayContaining([
        ['312***0401', 'complaint', 'import'],
        ['312***0402', null, 'import'],
      ]),
    );
    expect(list.data!.pagination.total).toBe(2);
    expect((await upload(t, agent, '/api/dnc-numbers/import', csv)).status).toBe(403);
  });

  it('reads a first row that is a number as data, however it is formatted (a file without a header)', async () => {
    const { status, body } = await upload(t, manager, '/api/dnc-numbers/import', '(415) 555-2681\n(415) 555-2682\n');
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ totalRows: 2, added: 2, invalid: 0 });
    const check = await agent.client.GET('/api/dnc-numbers/check', { params: { query: { phoneNumber: '+14155552681' } } });
    expect(check.data!.doNotCall).toBe(true);
  });

  it('takes a first row with a number in it as data even when another cell reads like a header (`Mobile`)', async () => {
    const { status, body } = await upload(t, manager, '/api/dnc-numbers/import', '+14155552691,Mobile\n+14155552692,Landline\n');
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ totalRows: 2, added: 2, invalid: 0 });
    expect(await isDoNotCall(t.db, owner.orgId, '+14155552691')).toBe(true);
    expect(await isDoNotCall(t.db, owner.orgId, '+14155552692')).toBe(true);
  });

  it('finds the number column under names such as `Cell Phone` or `Mobile Phone`, never listing another column', async () => {
    const named = await upload(t, manager, '/api/dnc-numbers/import', 'Name,Cell Phone,Reason\nA,(415) 555-2693,asked\n');
    expect(named.status, JSON.stringify(named.body)).toBe(200);
    expect(named.body).toMatchObject({ totalRows: 1, added: 1, invalid: 0 });
    expect(await isDoNotCall(t.db, owner.orgId, '+14155552693')).toBe(true);
    const other = await upload(t, manager, '/api/dnc-numbers/import', 'Account ID,Mobile Phone\n4155552694,(415) 555-2695\n');
    expect(other.status, JSON.stringify(other.body)).toBe(200);
    expect(other.body).toMatchObject({ totalRows: 1, added: 1, invalid: 0 });
    expect(await isDoNotCall(t.db, owner.orgId, '+14155552695')).toBe(true);
    expect(await isDoNotCall(t.db, owner.orgId, '+14155552694')).toBe(false);
  });

  it('counts a first row holding an invalid number as an invalid row, not as a header', async () => {
    const { status, body } = await upload(t, manager, '/api/dnc-numbers/import', '12\n+14155552696\n');
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ totalRows: 2, added: 1, invalid: 1, errors: [{ row: 1, field: 'phone', value: '12' }] });
  });

  it('refuses a file that is not readable as CSV with a 400 naming file, adding none of its numbers', async () => {
    const numbers = Array.from({ length: 1500 }, (_, i) => `+1646555${String(i).padStart(4, '0')}`);
    const csv = `phone,reason\n${numbers.join(',\n')},\n+16465559999,"never closed\n`;
    const { status, body } = await upload(t, manager, '/api/dnc-numbers/import', csv);
    expect(status, JSON.stringify(body)).toBe(400);
    expect(body).toMatchObject({ code: 'VALIDATION_ERROR', details: { file: expect.stringContaining('not readable as CSV') } });
    expect(await isDoNotCall(t.db, owner.orgId, numbers[0]!)).toBe(false);
    const listed = await t.db.selectFrom('dnc_numbers').select((eb) => eb.fn.countAll<string>().as('n')).where('org_id', '=', owner.orgId).where('phone_e164', 'like', '+1646555%').executeTakeFirstOrThrow();
    expect(Number(listed.n)).toBe(0);
  });

  it('lists by digits in national or international format, and answers 400 naming q for text without digits', async () => {
    await owner.client.POST('/api/dnc-numbers', { body: { phoneNumber: '+442079460977' } });
    for (const q of ['020 7946 0977', '0044 20 7946 0977', '+44 20 7946 0977', '7946 0977']) {
      const { data } = await agent.client.GET('/api/dnc-numbers', { params: { query: { q } } });
      expect(data!.numbers.map((n) => n.phoneNumber), q).toEqual(['207***0977']);
    }
    const text = await agent.client.GET('/api/dnc-numbers', { params: { query: { q: 'abc' } } });
    expect(text.response.status).toBe(400);
    expect(text.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { q: expect.any(String) } });
  });

  it('refuses an empty file by name, as a lead import does', async () => {
    for (const empty of ['', '\r\n\r\n']) {
      const { status, body } = await upload(t, manager, '/api/dnc-numbers/import', empty);
      expect(status).toBe(400);
      expect(body).toMatchObject({ code: 'VALIDATION_ERROR', details: { file: 'is empty' } });
    }
  });

  it('is per organisation: another organisation cannot remove a number', async () => {
    const other = await registerOrg(t, 'Remover');
    const mine = (await owner.client.POST('/api/dnc-numbers', { body: { phoneNumber: '+13125550499' } })).data!;
    expect((await other.client.DELETE('/api/dnc-numbers/{id}', { params: { path: { id: mine.id } } })).response.status).toBe(404);
    expect(await isDoNotCall(t.db, owner.orgId, '+13125550499')).toBe(true);
  });
});
