// Starting an outbound campaign while its caller id is being cleared: the start checked the row it
// read before the clearing committed, then wrote `active` over the cleared row — an active
// campaign without the number leads see (the dialer can place none of its calls). The start now
// locks the campaign and checks it as it stands: 409 naming callerId, the campaign left paused.
// Deterministic on a PostgreSQL server: the clearing is held uncommitted while the start runs.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Member, registerOrg } from '../helpers/fixtures.js';
import { heldOpen } from '../helpers/held-open.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let owner: Member;
let callerId: string;
let groupId: string;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Start Race Org');
  const found = await owner.client.GET('/api/phone-numbers/search', { params: { query: { limit: 1 } } });
  callerId = (await owner.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: found.data!.numbers[0]!.phoneNumber } })).data!.phoneNumber;
  groupId = (await owner.client.POST('/api/agent-groups', { body: { name: 'Starters' } })).data!.id;
});
afterAll(async () => t?.close());

const settle = () => new Promise((resolve) => setTimeout(resolve, 800));

describe('starting an outbound campaign while its caller id is cleared', () => {
  it('409 naming callerId; the campaign stays paused', async () => {
    const campaign = (await owner.client.POST('/api/campaigns', { body: { name: 'Racing start', direction: 'outbound', callerId, agentGroupId: groupId } })).data!;
    expect(campaign.status).toBe('paused');
    const clearing = await heldOpen(t.rawDb, async (trx) => void (await sql`UPDATE campaigns SET caller_id = NULL WHERE id = ${campaign.id}`.execute(trx)));
    const starting = owner.client.POST('/api/campaigns/{id}/start', { params: { path: { id: campaign.id } } });
    await settle();
    await clearing.commit();
    const { response, error } = await starting;
    expect({ status: response.status, named: Object.keys((error?.details as object) ?? {}) }).toEqual({ status: 409, named: ['callerId'] });
    const row = await t.db.selectFrom('campaigns').select(['status', 'caller_id']).where('id', '=', campaign.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'paused', caller_id: null });
  });

  it('without a change meanwhile the start goes through', async () => {
    const campaign = (await owner.client.POST('/api/campaigns', { body: { name: 'Plain start', direction: 'outbound', callerId, agentGroupId: groupId } })).data!;
    const started = await owner.client.POST('/api/campaigns/{id}/start', { params: { path: { id: campaign.id } } });
    expect({ status: started.response.status, campaignStatus: started.data?.status }).toEqual({ status: 200, campaignStatus: 'active' });
  });
});
