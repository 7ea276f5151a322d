// Outbound campaigns over HTTP (issue 18 item 1; seed 002's campaign endpoints): settings in both
// retry shapes, the caller id and references checked (400 naming the field, nothing changed),
// outbound fields refused on inbound campaigns, start / pause / stop with their checks, roles, and
// another organisation's campaign a 404.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createCampaign, type Member, registerOrg } from '../helpers/fixtures.js';
import { snapshotTables } from '../helpers/db-snapshot.js';
import { makeMp3 } from '../crm/audio-fixtures.js';
import { upload } from '../crm/audio-helpers.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let owner: Member;
let manager: Member;
let agentUser: Member;
let stranger: Member;
let callerId: string;
let groupId: string;
let strangerGroupId: string;

async function buyNumber(member: Member): Promise<string> {
  const found = await member.client.GET('/api/phone-numbers/search', { params: { query: { limit: 1 } } });
  const bought = await member.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: found.data!.numbers[0]!.phoneNumber } });
  if (!bought.data) throw new Error(`purchase failed: ${bought.response.status}`);
  return bought.data.phoneNumber;
}

async function group(member: Member, name: string): Promise<string> {
  const created = await member.client.POST('/api/agent-groups', { body: { name } });
  if (!created.data) throw new Error(`createAgentGroup failed: ${created.response.status}`);
  return created.data.id;
}

const SEED_002_BODY = {
  name: 'Q1 2024 Outreach',
  direction: 'outbound' as const,
  scheduleStart: '2024-01-01T09:00:00Z',
  scheduleEnd: '2030-03-31T17:00:00Z',
  timeZone: 'America/Los_Angeles',
  callingHoursStart: '09:00:00',
  callingHoursEnd: '17:00:00',
  retryPolicy: { maxAttempts: 3, delayMinutes: 60, retryOnNoAnswer: true, retryOnBusy: true, retryOnVoicemail: false },
  amdEnabled: true,
  voicemailMessageUrl: 'https://example.com/voicemail.mp3',
  recordCalls: true,
};

async function outbound(body: Record<string, unknown> = {}) {
  const created = await manager.client.POST('/api/campaigns', { body: { ...SEED_002_BODY, callerId, agentGroupId: groupId, ...body } });
  if (created.response.status !== 201 || !created.data) throw new Error(`createCampaign failed: ${created.response.status} ${JSON.stringify(created.error)}`);
  return created.data;
}

const tables = () => snapshotTables(t.db, { api_keys: ['last_used_at'] });

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Dialer Org');
  manager = await addMember(t, owner, 'manager');
  agentUser = await addMember(t, owner, 'agent');
  stranger = await registerOrg(t, 'Other Org');
  callerId = await buyNumber(owner);
  groupId = await group(owner, 'Sales floor');
  strangerGroupId = await group(stranger, 'Their floor');
});
afterAll(async () => t.close());

describe('outbound campaigns', () => {
  it("creates one from seed 002's body: paused, clock times as HH:MM, the retry policy in both shapes, the voicemail URL as a drop", async () => {
    const campaign = await outbound();
    expect(campaign).toMatchObject({
      direction: 'outbound',
      status: 'paused',
      callerId,
      timeZone: 'America/Los_Angeles',
      callingHoursStart: '09:00',
      callingHoursEnd: '17:00',
      callingDays: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'],
      dialMode: 'progressive',
      linesPerAgent: 1,
      agentGroupId: groupId,
      amdEnabled: true,
      recordCalls: true,
      voicemailDrop: { url: 'https://example.com/voicemail.mp3' },
      maxAbandonRate: 0.03,
      scheduleStart: '2024-01-01T09:00:00.000Z',
      retryPolicy: {
        maxAttempts: 3,
        delayMinutes: 60,
        retryOnNoAnswer: true,
        retryOnBusy: true,
        retryOnVoicemail: false,
        byOutcome: {
          no_answer: { maxAttempts: 3, initialDelay: 3_600_000, backoffMultiplier: 1 },
          busy: { maxAttempts: 3, initialDelay: 3_600_000, backoffMultiplier: 1 },
          failed: { maxAttempts: 3, initialDelay: 3_600_000, backoffMultiplier: 1 },
          voicemail: null,
        },
      },
      dialerStats: { totalLeads: 0, callsMade: 0, callsAnswered: 0, callsCompleted: 0, callsAbandoned: 0, abandonRate: null },
    });
  });

  it("seed 004's per-outcome shape changes only the outcomes and fields it names; days and modes are kept", async () => {
    const campaign = await outbound({ callingDays: ['friday', 'monday'], dialMode: 'predictive' });
    expect(campaign).toMatchObject({ callingDays: ['monday', 'friday'], dialMode: 'predictive', linesPerAgent: 2 });
    const updated = await manager.client.PUT('/api/campaigns/{id}', {
      params: { path: { id: campaign.id } },
      body: { retryPolicy: { no_answer: { maxAttempts: 5, initialDelay: 600_000, backoffMultiplier: 2 }, busy: null } },
    });
    expect(updated.response.status).toBe(200);
    expect(updated.data!.retryPolicy!.byOutcome).toEqual({
      no_answer: { maxAttempts: 5, initialDelay: 600_000, backoffMultiplier: 2 },
      busy: null,
      failed: { maxAttempts: 3, initialDelay: 3_600_000, backoffMultiplier: 1 },
      voicemail: null,
    });
    expect(updated.data!.retryPolicy).toMatchObject({ maxAttempts: 5, delayMinutes: 10, retryOnBusy: false });
    expect(updated.data!.callingDays).toEqual(['monday', 'friday']);
  });

  it('takes calling hours past midnight (19:00–02:00); hours wholly outside 08:00–21:00 are a 400 naming the field', async () => {
    const campaign = await outbound({ callingHoursStart: '19:00', callingHoursEnd: '02:00' });
    expect(campaign).toMatchObject({ callingHoursStart: '19:00', callingHoursEnd: '02:00' });
    const res = await manager.client.POST('/api/campaigns', { body: { name: 'Night owls', direction: 'outbound', callingHoursStart: '21:30', callingHoursEnd: '07:30' } });
    expect(res.response.status).toBe(400);
    expect(res.error).toMatchObject({ details: { callingHoursStart: expect.stringContaining('08:00–21:00') } });
  });

  it('counts its leads in dialerStats', async () => {
    const campaign = await outbound();
    for (const phone of ['+14155550101', '+14155550102']) {
      expect((await owner.client.POST('/api/leads', { body: { phone, campaignId: campaign.id } })).response.status).toBe(201);
    }
    const read = await agentUser.client.GET('/api/campaigns/{id}', { params: { path: { id: campaign.id } } });
    expect(read.data!.dialerStats!.totalLeads).toBe(2);
    const listed = await owner.client.GET('/api/campaigns');
    expect(listed.data!.find((c) => c.id === campaign.id)!.dialerStats!.totalLeads).toBe(2);
  });

  it('refuses bad settings with a 400 naming the field, and changes nothing', async () => {
    const campaign = await outbound();
    const before = await tables();
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ callerId: '+14155550000' }, 'callerId'],
      [{ agentGroupId: strangerGroupId }, 'agentGroupId'],
      [{ timeZone: 'Mars/Olympus' }, 'timeZone'],
      [{ callingHoursStart: '25:00' }, 'callingHoursStart'],
      [{ callingHoursStart: '22:00', callingHoursEnd: '07:00' }, 'callingHoursStart'],
      [{ callingHoursEnd: '09:00' }, 'callingHoursEnd'],
      [{ dialMode: 'turbo' }, 'dialMode'],
      [{ linesPerAgent: 11 }, 'linesPerAgent'],
      [{ retryPolicy: { maxAttempts: 0, delayMinutes: 5 } }, 'retryPolicy'],
      [{ retryPolicy: { no_answer: { initialDelay: -1 } } }, 'retryPolicy'],
      [{ voicemailDrop: { audioId: '00000000-0000-4000-8000-000000000000' } }, 'voicemailDrop.audioId'],
      [{ voicemailDrop: { url: 'http://insecure.example/vm.mp3' } }, 'voicemailDrop'],
      [{ voicemailDrop: { text: 'Hi' }, voicemailMessageUrl: 'https://example.com/a.mp3' }, 'voicemailMessageUrl'],
      [{ maxAbandonRate: 0.9 }, 'maxAbandonRate'],
    ];
    for (const [body, field] of bad) {
      const res = await manager.client.PUT('/api/campaigns/{id}', { params: { path: { id: campaign.id } }, body: body as never });
      expect({ body, status: res.response.status }).toEqual({ body, status: 400 });
      expect(Object.keys((res.error as { details: Record<string, string> }).details).join(',')).toContain(field);
    }
    expect(await tables()).toEqual(before);
  });

  it('a voicemail drop naming its audio id in upper case is kept as the audio it names: shown in lower case, and the audio cannot be deleted under it', async () => {
    const uploaded = await upload(owner.client, { data: makeMp3(), name: 'Voicemail' });
    expect(uploaded.response.status).toBe(201);
    const audioId = uploaded.data!.id;
    const campaign = await outbound({ amdEnabled: true, voicemailMessageUrl: undefined, voicemailDrop: { audioId: audioId.toUpperCase() } });
    expect(campaign.voicemailDrop).toEqual({ audioId });
    const updated = await manager.client.PUT('/api/campaigns/{id}', { params: { path: { id: campaign.id } }, body: { voicemailDrop: { audioId: audioId.toUpperCase() } } });
    expect(updated.data?.voicemailDrop).toEqual({ audioId });
    const deleted = await owner.client.DELETE('/api/audio/{id}', { params: { path: { id: audioId } } });
    expect(deleted.response.status).toBe(409);
    expect(deleted.error).toMatchObject({ details: { audio: expect.stringContaining(campaign.id) } });
    expect((await owner.client.GET('/api/audio/{id}', { params: { path: { id: audioId } } })).response.status).toBe(200);
    const inbound = await owner.client.POST('/api/campaigns', { body: { name: 'Inbound with a fallback audio', fallbackAudioId: audioId.toUpperCase() } });
    expect(inbound.response.status).toBe(201);
    expect(inbound.data?.fallbackAudioId).toBe(audioId);
  });

  it('takes a leap second (23:59:60, a valid date-time) in scheduleStart / scheduleEnd as the instant after 23:59:59, not a 500', async () => {
    const campaign = await outbound({ scheduleStart: '2016-12-31T23:59:60Z', scheduleEnd: '2099-12-31T23:59:60Z' });
    expect(campaign).toMatchObject({ scheduleStart: '2017-01-01T00:00:00.000Z', scheduleEnd: '2100-01-01T00:00:00.000Z' });
  });

  it('refuses a date-time past 9999 once in UTC (it would be stored, then shown as +010000-…, no date-time): 400 naming it, nothing stored', async () => {
    const before = await t.db.selectFrom('campaigns').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const res = await owner.client.POST('/api/campaigns', {
      body: { name: 'Far future', direction: 'outbound', dialMode: 'progressive', callerId, scheduleEnd: '9999-12-31T23:00:00-05:00' },
    });
    expect(res.response.status).toBe(400);
    expect(Object.keys(res.error?.details ?? {})).toEqual(['scheduleEnd']);
    expect(await t.db.selectFrom('campaigns').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).toEqual(before);
  });

  it('refuses outbound fields on an inbound campaign (400 naming the field)', async () => {
    const inbound = await createCampaign(owner.client);
    const res = await owner.client.PUT('/api/campaigns/{id}', { params: { path: { id: inbound.id } }, body: { dialMode: 'progressive' } });
    expect(res.response.status).toBe(400);
    expect(res.error).toMatchObject({ details: { dialMode: expect.stringContaining('outbound') } });
    const created = await owner.client.POST('/api/campaigns', { body: { name: 'Inbound with a caller id', callerId } });
    expect(created.response.status).toBe(400);
    expect(created.error).toMatchObject({ details: { callerId: expect.any(String) } });
    expect(inbound).toMatchObject({ direction: 'inbound', callerId: null, dialerStats: null, retryPolicy: null });
  });

  it('start needs a caller id and an agent group (409 naming them); pause, stop and start again', async () => {
    const bare = await manager.client.POST('/api/campaigns', { body: { name: 'Bare outbound', direction: 'outbound' } });
    expect(bare.data).toMatchObject({ status: 'paused', callerId: null, agentGroupId: null });
    const refused = await manager.client.POST('/api/campaigns/{id}/start', { params: { path: { id: bare.data!.id } } });
    expect(refused.response.status).toBe(409);
    expect(refused.error).toMatchObject({ details: { callerId: expect.any(String), agentGroupId: expect.any(String) } });

    const campaign = await outbound();
    const path = { params: { path: { id: campaign.id } } };
    expect((await manager.client.POST('/api/campaigns/{id}/start', path)).data!.status).toBe('active');
    expect((await manager.client.POST('/api/campaigns/{id}/start', path)).data!.status).toBe('active');
    expect((await manager.client.POST('/api/campaigns/{id}/pause', path)).data!.status).toBe('paused');
    expect((await manager.client.POST('/api/campaigns/{id}/stop', path)).data!.status).toBe('inactive');
    const pauseStopped = await manager.client.POST('/api/campaigns/{id}/pause', path);
    expect(pauseStopped.response.status).toBe(409);
    expect((await manager.client.POST('/api/campaigns/{id}/start', path)).data!.status).toBe('active');
  });

  it('a create or update that leaves an outbound campaign active needs what a start needs: 409 naming what is missing, nothing changed', async () => {
    const atBirth = await manager.client.POST('/api/campaigns', { body: { name: 'Active at birth', direction: 'outbound', dialMode: 'preview', status: 'active' } });
    expect(atBirth.response.status).toBe(409);
    expect(atBirth.error).toMatchObject({ details: { callerId: expect.any(String), agentGroupId: expect.any(String) } });
    expect((await manager.client.GET('/api/campaigns')).data!.some((c) => c.name === 'Active at birth')).toBe(false);

    const bare = (await manager.client.POST('/api/campaigns', { body: { name: 'Bare, then put active', direction: 'outbound' } })).data!;
    const bareFlip = await manager.client.PUT('/api/campaigns/{id}', { params: { path: { id: bare.id } }, body: { status: 'active' } });
    expect(bareFlip.response.status).toBe(409);
    expect(bareFlip.error).toMatchObject({ details: { callerId: expect.any(String), agentGroupId: expect.any(String) } });
    expect((await manager.client.GET('/api/campaigns/{id}', { params: { path: { id: bare.id } } })).data!.status).toBe('paused');

    const running = await outbound();
    const path = { params: { path: { id: running.id } } };
    expect((await manager.client.POST('/api/campaigns/{id}/start', path)).data!.status).toBe('active');
    const noCallerId = await manager.client.PUT('/api/campaigns/{id}', { ...path, body: { callerId: null } });
    expect(noCallerId.response.status).toBe(409);
    expect(noCallerId.error!.details).toHaveProperty('callerId');
    const noGroup = await manager.client.PUT('/api/campaigns/{id}', { ...path, body: { agentGroupId: null } });
    expect(noGroup.response.status).toBe(409);
    expect(noGroup.error!.details).toHaveProperty('agentGroupId');
    expect((await manager.client.GET('/api/campaigns/{id}', path)).data).toMatchObject({ status: 'active', callerId, agentGroupId: groupId });
    // Paused, they may be cleared; a complete campaign may be created active.
    expect((await manager.client.PUT('/api/campaigns/{id}', { ...path, body: { status: 'paused', callerId: null } })).data).toMatchObject({ status: 'paused', callerId: null });
    const ready = await manager.client.POST('/api/campaigns', { body: { ...SEED_002_BODY, name: 'Ready at birth', callerId, agentGroupId: groupId, status: 'active' } });
    expect(ready.response.status).toBe(201);
    expect(ready.data!.status).toBe('active');
  });

  it('an agent may read but not start; another organisation gets a 404 and changes nothing', async () => {
    const campaign = await outbound();
    const path = { params: { path: { id: campaign.id } } };
    expect((await agentUser.client.POST('/api/campaigns/{id}/start', path)).response.status).toBe(403);
    const before = await tables();
    for (const verb of ['start', 'pause', 'stop'] as const) {
      expect((await stranger.client.POST(`/api/campaigns/{id}/${verb}`, path)).response.status).toBe(404);
    }
    expect((await stranger.client.PUT('/api/campaigns/{id}', { ...path, body: { dialMode: 'preview' } })).response.status).toBe(404);
    expect(await tables()).toEqual(before);
  });
});
