// Preview dialing (seed 002's `preview` mode) and agents' working hours and concurrent-call limit
// (issue 18 items 1, 2 and 5): an agent takes the next lead (held for it, checked as the dial loop
// checks), then calls it — bridged by the simulated carrier through our signed webhooks — or skips
// it; holds lapse back to the queue; the dial loop never dials a preview campaign by itself; an
// agent off shift or at its maxConcurrentCalls is never claimed for a call.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takingAgentCount } from '../../server/dialer/agents/availability.js';
import { claimAgentForCall } from '../../server/dialer/webhooks/agent-claim.js';
import { dialPreview } from '../../server/dialer/preview/service.js';
import { outboundUrls } from '../../server/dialer/webhooks/urls.js';
import { addMember, type Member, registerOrg } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';
import { daytimeZone, nightZone } from './zones.js';

let t: TestApp;
let owner: Member;
let agentUser: Member;
let callerId: string;
let groupId: string;
let ownAgentId: string;
let otherAgentId: string;

async function previewCampaign(name: string, leads: Array<{ phone: string; timeZone?: string }>, extra: Record<string, unknown> = {}): Promise<{ id: string; leadIds: string[] }> {
  const campaign = (
    await owner.client.POST('/api/campaigns', {
      body: { name, direction: 'outbound', dialMode: 'preview', callerId, agentGroupId: groupId, timeZone: daytimeZone(), ...extra },
    })
  ).data!;
  const leadIds: string[] = [];
  for (const lead of leads) {
    const created = await owner.client.POST('/api/leads', { body: { phone: lead.phone, campaignId: campaign.id, name: `Lead ${lead.phone}`, timeZone: lead.timeZone ?? daytimeZone() } });
    expect(created.response.status).toBe(201);
    leadIds.push(created.data!.id);
  }
  expect((await owner.client.POST('/api/campaigns/{id}/start', { params: { path: { id: campaign.id } } })).response.status).toBe(200);
  return { id: campaign.id, leadIds };
}

const leadRow = (id: string) => t.db.selectFrom('leads').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const agentStatus = async (id: string) => (await t.db.selectFrom('agents').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;

beforeAll(async () => {
  t = await startTestApp({ env: { DIALER_INTERVAL_MS: '100', SIMULATOR_SPEEDUP: '200' } });
  owner = await registerOrg(t, 'Preview Org');
  agentUser = await addMember(t, owner, 'agent');
  const found = await owner.client.GET('/api/phone-numbers/search', { params: { query: { limit: 1 } } });
  callerId = (await owner.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: found.data!.numbers[0]!.phoneNumber } })).data!.phoneNumber;
  groupId = (await owner.client.POST('/api/agent-groups', { body: { name: 'Previewers' } })).data!.id;
  ownAgentId = (await owner.client.POST('/api/agents', { body: { name: 'Own', phone: '+13125550290', groupId, userId: agentUser.id } })).data!.id;
  otherAgentId = (await owner.client.POST('/api/agents', { body: { name: 'Other', phone: '+13125550291', groupId } })).data!.id;
  for (const id of [ownAgentId, otherAgentId]) await owner.client.PUT('/api/agents/{id}/status', { params: { path: { id } }, body: { status: 'available' } });
});
afterAll(async () => t?.close());

describe('preview dialing', () => {
  it('an agent takes the next lead (checked as the dialer checks), calls it and is bridged; the loop never dials it alone', async () => {
    const { id: campaignId, leadIds } = await previewCampaign('Preview A', [
      { phone: '+14155550104' }, // on the do-not-call list
      { phone: '+14155550105', timeZone: nightZone() }, // night where the lead is
      { phone: '+14155550111' }, // a person answers
    ]);
    await owner.client.POST('/api/dnc-numbers', { body: { phoneNumber: '+14155550104' } });
    const [dncLead, nightLead, personLead] = leadIds as [string, string, string];

    // The dial loop runs every 100 ms: it leaves a preview campaign to its agents.
    await new Promise((r) => setTimeout(r, 400));
    const before = await t.db.selectFrom('calls').select('id').where('campaign_id', '=', campaignId).execute();
    expect(before).toHaveLength(0);

    const next = await agentUser.client.POST('/api/campaigns/{id}/preview/next', { params: { path: { id: campaignId } }, body: {} });
    expect(next.response.status).toBe(200);
    expect(next.data!.agentId).toBe(ownAgentId);
    expect(next.data!.lead?.id).toBe(personLead);
    expect(next.data!.lead?.dialStatus).toBe('previewing');
    const heldFor = new Date(next.data!.heldUntil!).getTime() - Date.now();
    expect(heldFor).toBeGreaterThan(250_000);
    expect(heldFor).toBeLessThanOrEqual(300_000);
    expect((await leadRow(dncLead)).dial_status).toBe('dnc');
    expect((await leadRow(nightLead)).next_call_at!.getTime()).toBeGreaterThan(Date.now());
    // Asking again while holding it: the same lead.
    const again = await agentUser.client.POST('/api/campaigns/{id}/preview/next', { params: { path: { id: campaignId } } });
    expect(again.data!.lead?.id).toBe(personLead);
    // Naming its own agent id, in upper case (the same UUID), is acting for itself.
    const named = await agentUser.client.POST('/api/campaigns/{id}/preview/next', { params: { path: { id: campaignId } }, body: { agentId: ownAgentId.toUpperCase() } });
    expect(named.response.status).toBe(200);
    expect(named.data).toMatchObject({ agentId: ownAgentId, lead: { id: personLead } });
    // Another agent finds nothing due (the one lead due is held).
    const other = await owner.client.POST('/api/campaigns/{id}/preview/next', { params: { path: { id: campaignId } }, body: { agentId: otherAgentId } });
    expect(other.response.status).toBe(200);
    expect(other.data!.lead).toBeNull();
    expect(other.data!.heldUntil).toBeNull();
    // Only the holder may dial it.
    const stolen = await owner.client.POST('/api/campaigns/{id}/preview/{leadId}/dial', { params: { path: { id: campaignId, leadId: personLead } }, body: { agentId: otherAgentId } });
    expect(stolen.response.status).toBe(409);
    expect(stolen.error!.details).toHaveProperty('leadId');

    const dialled = await agentUser.client.POST('/api/campaigns/{id}/preview/{leadId}/dial', { params: { path: { id: campaignId, leadId: personLead } } });
    expect(dialled.response.status).toBe(201);
    expect(dialled.data!).toMatchObject({ leadId: personLead, agentId: ownAgentId, to: '+14155550111', from: callerId, attempt: 1, campaignId });
    expect(dialled.data!.callSid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(await agentStatus(ownAgentId)).toBe('busy');

    const call = await waitFor(
      'the previewed call to end',
      () => t.db.selectFrom('calls').selectAll().where('id', '=', dialled.data!.callId).executeTakeFirstOrThrow(),
      (row) => row.status_rank === 4,
    );
    expect(call.agent_id).toBe(ownAgentId);
    expect(call.disposition).toBe('answered');
    expect(call.conference_name).not.toBeNull();
    expect(call.talk_time_sec).toBeGreaterThan(0);
    expect((await leadRow(personLead)).dial_status).toBe('completed');
    expect((await leadRow(personLead)).preview_agent_id).toBeNull();
    await waitFor('the agent free again', () => agentStatus(ownAgentId), (status) => status === 'available');
    // The agent's own leg was placed (the whisper, then the conference).
    const seen = await agentUser.client.GET('/api/calls/{id}', { params: { path: { id: String(dialled.data!.callId) } } });
    expect(seen.response.status).toBe(200);
    expect(seen.data!.agentId).toBe(ownAgentId);
  });

  it('skip gives the lead back for later; a lapsed hold returns to the queue; refusals name the field', async () => {
    const { id: campaignId, leadIds } = await previewCampaign('Preview B', [{ phone: '+14155550121' }, { phone: '+14155550122' }]);
    const forOther = { agentId: otherAgentId };
    const path = (leadId: string) => ({ params: { path: { id: campaignId, leadId } } });

    const noAgent = await owner.client.POST('/api/campaigns/{id}/preview/next', { params: { path: { id: campaignId } }, body: {} });
    expect(noAgent.response.status).toBe(400);
    expect(noAgent.error!.details).toHaveProperty('agentId');

    const first = (await owner.client.POST('/api/campaigns/{id}/preview/next', { params: { path: { id: campaignId } }, body: forOther })).data!.lead!;
    const past = await owner.client.POST('/api/campaigns/{id}/preview/{leadId}/skip', { ...path(first.id), body: { ...forOther, nextCallAt: '2020-01-01T00:00:00Z' } });
    expect(past.response.status).toBe(400);
    expect(past.error!.details).toHaveProperty('nextCallAt');
    expect((await leadRow(first.id)).dial_status).toBe('previewing');

    const skipped = await owner.client.POST('/api/campaigns/{id}/preview/{leadId}/skip', { ...path(first.id), body: forOther });
    expect(skipped.response.status).toBe(200);
    expect(skipped.data!.dialStatus).toBe('queued');
    const due = new Date(skipped.data!.nextCallAt!).getTime() - Date.now();
    expect(due).toBeGreaterThan(29 * 60_000);
    expect(due).toBeLessThanOrEqual(30 * 60_000);
    expect(skipped.data!.callAttempts).toBe(0);
    expect((await owner.client.POST('/api/campaigns/{id}/preview/{leadId}/skip', { ...path(first.id), body: forOther })).response.status).toBe(409);
    expect((await owner.client.POST('/api/campaigns/{id}/preview/{leadId}/dial', { ...path(first.id), body: forOther })).response.status).toBe(409);

    // The other lead is next; its hold lapses and the dial loop gives it back.
    const second = (await owner.client.POST('/api/campaigns/{id}/preview/next', { params: { path: { id: campaignId } }, body: forOther })).data!.lead!;
    expect(second.id).toBe(leadIds.find((id) => id !== first.id));
    await sql`UPDATE leads SET dial_lease_until = now() - interval '1 second' WHERE id = ${second.id}`.execute(t.db);
    const released = await waitFor('the lapsed hold released', () => leadRow(second.id), (row) => row.dial_status === 'queued');
    expect(released.preview_agent_id).toBeNull();
    expect(released.call_attempts).toBe(0);

    // An agent on a break cannot take the next lead.
    await owner.client.PUT('/api/agents/{id}/status', { params: { path: { id: otherAgentId } }, body: { status: 'break' } });
    const onBreak = await owner.client.POST('/api/campaigns/{id}/preview/next', { params: { path: { id: campaignId } }, body: forOther });
    expect(onBreak.response.status).toBe(409);
    expect(onBreak.error!.details).toHaveProperty('agentId');
    await owner.client.PUT('/api/agents/{id}/status', { params: { path: { id: otherAgentId } }, body: { status: 'available' } });

    // A user with role agent acts only for itself; a progressive campaign is not previewed; another
    // organisation's campaign is a 404.
    const asOther = await agentUser.client.POST('/api/campaigns/{id}/preview/next', { params: { path: { id: campaignId } }, body: forOther });
    expect(asOther.response.status).toBe(404);
    const progressive = (await owner.client.POST('/api/campaigns', { body: { name: 'Progressive', direction: 'outbound', dialMode: 'progressive', callerId, agentGroupId: groupId } })).data!;
    await owner.client.POST('/api/campaigns/{id}/start', { params: { path: { id: progressive.id } } });
    const notPreview = await owner.client.POST('/api/campaigns/{id}/preview/next', { params: { path: { id: progressive.id } }, body: forOther });
    expect(notPreview.response.status).toBe(409);
    expect(notPreview.error!.details).toHaveProperty('dialMode');
    const stranger = await registerOrg(t, 'Stranger Org');
    expect((await stranger.client.POST('/api/campaigns/{id}/preview/next', { params: { path: { id: campaignId } }, body: forOther })).response.status).toBe(404);
  });
});

describe('preview dialing and the schedule window', () => {
  it('a preview campaign hands out and dials no lead before its scheduleStart nor after its scheduleEnd (409 naming the field), as the loop dials none', async () => {
    const over = await previewCampaign('Preview over', [{ phone: '+14155550141' }], { scheduleStart: '2024-01-01T09:00:00Z', scheduleEnd: '2024-03-31T17:00:00Z' });
    const ahead = await previewCampaign('Preview ahead', [{ phone: '+14155550142' }], { scheduleStart: '2099-01-01T09:00:00Z' });
    for (const [campaign, field] of [
      [over, 'scheduleEnd'],
      [ahead, 'scheduleStart'],
    ] as const) {
      const next = await owner.client.POST('/api/campaigns/{id}/preview/next', { params: { path: { id: campaign.id } }, body: { agentId: otherAgentId } });
      expect({ field, status: next.response.status }).toEqual({ field, status: 409 });
      expect(next.error!.details).toHaveProperty(field);
      expect((await leadRow(campaign.leadIds[0]!)).dial_status).toBe('pending');
    }

    // A lead held while the window was open is not dialled once it has closed; it can still be skipped.
    const closing = await previewCampaign('Preview closing', [{ phone: '+14155550143' }]);
    const held = await owner.client.POST('/api/campaigns/{id}/preview/next', { params: { path: { id: closing.id } }, body: { agentId: otherAgentId } });
    expect(held.data!.lead?.id).toBe(closing.leadIds[0]);
    await sql`UPDATE campaigns SET schedule_end = now() - interval '1 minute' WHERE id = ${closing.id}`.execute(t.db);
    const path = { params: { path: { id: closing.id, leadId: closing.leadIds[0]! } }, body: { agentId: otherAgentId } };
    const dialled = await owner.client.POST('/api/campaigns/{id}/preview/{leadId}/dial', path);
    expect(dialled.response.status).toBe(409);
    expect(dialled.error!.details).toHaveProperty('scheduleEnd');
    expect(await t.db.selectFrom('calls').select('id').where('campaign_id', '=', closing.id).execute()).toHaveLength(0);
    expect((await owner.client.POST('/api/campaigns/{id}/preview/{leadId}/skip', path)).response.status).toBe(200);
  });

  it('a held lead whose number reached the do-not-call list since it was handed out is never dialled: 409 naming leadId, the lead dnc', async () => {
    const campaign = await previewCampaign('Preview listed meanwhile', [{ phone: '+14155550144' }]);
    const held = await owner.client.POST('/api/campaigns/{id}/preview/next', { params: { path: { id: campaign.id } }, body: { agentId: otherAgentId } });
    expect(held.data!.lead?.id).toBe(campaign.leadIds[0]);
    // On the list, the lead not marked yet (the list's insert commits before its leads are marked).
    await t.db.insertInto('dnc_numbers').values({ org_id: owner.orgId, phone_e164: '+14155550144', reason: null, source: 'api', created_by_user_id: null }).execute();
    const path = { params: { path: { id: campaign.id, leadId: campaign.leadIds[0]! } }, body: { agentId: otherAgentId } };
    const dialled = await owner.client.POST('/api/campaigns/{id}/preview/{leadId}/dial', path);
    expect(dialled.response.status).toBe(409);
    expect(dialled.error!.details).toHaveProperty('leadId');
    expect(await t.db.selectFrom('calls').select('id').where('campaign_id', '=', campaign.id).execute()).toHaveLength(0);
    expect(await leadRow(campaign.leadIds[0]!)).toMatchObject({ dial_status: 'dnc', preview_agent_id: null, call_attempts: 0 });
    expect(await agentStatus(otherAgentId)).toBe('available');
  });
});

describe('preview skip and a leap second', () => {
  it('skip takes a leap second (23:59:60, a valid date-time) in nextCallAt as the instant after 23:59:59, not a 500', async () => {
    const { id: campaignId, leadIds } = await previewCampaign('Preview leap', [{ phone: '+14155550151' }]);
    const held = await owner.client.POST('/api/campaigns/{id}/preview/next', { params: { path: { id: campaignId } }, body: { agentId: otherAgentId } });
    expect(held.data!.lead?.id).toBe(leadIds[0]);
    const skipped = await owner.client.POST('/api/campaigns/{id}/preview/{leadId}/skip', {
      params: { path: { id: campaignId, leadId: leadIds[0]! } },
      body: { agentId: otherAgentId, nextCallAt: '2099-12-31T23:59:60Z' },
    });
    expect(skipped.response.status).toBe(200);
    expect(skipped.data).toMatchObject({ dialStatus: 'queued', nextCallAt: '2100-01-01T00:00:00.000Z' });
    const past = await owner.client.POST('/api/campaigns/{id}/preview/{leadId}/skip', {
      params: { path: { id: campaignId, leadId: leadIds[0]! } },
      body: { agentId: otherAgentId, nextCallAt: '2016-12-31T23:59:60Z' },
    });
    expect(past.response.status).toBe(400);
  });
});

describe('preview dialing across a crash', () => {
  it('a previewed call that never reached the carrier (the server died placing it) frees its agent when its claim lapses', async () => {
    const group = (await owner.client.POST('/api/agent-groups', { body: { name: 'Crash' } })).data!.id;
    const agentId = (await owner.client.POST('/api/agents', { body: { name: 'Crash', phone: '+13125550295', groupId: group } })).data!.id;
    await owner.client.PUT('/api/agents/{id}/status', { params: { path: { id: agentId } }, body: { status: 'available' } });
    const { id: campaignId, leadIds } = await previewCampaign('Preview crash', [{ phone: '+14155550131' }], { agentGroupId: group });
    const next = await owner.client.POST('/api/campaigns/{id}/preview/next', { params: { path: { id: campaignId } }, body: { agentId } });
    expect(next.data!.lead?.id).toBe(leadIds[0]);

    // The call is recorded and the agent turns busy; the carrier never answers (the process dies here).
    const dying = { db: t.db, telephony: { kind: 'simulator' as const, placeCall: () => new Promise<never>(() => undefined) }, urls: outboundUrls('http://127.0.0.1') };
    void dialPreview(dying, owner.orgId, campaignId, agentId, leadIds[0]!);
    const call = await waitFor(
      'the call recorded',
      () => t.db.selectFrom('calls').selectAll().where('campaign_id', '=', campaignId).executeTakeFirst(),
      (row) => row !== undefined,
    );
    expect(await agentStatus(agentId)).toBe('busy');

    // Its claim lapses: the dial loop cancels the call and queues the lead again, and the agent is free.
    await sql`UPDATE leads SET dial_lease_until = now() - interval '1 second' WHERE id = ${leadIds[0]!}`.execute(t.db);
    const lead = await waitFor('the lapsed claim released', () => leadRow(leadIds[0]!), (row) => row.dial_status === 'queued');
    expect(lead.call_attempts).toBe(0);
    const canceled = await t.db.selectFrom('calls').selectAll().where('id', '=', call!.id).executeTakeFirstOrThrow();
    expect(canceled.status).toBe('canceled');
    expect(await waitFor('the agent free again', () => agentStatus(agentId), (status) => status === 'available', 3000)).toBe('available');
    const again = await owner.client.POST('/api/campaigns/{id}/preview/next', { params: { path: { id: campaignId } }, body: { agentId } });
    expect(again.response.status).toBe(200);
  });
});

describe("agents' working hours and concurrent-call limit", () => {
  it('an agent off shift is never counted nor claimed; one with room for two calls takes two, then is busy', async () => {
    const group = (await owner.client.POST('/api/agent-groups', { body: { name: 'Capacity' } })).data!.id;
    const allWeek = (start: string, end: string) =>
      Object.fromEntries(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((day) => [day, { start, end }]));
    // Working 10:00–18:00 in a zone where it is night now: off shift.
    const offShift = (
      await owner.client.POST('/api/agents', { body: { name: 'Night', phone: '+13125550292', groupId: group, timeZone: nightZone(), workingHours: allWeek('10:00', '18:00') } })
    ).data!.id;
    const double = (
      await owner.client.POST('/api/agents', { body: { name: 'Double', phone: '+13125550293', groupId: group, timeZone: daytimeZone(), workingHours: allWeek('08:00', '20:00'), maxConcurrentCalls: 2 } })
    ).data!.id;
    for (const id of [offShift, double]) await owner.client.PUT('/api/agents/{id}/status', { params: { path: { id } }, body: { status: 'available' } });
    expect(await takingAgentCount(t.db, owner.orgId, group, new Date())).toBe(1);

    const campaign = (await owner.client.POST('/api/campaigns', { body: { name: 'Capacity', direction: 'outbound', callerId, agentGroupId: group } })).data!;
    const calls = await t.db
      .insertInto('calls')
      .values([1, 2, 3].map((i) => ({ org_id: owner.orgId, call_sid: `CA${'c'.repeat(31)}${i}`, direction: 'outbound' as const, campaign_id: campaign.id, source: 'simulator' as const, to_number: `+1415555013${i}` })))
      .returning('id')
      .execute();
    const claims = [];
    for (const call of calls) claims.push(await claimAgentForCall(t.db, owner.orgId, group, call.id, new Date()));
    expect(claims.map((c) => (c.outcome === 'claimed' ? c.agent.id : c.outcome))).toEqual([double, double, 'none']);
    expect(await agentStatus(double)).toBe('busy');
    expect(await agentStatus(offShift)).toBe('available');
    // A second delivery for a call already decided changes nothing.
    expect((await claimAgentForCall(t.db, owner.orgId, group, calls[0]!.id, new Date())).outcome).toBe('none');
    const rows = await t.db.selectFrom('calls').select(['agent_id', 'disposition']).where('id', 'in', calls.map((c) => c.id)).orderBy('id').execute();
    expect(rows).toEqual([
      { agent_id: double, disposition: 'answered' },
      { agent_id: double, disposition: 'answered' },
      { agent_id: null, disposition: null },
    ]);
    expect(await takingAgentCount(t.db, owner.orgId, group, new Date())).toBe(0);
  });

  it('an available agent of maxConcurrentCalls 1 whose call has not ended is neither counted by the pacing nor claimed', async () => {
    const group = (await owner.client.POST('/api/agent-groups', { body: { name: 'Single' } })).data!.id;
    const single = (await owner.client.POST('/api/agents', { body: { name: 'Single', phone: '+13125550294', groupId: group } })).data!.id;
    const campaign = (await owner.client.POST('/api/campaigns', { body: { name: 'Single', direction: 'outbound', callerId, agentGroupId: group } })).data!;
    const call = (n: number) => ({ org_id: owner.orgId, call_sid: `CA${'d'.repeat(31)}${n}`, direction: 'outbound' as const, campaign_id: campaign.id, source: 'simulator' as const, to_number: `+1415555014${n}` });
    // Its call still open (the lead's leg), the agent available again (its own leg ended).
    await t.db.insertInto('calls').values({ ...call(1), agent_id: single, disposition: 'answered' }).execute();
    await owner.client.PUT('/api/agents/{id}/status', { params: { path: { id: single } }, body: { status: 'available' } });
    expect(await takingAgentCount(t.db, owner.orgId, group, new Date())).toBe(0);
    const next = await t.db.insertInto('calls').values(call(2)).returning('id').executeTakeFirstOrThrow();
    expect((await claimAgentForCall(t.db, owner.orgId, group, next.id, new Date())).outcome).toBe('none');
  });
});
