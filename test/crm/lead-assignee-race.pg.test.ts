// A lead given to a user who is being removed at that moment. The assignee was checked (a user of
// the organisation) before the write, the removal committed in between, and the write then failed
// on the foreign key: a 500 for what is the client's mistake. Now a 400 naming assignedTo, with
// nothing changed. Deterministic on a PostgreSQL server: the removal is held uncommitted.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, registerOrg, type Member } from '../helpers/fixtures.js';
import { heldOpen } from '../helpers/held-open.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let owner: Member;
beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Assignee Race');
});
afterAll(async () => t.close());

const settle = () => new Promise((resolve) => setTimeout(resolve, 800));
const removing = (userId: number) => heldOpen(t.rawDb, async (trx) => void (await sql`DELETE FROM users WHERE id = ${userId}`.execute(trx)));

describe('a lead given to a user while the user is removed', () => {
  it('an update answers 400 naming assignedTo and changes nothing', async () => {
    const leaving = await addMember(t, owner, 'agent');
    const lead = (await owner.client.POST('/api/leads', { body: { phone: '+14155550931', name: 'Racing' } })).data!;
    const removal = await removing(leaving.id);
    const assigning = owner.client.PUT('/api/leads/{id}', { params: { path: { id: lead.id } }, body: { assignedTo: leaving.id, notes: 'Yours' } });
    await settle();
    await removal.commit();
    const { response, error } = await assigning;
    expect({ status: response.status, code: error?.code, named: Object.keys((error?.details as object) ?? {}) }).toEqual({ status: 400, code: 'VALIDATION_ERROR', named: ['assignedTo'] });
    expect(await t.db.selectFrom('leads').select(['assigned_to', 'notes']).where('id', '=', lead.id).executeTakeFirstOrThrow()).toEqual({ assigned_to: null, notes: null });
  });

  it('a create answers 400 naming assignedTo and stores nothing', async () => {
    const leaving = await addMember(t, owner, 'agent');
    const removal = await removing(leaving.id);
    const creating = owner.client.POST('/api/leads', { body: { phone: '+14155550932', name: 'Late', assignedTo: leaving.id } });
    await settle();
    await removal.commit();
    const { response, error } = await creating;
    expect({ status: response.status, code: error?.code, named: Object.keys((error?.details as object) ?? {}) }).toEqual({ status: 400, code: 'VALIDATION_ERROR', named: ['assignedTo'] });
    expect(await t.db.selectFrom('leads').select('id').where('phone_e164', '=', '+14155550932').execute()).toEqual([]);
  });
});
