// A number put on the do-not-call list while a lead with that number is being written. The lead
// write reads the list, the list change marks the leads it sees; under READ COMMITTED neither sees
// the other's uncommitted row, so before, a lead created or given the number at the same moment
// kept doNotCall false (and dial status pending) with its number listed. Lead writes now share a
// per-organisation lock that list changes take alone, so whichever comes second sees the first.
// Deterministic on a PostgreSQL server: one side is held uncommitted while the other runs.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOrg, type Member } from '../helpers/fixtures.js';
import { heldOpen } from '../helpers/held-open.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let owner: Member;
beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'DNC Race');
});
afterAll(async () => t.close());

const settle = () => new Promise((resolve) => setTimeout(resolve, 800));
/** The lock lead writes share and list changes take alone (server/crm/dnc/queries.ts). */
const shareListLock = (orgId: string) => sql`SELECT pg_advisory_xact_lock_shared(hashtextextended(${`dnc:${orgId}`}, 0))`;
const takeListLock = (orgId: string) => sql`SELECT pg_advisory_xact_lock(hashtextextended(${`dnc:${orgId}`}, 0))`;
const leadRow = (phone: string) =>
  t.db.selectFrom('leads').select(['do_not_call', 'dial_status']).where('org_id', '=', owner.orgId).where('phone_e164', '=', phone).executeTakeFirstOrThrow();

describe('a lead written while its number is put on the do-not-call list', () => {
  it('the number added while a lead with it is being created: the lead ends marked', async () => {
    const phone = '+14155550911';
    // The lead create as the API does it: the list read (not listed), the lead inserted unmarked.
    const creating = await heldOpen(t.rawDb, async (trx) => {
      await shareListLock(owner.orgId).execute(trx);
      await trx.insertInto('leads').values({ org_id: owner.orgId, name: 'Racing', phone, phone_e164: phone, do_not_call: false, dial_status: 'pending', source: 'api' }).execute();
    });
    const adding = owner.client.POST('/api/dnc-numbers', { body: { phoneNumber: phone } });
    await settle();
    await creating.commit();
    expect((await adding).response.status).toBe(201);
    expect(await leadRow(phone)).toEqual({ do_not_call: true, dial_status: 'dnc' });
  });

  it('a lead created while its number is being added: the lead is created marked', async () => {
    const phone = '+14155550912';
    const adding = await heldOpen(t.rawDb, async (trx) => {
      await takeListLock(owner.orgId).execute(trx);
      await trx.insertInto('dnc_numbers').values({ org_id: owner.orgId, phone_e164: phone, reason: null, source: 'api', created_by_user_id: null }).execute();
    });
    const creating = owner.client.POST('/api/leads', { body: { phone, name: 'Late' } });
    await settle();
    await adding.commit();
    const created = await creating;
    expect(created.response.status).toBe(201);
    expect(created.data).toMatchObject({ doNotCall: true, dialStatus: 'dnc' });
  });

  it('a lead given the number while it is being added: the lead ends marked', async () => {
    const phone = '+14155550913';
    const lead = (await owner.client.POST('/api/leads', { body: { phone: '+14155550914', name: 'Mover' } })).data!;
    const adding = await heldOpen(t.rawDb, async (trx) => {
      await takeListLock(owner.orgId).execute(trx);
      await trx.insertInto('dnc_numbers').values({ org_id: owner.orgId, phone_e164: phone, reason: null, source: 'api', created_by_user_id: null }).execute();
    });
    const moving = owner.client.PUT('/api/leads/{id}', { params: { path: { id: lead.id } }, body: { phone } });
    await settle();
    await adding.commit();
    const moved = await moving;
    expect(moved.response.status).toBe(200);
    expect(moved.data).toMatchObject({ doNotCall: true, dialStatus: 'dnc' });
  });

  it('the number removed while a lead with it is being created: the lead ends unmarked', async () => {
    const phone = '+14155550915';
    const listed = (await owner.client.POST('/api/dnc-numbers', { body: { phoneNumber: phone } })).data!;
    const creating = await heldOpen(t.rawDb, async (trx) => {
      await shareListLock(owner.orgId).execute(trx);
      await trx.insertInto('leads').values({ org_id: owner.orgId, name: 'Unlisting', phone, phone_e164: phone, do_not_call: true, dial_status: 'dnc', source: 'api' }).execute();
    });
    const removing = owner.client.DELETE('/api/dnc-numbers/{id}', { params: { path: { id: listed.id } } });
    await settle();
    await creating.commit();
    expect((await removing).response.status).toBe(204);
    expect(await leadRow(phone)).toEqual({ do_not_call: false, dial_status: 'pending' });
  });
});
