// A call log deleted while a follow-up is being scheduled on it (PUT /api/call-logs/{id} with
// scheduledFollowUp, holding the lead's lock). The delete read the log — no task yet — before it
// took the lead's lock, so once the task had come and gone with the log (ON DELETE CASCADE) it
// skipped recomputing the lead's nextFollowUpAt, which kept pointing at a task that no longer
// existed. Deterministic on a PostgreSQL server: the scheduling side is held uncommitted.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOrg, type Member } from '../helpers/fixtures.js';
import { heldOpen } from '../helpers/held-open.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let owner: Member;
beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Call Log Race');
});
afterAll(async () => t.close());

const settle = () => new Promise((resolve) => setTimeout(resolve, 800));

describe('a call log deleted while its follow-up is being scheduled', () => {
  it("leaves the lead's nextFollowUpAt the soonest task that still exists", async () => {
    const lead = (await owner.client.POST('/api/leads', { body: { phone: '+14155550921', name: 'Racing' } })).data!;
    const log = (await owner.client.POST('/api/call-logs', { body: { leadId: lead.id, outcome: 'Busy' } })).data!;
    expect(log.followUp).toBeNull();
    // The follow-up scheduled as PUT /api/call-logs/{id} does it: the lead locked, the task
    // inserted, the lead's next follow-up set — not yet committed.
    const scheduling = await heldOpen(t.rawDb, async (trx) => {
      await sql`SELECT id FROM leads WHERE id = ${lead.id} FOR UPDATE`.execute(trx);
      await trx.insertInto('follow_ups').values({ org_id: owner.orgId, lead_id: lead.id, call_log_id: log.id, user_id: owner.id, due_at: '2030-06-01T09:00:00Z' }).execute();
      await trx.updateTable('leads').set({ next_follow_up_at: new Date('2030-06-01T09:00:00Z') }).where('id', '=', lead.id).execute();
    });
    const deleting = owner.client.DELETE('/api/call-logs/{id}', { params: { path: { id: log.id } } });
    await settle();
    await scheduling.commit();
    expect((await deleting).response.status).toBe(204);
    expect(await t.db.selectFrom('follow_ups').select('id').where('lead_id', '=', lead.id).execute()).toEqual([]);
    const after = await owner.client.GET('/api/leads/{id}', { params: { path: { id: lead.id } } });
    expect(after.data?.nextFollowUpAt).toBeNull();
  });
});
