// A call log written while what it references goes away: its author (the caller) removed, or the
// call record it links (callId) deleted. Both were checked before the insert (the caller let in,
// the call the organisation's), the removal committed in between, and the insert then failed on
// the foreign key: a 500. Now the caller removed is a 403 (as POST /api/api-keys answers a caller
// removed meanwhile) and the call deleted a 400 naming callId (on a create or an update); nothing
// is stored or changed either way.
// Deterministic on a PostgreSQL server: the removal is held uncommitted while the request runs.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createCampaign, registerOrg, type Member } from '../helpers/fixtures.js';
import { heldOpen } from '../helpers/held-open.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let owner: Member;
let campaignId: string;
beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Call Log Reference Race');
  campaignId = (await createCampaign(owner.client, { name: 'Races' })).id;
});
afterAll(async () => t.close());

const settle = () => new Promise((resolve) => setTimeout(resolve, 800));
const logsOf = (leadId: string) => t.db.selectFrom('call_logs').select('id').where('lead_id', '=', leadId).execute();
const tasksOf = (leadId: string) => t.db.selectFrom('follow_ups').select('id').where('lead_id', '=', leadId).execute();

async function newLead(phone: string): Promise<string> {
  const { data, response } = await owner.client.POST('/api/leads', { body: { campaignId, phone, name: `Lead ${phone}` } });
  if (!data) throw new Error(`createLead failed: ${response.status}`);
  return data.id;
}

describe('a call log written while what it references goes away', () => {
  it('its caller removed meanwhile: 403, nothing stored', async () => {
    const leaving = await addMember(t, owner, 'manager');
    const leadId = await newLead('+14155550941');
    const removal = await heldOpen(t.rawDb, async (trx) => void (await sql`DELETE FROM users WHERE id = ${leaving.id}`.execute(trx)));
    const logging = leaving.client.POST('/api/call-logs', { body: { leadId, outcome: 'Busy', scheduledFollowUp: '2030-01-25T14:00:00Z' } });
    await settle();
    await removal.commit();
    const { response, error } = await logging;
    expect({ status: response.status, code: error?.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
    expect(await logsOf(leadId)).toEqual([]);
    expect(await tasksOf(leadId)).toEqual([]);
  });

  it('its call record deleted meanwhile: 400 naming callId, nothing stored', async () => {
    const leadId = await newLead('+14155550942');
    const call = await owner.client.POST('/api/calls', { body: { callerNumber: '+14155550942', campaignId, status: 'completed', duration: 60 } });
    const callId = call.data!.id;
    const removal = await heldOpen(t.rawDb, async (trx) => void (await sql`DELETE FROM calls WHERE id = ${callId}`.execute(trx)));
    const logging = owner.client.POST('/api/call-logs', { body: { leadId, outcome: 'Busy', callId, scheduledFollowUp: '2030-01-25T14:00:00Z' } });
    await settle();
    await removal.commit();
    const { response, error } = await logging;
    expect({ status: response.status, code: error?.code, named: Object.keys((error?.details as object) ?? {}) }).toEqual({ status: 400, code: 'VALIDATION_ERROR', named: ['callId'] });
    expect(await logsOf(leadId)).toEqual([]);
    expect(await tasksOf(leadId)).toEqual([]);
  });

  it('a log re-linked to a call record deleted meanwhile: 400 naming callId, nothing changed', async () => {
    const leadId = await newLead('+14155550944');
    const logged = (await owner.client.POST('/api/call-logs', { body: { leadId, outcome: 'Busy' } })).data!;
    const call = await owner.client.POST('/api/calls', { body: { callerNumber: '+14155550944', campaignId, status: 'completed', duration: 60 } });
    const callId = call.data!.id;
    const before = await t.db.selectFrom('call_logs').selectAll().where('id', '=', logged.id).executeTakeFirstOrThrow();
    const removal = await heldOpen(t.rawDb, async (trx) => void (await sql`DELETE FROM calls WHERE id = ${callId}`.execute(trx)));
    const updating = owner.client.PUT('/api/call-logs/{id}', { params: { path: { id: logged.id } }, body: { callId, notes: 'Linked', scheduledFollowUp: '2030-01-25T14:00:00Z' } });
    await settle();
    await removal.commit();
    const { response, error } = await updating;
    expect({ status: response.status, code: error?.code, named: Object.keys((error?.details as object) ?? {}) }).toEqual({ status: 400, code: 'VALIDATION_ERROR', named: ['callId'] });
    expect(await t.db.selectFrom('call_logs').selectAll().where('id', '=', logged.id).executeTakeFirstOrThrow()).toEqual(before);
    expect(await tasksOf(leadId)).toEqual([]);
  });

  it("a follow-up scheduled on a log whose author is removed meanwhile: 200, the task left unowned", async () => {
    const leaving = await addMember(t, owner, 'manager');
    const leadId = await newLead('+14155550945');
    const logged = (await leaving.client.POST('/api/call-logs', { body: { leadId, outcome: 'Busy' } })).data!;
    const removal = await heldOpen(t.rawDb, async (trx) => void (await sql`DELETE FROM users WHERE id = ${leaving.id}`.execute(trx)));
    const updating = owner.client.PUT('/api/call-logs/{id}', { params: { path: { id: logged.id } }, body: { notes: 'Call back', scheduledFollowUp: '2030-01-25T14:00:00Z' } });
    await settle();
    await removal.commit();
    const { response, data } = await updating;
    expect({ status: response.status, userId: data?.userId, notes: data?.notes }).toEqual({ status: 200, userId: null, notes: 'Call back' });
    const tasks = await t.db.selectFrom('follow_ups').select(['user_id', 'status']).where('lead_id', '=', leadId).execute();
    expect(tasks).toEqual([{ user_id: null, status: 'open' }]);
  });

  it('without a removal the log is written as before', async () => {
    const leadId = await newLead('+14155550943');
    const call = await owner.client.POST('/api/calls', { body: { callerNumber: '+14155550943', campaignId, status: 'completed', duration: 60 } });
    const logged = await owner.client.POST('/api/call-logs', { body: { leadId, outcome: 'Busy', callId: call.data!.id } });
    expect({ status: logged.response.status, callId: logged.data?.callId, userId: logged.data?.userId }).toEqual({ status: 201, callId: call.data!.id, userId: owner.id });
  });
});
