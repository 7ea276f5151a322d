// The dial loop without the simulated carrier (a recording telephony stands in for it): two
// instances on one database never dial a lead twice and never exceed a campaign's lines; a claim
// whose dialer died before placing the call lapses and the lead is dialled again without losing an
// attempt; a placed call whose final status never came is closed when its claim lapses; a window
// past midnight dials, one with no time never fails its leads; a carrier
// that refuses a call fails it by the retry policy. Then the outbound webhooks with Twilio's
// parameters, duplicated and out of order: one final outcome, counted once; an agent who never
// answers its leg leaves an abandoned call.
import { dialCounters } from '../../server/dialer/campaigns/counters.js';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { daytimeZone, zoneAtHour } from './zones.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../../db/types.js';
import { openCallsOf } from '../../server/dialer/agents/availability.js';
import { dialableCampaignIds, lockCampaignForTick } from '../../server/dialer/loop/queries.js';
import { runDialerTick } from '../../server/dialer/loop/tick.js';
import { claimAgentForCall } from '../../server/dialer/webhooks/agent-claim.js';
import { agentLegEnded } from '../../server/dialer/webhooks/agent-leg.js';
import { answerOutbound } from '../../server/dialer/webhooks/answer.js';
import { finishCall } from '../../server/dialer/webhooks/finish.js';
import { outboundUrls } from '../../server/dialer/webhooks/urls.js';
import { ABANDON_MESSAGE } from '../../server/dialer/webhooks/twiml.js';
import type { PlaceCallInput } from '../../server/telephony/types.js';
import { TelephonyError } from '../../server/telephony/types.js';
import { type Member, registerOrg } from '../helpers/fixtures.js';
import { postWebhook, XML_HEAD } from '../helpers/twilio-webhook.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { onPostgres, openSecondInstance } from '../inbound/calls/db-helpers.js';

let t: TestApp;
let owner: Member;
let callerId: string;
let groupId: string;
let second: { db: Kysely<DB>; close: () => Promise<void> } | null = null;
let sidCounter = 0;

function recordingTelephony(refuse?: (input: PlaceCallInput) => boolean) {
  const placed: PlaceCallInput[] = [];
  return {
    placed,
    telephony: {
      kind: 'simulator' as const,
      async placeCall(input: PlaceCallInput) {
        if (refuse?.(input)) throw new TelephonyError('invalid', 'refused by the test carrier');
        placed.push(input);
        sidCounter += 1;
        return { callSid: `CA${sidCounter.toString(16).padStart(32, '0')}` };
      },
    },
  };
}


async function availableAgents(n: number): Promise<void> {
  for (let i = 0; i < n; i += 1) {
    const agent = (await owner.client.POST('/api/agents', { body: { name: `Agent ${i}`, phone: `+1312555${String(1000 + i)}`, groupId } })).data!;
    await owner.client.PUT('/api/agents/{id}/status', { params: { path: { id: agent.id } }, body: { status: 'available' } });
  }
}

async function outboundCampaign(leads: number, extra: Record<string, unknown> = {}): Promise<string> {
  const zone = (extra.timeZone as string | undefined) ?? daytimeZone();
  const campaign = (await owner.client.POST('/api/campaigns', { body: { name: `Loop ${Math.random()}`, direction: 'outbound', callerId, agentGroupId: groupId, timeZone: zone, ...extra } })).data!;
  const base = 4_155_600_000 + Math.floor(Math.random() * 90_000) * 10;
  for (let i = 0; i < leads; i += 1) {
    const res = await owner.client.POST('/api/leads', { body: { phone: `+1${base + i}`, campaignId: campaign.id, timeZone: zone } });
    if (res.response.status !== 201) throw new Error(`lead: ${res.response.status}`);
  }
  await owner.client.POST('/api/campaigns/{id}/start', { params: { path: { id: campaign.id } } });
  return campaign.id;
}

const openCalls = async (campaignId: string) =>
  Number((await t.db.selectFrom('calls').select((eb) => eb.fn.countAll<string>().as('n')).where('campaign_id', '=', campaignId).where('status_rank', '<', 4).executeTakeFirstOrThrow()).n);

beforeAll(async () => {
  t = await startTestApp();
  if (onPostgres) second = await openSecondInstance(t);
  owner = await registerOrg(t, 'Loop Org');
  const found = await owner.client.GET('/api/phone-numbers/search', { params: { query: { limit: 1 } } });
  callerId = (await owner.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: found.data!.numbers[0]!.phoneNumber } })).data!.phoneNumber;
  groupId = (await owner.client.POST('/api/agent-groups', { body: { name: 'Loop floor' } })).data!.id;
  await availableAgents(3);
});
afterAll(async () => {
  await second?.close();
  await t?.close();
});

describe('the dial loop', () => {
  it(`two instances ticking at once (${onPostgres ? 'two pg pools' : 'one PGlite handle'}): no lead dialled twice, lines never exceeded`, async () => {
    const campaignId = await outboundCampaign(40, { dialMode: 'progressive', linesPerAgent: 2 });
    const { placed, telephony } = recordingTelephony();
    const urls = outboundUrls(t.config.publicBaseUrl);
    const instances = [t.db, second?.db ?? t.db];
    // Several rounds of concurrent ticks; 3 available agents × 2 lines = 6 lines.
    for (let round = 0; round < 4; round += 1) {
      await Promise.all(instances.flatMap((db) => [runDialerTick({ db, telephony, urls }), runDialerTick({ db, telephony, urls })]));
      expect(await openCalls(campaignId)).toBeLessThanOrEqual(6);
    }
    const mine = placed.filter((p) => p.statusCallbackUrl.includes('callId='));
    const calls = await t.db.selectFrom('calls').select(['lead_id', 'call_sid']).where('campaign_id', '=', campaignId).execute();
    expect(calls).toHaveLength(6);
    expect(new Set(calls.map((c) => c.lead_id)).size).toBe(6);
    expect(new Set(mine.map((p) => p.to)).size).toBe(mine.length);
    const calling = await t.db.selectFrom('leads').select('id').where('campaign_id', '=', campaignId).where('dial_status', '=', 'calling').execute();
    expect(calling).toHaveLength(6);
    await owner.client.POST('/api/campaigns/{id}/stop', { params: { path: { id: campaignId } } });
  });

  it('a claim whose dialer died before placing the call lapses; the lead is dialled again without losing an attempt', async () => {
    const campaignId = await outboundCampaign(1);
    const { telephony } = recordingTelephony();
    const urls = outboundUrls(t.config.publicBaseUrl);
    // The dialer "dies" between recording the call and placing it: a carrier that never answers.
    const dead = { kind: 'simulator' as const, placeCall: () => new Promise<never>(() => undefined) };
    void runDialerTick({ db: t.db, telephony: dead, urls });
    const lead = async () => t.db.selectFrom('leads').selectAll().where('campaign_id', '=', campaignId).executeTakeFirstOrThrow();
    for (let i = 0; i < 100 && (await lead()).dial_status !== 'calling'; i += 1) await new Promise((r) => setTimeout(r, 20));
    expect(await lead()).toMatchObject({ dial_status: 'calling', call_attempts: 1 });
    // Its lease lapses (as if two minutes passed).
    await sql`UPDATE leads SET dial_lease_until = now() - interval '1 second' WHERE campaign_id = ${campaignId}`.execute(t.db);
    const result = await runDialerTick({ db: t.db, telephony, urls });
    expect(result.released).toBeGreaterThanOrEqual(1);
    const calls = await t.db.selectFrom('calls').select(['status', 'disposition', 'call_sid']).where('campaign_id', '=', campaignId).orderBy('id').execute();
    expect(calls[0]).toMatchObject({ status: 'canceled', disposition: 'canceled' });
    expect(calls[0]!.call_sid.startsWith('DL')).toBe(true);
    expect(calls[1]!.call_sid).toMatch(/^CA/);
    expect(await lead()).toMatchObject({ dial_status: 'calling', call_attempts: 1 });
    // The canceled call was never placed: one call made, as one attempt.
    expect((await dialCounters(t.db, [campaignId])).get(campaignId)).toMatchObject({ callsMade: 1 });
    await owner.client.POST('/api/campaigns/{id}/stop', { params: { path: { id: campaignId } } });
  });

  it('a placed call whose final status never came is closed when its claim lapses: the line and the agent are free, a late final status changes nothing', async () => {
    const floor = (await owner.client.POST('/api/agent-groups', { body: { name: 'Lost callbacks' } })).data!.id;
    const agent = (await owner.client.POST('/api/agents', { body: { name: 'Lone', phone: '+13125559001', groupId: floor } })).data!.id;
    await owner.client.PUT('/api/agents/{id}/status', { params: { path: { id: agent } }, body: { status: 'available' } });
    const campaignId = await outboundCampaign(2, { agentGroupId: floor, dialMode: 'progressive', linesPerAgent: 1 });
    const { telephony } = recordingTelephony();
    const tick = () => runDialerTick({ db: t.db, telephony, urls: outboundUrls(t.config.publicBaseUrl) });
    const lapse = () => sql`UPDATE leads SET dial_lease_until = now() - interval '1 second' WHERE campaign_id = ${campaignId} AND dial_status = 'calling'`.execute(t.db);
    const callRow = (id: number) => t.db.selectFrom('calls').select(['status', 'status_rank', 'disposition', 'talk_time_sec', 'ended_at']).where('id', '=', id).executeTakeFirstOrThrow();
    expect((await tick()).placed).toBe(1);
    const bridged = await t.db.selectFrom('calls').selectAll().where('campaign_id', '=', campaignId).executeTakeFirstOrThrow();
    expect((await claimAgentForCall(t.db, owner.orgId, floor, bridged.id, new Date())).outcome).toBe('claimed');

    // Its final status never comes; hours later the lead's claim lapses: the call is closed as
    // answered (it was bridged), the agent free, and the one line dials the other lead.
    await lapse();
    expect(await tick()).toMatchObject({ released: 1, placed: 1 });
    expect(await callRow(bridged.id)).toMatchObject({ status: 'completed', status_rank: 4, disposition: 'answered', talk_time_sec: 0, ended_at: expect.any(Date) });
    expect((await t.db.selectFrom('leads').select('dial_status').where('id', '=', bridged.lead_id!).executeTakeFirstOrThrow()).dial_status).toBe('completed');
    expect(await openCallsOf(t.db, [agent])).toEqual(new Map());

    // The second call is never bridged and loses its final status too: failed, its lead retried by the policy.
    const unbridged = await t.db.selectFrom('calls').selectAll().where('campaign_id', '=', campaignId).where('id', '<>', bridged.id).executeTakeFirstOrThrow();
    await lapse();
    expect(await tick()).toMatchObject({ released: 1, placed: 0 });
    expect(await callRow(unbridged.id)).toMatchObject({ status: 'failed', status_rank: 4, disposition: 'failed' });
    expect(await t.db.selectFrom('leads').select(['dial_status', 'call_attempts']).where('id', '=', unbridged.lead_id!).executeTakeFirstOrThrow()).toEqual({ dial_status: 'queued', call_attempts: 1 });
    const before = (await dialCounters(t.db, [campaignId])).get(campaignId);
    expect(before).toMatchObject({ callsMade: 2, callsAnswered: 1, callsCompleted: 1, callsAbandoned: 0 });

    // The real final status arrives late: applied once already, nothing changes.
    const late = { CallSid: bridged.call_sid, CallStatus: 'completed', CallDuration: '95', From: callerId, To: bridged.to_number!, Direction: 'outbound-api' };
    expect((await postWebhook(t, `/api/webhooks/outbound/status?callId=${bridged.id}`, late)).status).toBe(204);
    expect(await callRow(bridged.id)).toMatchObject({ status: 'completed', disposition: 'answered', talk_time_sec: 0 });
    expect((await dialCounters(t.db, [campaignId])).get(campaignId)).toEqual(before);
    await owner.client.POST('/api/campaigns/{id}/stop', { params: { path: { id: campaignId } } });
  });

  it('a call the carrier refuses ends failed and the lead follows the retry policy', async () => {
    const campaignId = await outboundCampaign(1, { retryPolicy: { failed: { maxAttempts: 2, initialDelay: 600_000 } } });
    const { telephony } = recordingTelephony(() => true);
    await runDialerTick({ db: t.db, telephony, urls: outboundUrls(t.config.publicBaseUrl) });
    const call = await t.db.selectFrom('calls').selectAll().where('campaign_id', '=', campaignId).executeTakeFirstOrThrow();
    expect(call).toMatchObject({ status: 'failed', disposition: 'failed' });
    const lead = await t.db.selectFrom('leads').selectAll().where('campaign_id', '=', campaignId).executeTakeFirstOrThrow();
    expect(lead.dial_status).toBe('queued');
    expect(lead.next_call_at!.getTime() - Date.now()).toBeGreaterThan(9 * 60_000);
    await owner.client.POST('/api/campaigns/{id}/stop', { params: { path: { id: campaignId } } });
  });
});

describe('a caller id released after the start', () => {
  it('is never dialled from, even once another organisation holds it: the loop pauses the campaign, a start or a preview dial names callerId', async () => {
    const found = await owner.client.GET('/api/phone-numbers/search', { params: { query: { limit: 1 } } });
    const own = (await owner.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: found.data!.numbers[0]!.phoneNumber } })).data!;
    const campaignId = await outboundCampaign(2, { callerId: own.phoneNumber });
    const preview = (await owner.client.POST('/api/campaigns', { body: { name: 'Released preview', direction: 'outbound', dialMode: 'preview', callerId: own.phoneNumber, agentGroupId: groupId, timeZone: daytimeZone() } })).data!;
    expect((await owner.client.POST('/api/campaigns/{id}/start', { params: { path: { id: preview.id } } })).response.status).toBe(200);
    expect((await owner.client.DELETE('/api/phone-numbers/{id}', { params: { path: { id: String(own.id) } } })).response.status).toBe(204);
    const other = await registerOrg(t, 'Number Buyer Org');
    expect((await other.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: own.phoneNumber } })).response.status).toBe(201);

    const { placed, telephony } = recordingTelephony();
    await runDialerTick({ db: t.db, telephony, urls: outboundUrls(t.config.publicBaseUrl) });
    expect(placed.filter((p) => p.from === own.phoneNumber)).toEqual([]);
    expect(await t.db.selectFrom('calls').select('id').where('campaign_id', '=', campaignId).execute()).toEqual([]);
    expect((await owner.client.GET('/api/campaigns/{id}', { params: { path: { id: campaignId } } })).data!.status).toBe('paused');
    const start = await owner.client.POST('/api/campaigns/{id}/start', { params: { path: { id: campaignId } } });
    expect(start.response.status).toBe(409);
    expect(start.error).toMatchObject({ details: { callerId: expect.stringContaining('no longer') } });

    const agentId = (await owner.client.GET('/api/agents')).data!.agents[0]!.id;
    const dial = await owner.client.POST('/api/campaigns/{id}/preview/next', { params: { path: { id: preview.id } }, body: { agentId } });
    expect(dial.response.status).toBe(409);
    expect(dial.error).toMatchObject({ details: { callerId: expect.stringContaining('no longer') } });
    await owner.client.POST('/api/campaigns/{id}/stop', { params: { path: { id: preview.id } } });
  });
});

describe('an agent group deleted under an active campaign', () => {
  it('a person answering meanwhile hears the abandon message (not a silent hang-up); the loop pauses the campaign, a start names agentGroupId', async () => {
    const floor = (await owner.client.POST('/api/agent-groups', { body: { name: 'Disbanded' } })).data!.id;
    const agent = (await owner.client.POST('/api/agents', { body: { name: 'Disbanded agent', phone: '+13125559004', groupId: floor } })).data!.id;
    await owner.client.PUT('/api/agents/{id}/status', { params: { path: { id: agent } }, body: { status: 'available' } });
    const campaignId = await outboundCampaign(2, { agentGroupId: floor, dialMode: 'progressive', linesPerAgent: 1 });
    const { telephony } = recordingTelephony();
    const urls = outboundUrls(t.config.publicBaseUrl);
    expect((await runDialerTick({ db: t.db, telephony, urls })).placed).toBe(1);
    const call = await t.db.selectFrom('calls').selectAll().where('campaign_id', '=', campaignId).executeTakeFirstOrThrow();
    expect((await owner.client.DELETE('/api/agent-groups/{id}', { params: { path: { id: floor } } })).response.status).toBe(204);

    const person = { CallSid: call.call_sid, CallStatus: 'in-progress', From: callerId, To: call.to_number!, Direction: 'outbound-api' };
    const answered = await postWebhook(t, urls.answer(call.id, { agentWait: 2 }).replace(t.config.publicBaseUrl, ''), person);
    expect(answered.text).toBe(`${XML_HEAD}<Response><Say>${ABANDON_MESSAGE}</Say><Hangup/></Response>`);
    expect((await t.db.selectFrom('calls').select('disposition').where('id', '=', call.id).executeTakeFirstOrThrow()).disposition).toBe('abandoned');

    expect((await runDialerTick({ db: t.db, telephony, urls })).placed).toBe(0);
    const campaign = await owner.client.GET('/api/campaigns/{id}', { params: { path: { id: campaignId } } });
    expect(campaign.data).toMatchObject({ status: 'paused', agentGroupId: null });
    const start = await owner.client.POST('/api/campaigns/{id}/start', { params: { path: { id: campaignId } } });
    expect(start.response.status).toBe(409);
    expect(start.error!.details).toHaveProperty('agentGroupId');
  });
});

describe('a number listed while its call is live', () => {
  it('the lead is dnc once the call ends, not queued for a retry that never comes', async () => {
    const campaignId = await outboundCampaign(1);
    const { telephony } = recordingTelephony();
    await runDialerTick({ db: t.db, telephony, urls: outboundUrls(t.config.publicBaseUrl) });
    const call = await t.db.selectFrom('calls').selectAll().where('campaign_id', '=', campaignId).executeTakeFirstOrThrow();
    expect((await owner.client.POST('/api/dnc-numbers', { body: { phoneNumber: call.to_number! } })).response.status).toBe(201);
    const lead = () => t.db.selectFrom('leads').select(['dial_status', 'do_not_call', 'next_call_at']).where('id', '=', call.lead_id!).executeTakeFirstOrThrow();
    expect(await lead()).toMatchObject({ dial_status: 'calling', do_not_call: true });
    const noAnswer = { CallSid: call.call_sid, CallStatus: 'no-answer', CallDuration: '0', From: callerId, To: call.to_number!, Direction: 'outbound-api' };
    expect((await postWebhook(t, `/api/webhooks/outbound/status?callId=${call.id}`, noAnswer)).status).toBe(204);
    expect(await lead()).toEqual({ dial_status: 'dnc', do_not_call: true, next_call_at: null });
    await owner.client.POST('/api/campaigns/{id}/stop', { params: { path: { id: campaignId } } });
  });

  it('a lead whose claim lapses after its number was listed is dnc, not queued again', async () => {
    const campaignId = await outboundCampaign(1);
    const dead = { kind: 'simulator' as const, placeCall: () => new Promise<never>(() => undefined) };
    void runDialerTick({ db: t.db, telephony: dead, urls: outboundUrls(t.config.publicBaseUrl) });
    const lead = () => t.db.selectFrom('leads').select(['phone_e164', 'dial_status', 'do_not_call', 'next_call_at']).where('campaign_id', '=', campaignId).executeTakeFirstOrThrow();
    for (let i = 0; i < 100 && (await lead()).dial_status !== 'calling'; i += 1) await new Promise((r) => setTimeout(r, 20));
    expect((await owner.client.POST('/api/dnc-numbers', { body: { phoneNumber: (await lead()).phone_e164 } })).response.status).toBe(201);
    await sql`UPDATE leads SET dial_lease_until = now() - interval '1 second' WHERE campaign_id = ${campaignId}`.execute(t.db);
    const { telephony } = recordingTelephony();
    expect((await runDialerTick({ db: t.db, telephony, urls: outboundUrls(t.config.publicBaseUrl) })).released).toBeGreaterThanOrEqual(1);
    expect(await lead()).toMatchObject({ dial_status: 'dnc', do_not_call: true, next_call_at: null });
    await owner.client.POST('/api/campaigns/{id}/stop', { params: { path: { id: campaignId } } });
  });
});

describe('one campaign the loop cannot plan', () => {
  it('does not keep the campaigns after it from dialling: logged with its id, counted, tried again next pass', async () => {
    await availableAgents(1);
    const broken = await outboundCampaign(1);
    const healthy = await outboundCampaign(1);
    // A fault of the first campaign alone (as a row the planner cannot handle would be): its calls
    // cannot be recorded. A test-only trigger, removed at the end.
    await sql.raw(`CREATE FUNCTION refuse_one_campaign() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN IF NEW.campaign_id = '${broken}'::uuid THEN RAISE EXCEPTION 'this campaign cannot be planned'; END IF; RETURN NEW; END $fn$`).execute(t.db);
    await sql`CREATE TRIGGER refuse_one_campaign BEFORE INSERT ON calls FOR EACH ROW EXECUTE FUNCTION refuse_one_campaign()`.execute(t.db);
    try {
      const { placed, telephony } = recordingTelephony();
      const logged: Array<{ campaignId?: string }> = [];
      const log = { error: (obj: { campaignId?: string }) => logged.push(obj), warn: () => undefined } as never;
      const result = await runDialerTick({ db: t.db, telephony, urls: outboundUrls(t.config.publicBaseUrl), log });
      expect(result.failed).toBe(1);
      expect(logged.map((l) => l.campaignId)).toEqual([broken]);
      expect(await openCalls(healthy)).toBe(1);
      expect(placed.filter((p) => p.statusCallbackUrl.includes('callId='))).not.toHaveLength(0);
      // The failed campaign's pass rolled back: its lead is as it was, for the next pass.
      const lead = await t.db.selectFrom('leads').select(['dial_status', 'call_attempts']).where('campaign_id', '=', broken).executeTakeFirstOrThrow();
      expect(lead).toMatchObject({ dial_status: 'pending', call_attempts: 0 });
      expect(await openCalls(broken)).toBe(0);
    } finally {
      await sql`DROP TRIGGER refuse_one_campaign ON calls`.execute(t.db);
      await sql`DROP FUNCTION refuse_one_campaign()`.execute(t.db);
      for (const id of [broken, healthy]) await owner.client.POST('/api/campaigns/{id}/stop', { params: { path: { id } } });
    }
  });
});

/** An outbound campaign whose group has one available agent, its one lead dialled by a tick. */
async function dialledWithOneAgent(groupName: string, agentName: string, agentPhone: string) {
  const floor = (await owner.client.POST('/api/agent-groups', { body: { name: groupName } })).data!.id;
  const agent = (await owner.client.POST('/api/agents', { body: { name: agentName, phone: agentPhone, groupId: floor } })).data!.id;
  await owner.client.PUT('/api/agents/{id}/status', { params: { path: { id: agent } }, body: { status: 'available' } });
  const campaignId = await outboundCampaign(1, { agentGroupId: floor });
  const urls = outboundUrls(t.config.publicBaseUrl);
  await runDialerTick({ db: t.db, telephony: recordingTelephony().telephony, urls });
  return { agent, campaignId, urls };
}

/**
 * The person answers; while the agent's call is being placed the person hangs up (the final
 * status is recorded), then the carrier refuses the agent's call. The TwiML answered, the call's
 * end, and the call's row after.
 */
async function answerAsPersonHangsUp(campaignId: string, urls: ReturnType<typeof outboundUrls>) {
  const call = await t.db.selectFrom('calls').selectAll().where('campaign_id', '=', campaignId).executeTakeFirstOrThrow();
  let ended: Awaited<ReturnType<typeof finishCall>> | undefined;
  const telephony = {
    async placeCall(): Promise<never> {
      ended = await finishCall(t.db, call.id, { status: 'completed', durationSec: 4 }, new Date());
      throw new TelephonyError('invalid', 'refused by the test carrier');
    },
  };
  const twiml = await answerOutbound({ db: t.db, telephony, urls, audioUrl: (id) => id }, call, { callId: call.id, poll: 0, agentWait: 0 });
  const after = await t.db.selectFrom('calls').select(['status', 'status_rank', 'disposition']).where('id', '=', call.id).executeTakeFirstOrThrow();
  return { twiml, ended, after };
}

describe('the carrier refusing the agent just as the person hangs up', () => {
  it('the finished call keeps the disposition its end gave it; the agent is free', async () => {
    const { agent, campaignId, urls } = await dialledWithOneAgent('Refused agents', 'Unreachable', '+13125559003');
    const { twiml, ended, after } = await answerAsPersonHangsUp(campaignId, urls);
    expect(twiml).toContain('<Hangup/>');
    expect(ended).toMatchObject({ finished: true });
    expect(after).toEqual({ status: 'completed', status_rank: 4, disposition: ended!.disposition });
    expect(after.disposition).not.toBeNull();
    const presence = await t.db.selectFrom('agents').select('status').where('id', '=', agent).executeTakeFirstOrThrow();
    expect(presence.status).toBe('available');
    await owner.client.POST('/api/campaigns/{id}/stop', { params: { path: { id: campaignId } } });
  });
});

describe('a previewed call whose person hangs up as the carrier refuses its agent', () => {
  it('the finished call keeps the disposition its end gave it (not turned abandoned after it ended)', async () => {
    const { agent, campaignId, urls } = await dialledWithOneAgent('Refused previewers', 'Unreachable previewer', '+13125559004');
    await owner.client.POST('/api/campaigns/{id}/stop', { params: { path: { id: campaignId } } });
    // As a preview dial places it: the agent chosen before the dial.
    await t.db.updateTable('calls').set({ agent_id: agent }).where('campaign_id', '=', campaignId).execute();
    const { twiml, ended, after } = await answerAsPersonHangsUp(campaignId, urls);
    expect(twiml).toContain('<Hangup/>');
    expect(ended).toMatchObject({ finished: true });
    expect(after).toEqual({ status: 'completed', status_rank: 4, disposition: ended!.disposition });
    expect(after.disposition).toBe('answered');
  });
});

describe('attempts at dial time', () => {
  it('a lead whose attempts are used up (the policy lowered since it was queued) is given up, not dialled', async () => {
    const campaignId = await outboundCampaign(2, { retryPolicy: { maxAttempts: 2, delayMinutes: 1 } });
    await t.db.updateTable('leads').set({ call_attempts: 2, dial_status: 'queued', next_call_at: new Date(Date.now() - 1000) }).where('campaign_id', '=', campaignId).execute();
    const { placed, telephony } = recordingTelephony();
    await runDialerTick({ db: t.db, telephony, urls: outboundUrls(t.config.publicBaseUrl) });
    expect(placed.filter((p) => p.statusCallbackUrl.includes('callId='))).toHaveLength(0);
    const leads = await t.db.selectFrom('leads').select(['dial_status', 'call_attempts']).where('campaign_id', '=', campaignId).execute();
    expect(leads).toEqual([
      { dial_status: 'failed', call_attempts: 2 },
      { dial_status: 'failed', call_attempts: 2 },
    ]);
    await owner.client.POST('/api/campaigns/{id}/stop', { params: { path: { id: campaignId } } });
  });
});

describe('calling hours at dial time', () => {
  it('a window past midnight (19:00–02:00) dials in its legal evening; a window that allows no time now defers its leads, never fails them', async () => {
    const campaignId = await outboundCampaign(1, { timeZone: zoneAtHour(19, 21), callingHoursStart: '19:00', callingHoursEnd: '02:00' });
    const { placed, telephony } = recordingTelephony();
    const tick = () => runDialerTick({ db: t.db, telephony, urls: outboundUrls(t.config.publicBaseUrl) });
    await tick();
    expect(placed.filter((p) => p.statusCallbackUrl.includes('callId='))).toHaveLength(1);
    expect((await t.db.selectFrom('leads').select('dial_status').where('campaign_id', '=', campaignId).executeTakeFirstOrThrow()).dial_status).toBe('calling');
    await owner.client.POST('/api/campaigns/{id}/stop', { params: { path: { id: campaignId } } });

    // Hours wholly outside 08:00–21:00 (a row from before the check): the leads wait, looked at again in an hour.
    const idle = await outboundCampaign(1);
    await t.db.updateTable('campaigns').set({ calling_hours_start: '22:00', calling_hours_end: '23:00' }).where('id', '=', idle).execute();
    await tick();
    const lead = await t.db.selectFrom('leads').select(['dial_status', 'next_call_at']).where('campaign_id', '=', idle).executeTakeFirstOrThrow();
    expect(lead.dial_status).toBe('pending');
    expect(lead.next_call_at!.getTime() - Date.now()).toBeGreaterThan(50 * 60_000);
    await owner.client.POST('/api/campaigns/{id}/stop', { params: { path: { id: idle } } });
  });
});

describe('outbound webhooks (signed, duplicated, out of order)', () => {
  it("Twilio's status callbacks in any order and twice: one final outcome, the lead retried once, counted once", async () => {
    const campaignId = await outboundCampaign(1);
    const { placed, telephony } = recordingTelephony();
    await runDialerTick({ db: t.db, telephony, urls: outboundUrls(t.config.publicBaseUrl) });
    const call = await t.db.selectFrom('calls').selectAll().where('campaign_id', '=', campaignId).executeTakeFirstOrThrow();
    const path = placed.find((p) => p.statusCallbackUrl.includes(`callId=${call.id}&`) || p.statusCallbackUrl.endsWith(`callId=${call.id}`))!.statusCallbackUrl.replace(t.config.publicBaseUrl, '');
    const common = { CallSid: call.call_sid, AccountSid: `AC${'1'.repeat(32)}`, From: callerId, To: call.to_number!, Direction: 'outbound-api', ApiVersion: '2010-04-01', CallbackSource: 'call-progress-events' };
    const events = [
      { ...common, CallStatus: 'busy', CallDuration: '0', SequenceNumber: '2' },
      { ...common, CallStatus: 'ringing', SequenceNumber: '1' },
      { ...common, CallStatus: 'initiated', SequenceNumber: '0' },
      { ...common, CallStatus: 'busy', CallDuration: '0', SequenceNumber: '2' },
    ];
    for (const e of events) expect((await postWebhook(t, path, e)).status).toBe(204);
    await Promise.all(events.map((e) => postWebhook(t, path, e)));
    const after = await t.db.selectFrom('calls').selectAll().where('id', '=', call.id).executeTakeFirstOrThrow();
    expect(after).toMatchObject({ status: 'busy', disposition: 'busy', status_rank: 4 });
    const lead = await t.db.selectFrom('leads').selectAll().where('id', '=', call.lead_id!).executeTakeFirstOrThrow();
    expect(lead).toMatchObject({ dial_status: 'queued', call_attempts: 1 });
    expect((await dialCounters(t.db, [campaignId])).get(campaignId)).toMatchObject({ callsMade: 1, callsAnswered: 0, callsAbandoned: 0 });
    // Unsigned: 403; another call's CallSid: 404; a bad callId: 400 — nothing changed.
    expect((await postWebhook(t, path, events[0]!, { signature: 'none' })).status).toBe(403);
    expect((await postWebhook(t, path, { ...events[0]!, CallSid: `CA${'f'.repeat(32)}` })).status).toBe(404);
    expect((await postWebhook(t, '/api/webhooks/outbound/status?callId=abc', events[0]!)).status).toBe(400);
    await owner.client.POST('/api/campaigns/{id}/stop', { params: { path: { id: campaignId } } });
  });

  it("the first webhook of a call whose sid was never stored links it and extends its lead's claim; another call's sid is a 404", async () => {
    const campaignId = await outboundCampaign(2);
    const dead = { kind: 'simulator' as const, placeCall: () => new Promise<never>(() => undefined) };
    void runDialerTick({ db: t.db, telephony: dead, urls: outboundUrls(t.config.publicBaseUrl) });
    const placeholders = async () => t.db.selectFrom('calls').selectAll().where('campaign_id', '=', campaignId).execute();
    for (let i = 0; i < 100 && (await placeholders()).length < 2; i += 1) await new Promise((r) => setTimeout(r, 20));
    const [first, second] = await placeholders();
    expect(first!.call_sid.startsWith('DL') && second!.call_sid.startsWith('DL')).toBe(true);
    const sid = `CA${'a'.repeat(32)}`;
    const ringing = { CallSid: sid, CallStatus: 'ringing', From: callerId, To: first!.to_number!, Direction: 'outbound-api' };
    expect((await postWebhook(t, `/api/webhooks/outbound/status?callId=${first!.id}`, ringing)).status).toBe(204);
    expect((await t.db.selectFrom('calls').select(['call_sid', 'status']).where('id', '=', first!.id).executeTakeFirstOrThrow())).toEqual({ call_sid: sid, status: 'ringing' });
    // Its lead's claim is now a placed call's (hours), not the two minutes of a claim: it does not
    // lapse, and the lead is not dialled again, while the call is live.
    const lead = await t.db.selectFrom('leads').select(['dial_status', 'dial_lease_until']).where('id', '=', first!.lead_id!).executeTakeFirstOrThrow();
    expect(lead.dial_status).toBe('calling');
    expect(lead.dial_lease_until!.getTime() - Date.now()).toBeGreaterThan(3_600_000);
    // The same sid on the other placeholder call: not that call.
    expect((await postWebhook(t, `/api/webhooks/outbound/status?callId=${second!.id}`, { ...ringing, To: second!.to_number! })).status).toBe(404);
    expect((await t.db.selectFrom('calls').select('call_sid').where('id', '=', second!.id).executeTakeFirstOrThrow()).call_sid.startsWith('DL')).toBe(true);
    await owner.client.POST('/api/campaigns/{id}/stop', { params: { path: { id: campaignId } } });
  });

  it('an agent who never answers its leg: the call is abandoned, the person hears the abandon message, the agent free; counted as abandoned, never completed', async () => {
    const floor = (await owner.client.POST('/api/agent-groups', { body: { name: 'Absent agents' } })).data!.id;
    const agent = (await owner.client.POST('/api/agents', { body: { name: 'Absent', phone: '+13125559002', groupId: floor } })).data!.id;
    await owner.client.PUT('/api/agents/{id}/status', { params: { path: { id: agent } }, body: { status: 'available' } });
    const campaignId = await outboundCampaign(1, { agentGroupId: floor });
    const { telephony } = recordingTelephony();
    const urls = outboundUrls(t.config.publicBaseUrl);
    await runDialerTick({ db: t.db, telephony, urls });
    const call = await t.db.selectFrom('calls').selectAll().where('campaign_id', '=', campaignId).executeTakeFirstOrThrow();
    expect((await claimAgentForCall(t.db, owner.orgId, floor, call.id, new Date())).outcome).toBe('claimed');

    // The agent's leg ends unanswered: the person, alone in the conference, is taken out of it to
    // the answer webhook, which now answers the abandon message and a hang-up.
    const carrier: string[] = [];
    const legDeps = {
      db: t.db,
      telephony: { hangupCall: async (sid: string) => void carrier.push(`hangup ${sid}`), redirectCall: async (sid: string, url: string) => void carrier.push(`redirect ${sid} ${url}`) },
      abandonUrl: (id: number) => urls.answer(id),
    };
    expect(await agentLegEnded(legDeps, call, agent, 'no-answer')).toEqual({ abandoned: true });
    expect(carrier).toEqual([`redirect ${call.call_sid} ${urls.answer(call.id)}`]);
    const person = { CallSid: call.call_sid, CallStatus: 'in-progress', From: callerId, To: call.to_number!, Direction: 'outbound-api' };
    const message = await postWebhook(t, urls.answer(call.id).replace(t.config.publicBaseUrl, ''), person);
    expect(message.text).toBe(`${XML_HEAD}<Response><Say>${ABANDON_MESSAGE}</Say><Hangup/></Response>`);
    expect((await t.db.selectFrom('agents').select('status').where('id', '=', agent).executeTakeFirstOrThrow()).status).toBe('available');
    // The same status callback again, through the webhook: nothing more.
    const agentLeg = { CallSid: `CA${'9'.repeat(32)}`, CallStatus: 'no-answer', From: callerId, To: '+13125559002', Direction: 'outbound-api' };
    expect((await postWebhook(t, urls.agentStatus(call.id, agent).replace(t.config.publicBaseUrl, ''), agentLeg)).status).toBe(204);

    // The person's leg ends (after 45 s in the conference): abandoned, no talk time, not completed.
    const final = { CallSid: call.call_sid, CallStatus: 'completed', CallDuration: '45', From: callerId, To: call.to_number!, Direction: 'outbound-api' };
    expect((await postWebhook(t, `/api/webhooks/outbound/status?callId=${call.id}`, final)).status).toBe(204);
    const row = await t.db.selectFrom('calls').select(['disposition', 'talk_time_sec', 'agent_id']).where('id', '=', call.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ disposition: 'abandoned', talk_time_sec: 0, agent_id: null });
    expect((await dialCounters(t.db, [campaignId])).get(campaignId)).toMatchObject({ callsAnswered: 1, callsCompleted: 0, callsAbandoned: 1 });
    await owner.client.POST('/api/campaigns/{id}/stop', { params: { path: { id: campaignId } } });
  });

  it("a late callback of an agent's earlier call (its leg's end, its conference leave) never frees the agent busy on its next call", async () => {
    const floor = (await owner.client.POST('/api/agent-groups', { body: { name: 'Late callbacks' } })).data!.id;
    const agent = (await owner.client.POST('/api/agents', { body: { name: 'Back to back', phone: '+13125559003', groupId: floor } })).data!.id;
    await owner.client.PUT('/api/agents/{id}/status', { params: { path: { id: agent } }, body: { status: 'available' } });
    const campaignId = await outboundCampaign(2, { agentGroupId: floor, dialMode: 'progressive', linesPerAgent: 1 });
    const { telephony } = recordingTelephony();
    const urls = outboundUrls(t.config.publicBaseUrl);
    const status = async () => (await t.db.selectFrom('agents').select('status').where('id', '=', agent).executeTakeFirstOrThrow()).status;
    expect((await runDialerTick({ db: t.db, telephony, urls })).placed).toBe(1);
    const first = await t.db.selectFrom('calls').selectAll().where('campaign_id', '=', campaignId).executeTakeFirstOrThrow();
    expect((await claimAgentForCall(t.db, owner.orgId, floor, first.id, new Date())).outcome).toBe('claimed');
    // The person's leg ends first: the call is over and the agent free.
    const ended = { CallSid: first.call_sid, CallStatus: 'completed', CallDuration: '60', From: callerId, To: first.to_number!, Direction: 'outbound-api' };
    expect((await postWebhook(t, `/api/webhooks/outbound/status?callId=${first.id}`, ended)).status).toBe(204);
    expect(await status()).toBe('available');
    // The next call is answered and bridged to the same agent: busy.
    expect((await runDialerTick({ db: t.db, telephony, urls })).placed).toBe(1);
    const next = await t.db.selectFrom('calls').selectAll().where('campaign_id', '=', campaignId).where('id', '<>', first.id).executeTakeFirstOrThrow();
    expect((await claimAgentForCall(t.db, owner.orgId, floor, next.id, new Date())).outcome).toBe('claimed');
    expect(await status()).toBe('busy');
    // Then the first call's agent-leg callbacks arrive (late, or delivered again): the agent talks on.
    const agentLeg = `CA${'7'.repeat(32)}`;
    const leave = { ConferenceSid: `CF${'7'.repeat(32)}`, FriendlyName: `cc-outbound-${first.id}`, StatusCallbackEvent: 'participant-leave', CallSid: agentLeg };
    expect((await postWebhook(t, urls.conferenceStatus(first.id).replace(t.config.publicBaseUrl, ''), leave)).status).toBe(204);
    expect(await status()).toBe('busy');
    const legEnded = { CallSid: agentLeg, CallStatus: 'completed', CallDuration: '61', From: callerId, To: '+13125559003', Direction: 'outbound-api' };
    expect((await postWebhook(t, urls.agentStatus(first.id, agent).replace(t.config.publicBaseUrl, ''), legEnded)).status).toBe(204);
    expect(await status()).toBe('busy');
    // Its own call's end frees it.
    const nextEnded = { CallSid: next.call_sid, CallStatus: 'completed', CallDuration: '30', From: callerId, To: next.to_number!, Direction: 'outbound-api' };
    expect((await postWebhook(t, `/api/webhooks/outbound/status?callId=${next.id}`, nextEnded)).status).toBe(204);
    expect(await status()).toBe('available');
    await owner.client.POST('/api/campaigns/{id}/stop', { params: { path: { id: campaignId } } });
  });

  it('AMD results are stored once; the answer webhook waits for it, then drops the voicemail after the beep', async () => {
    const campaignId = await outboundCampaign(1, { amdEnabled: true, voicemailDrop: { text: 'Please call us back.' } });
    const { telephony } = recordingTelephony();
    await runDialerTick({ db: t.db, telephony, urls: outboundUrls(t.config.publicBaseUrl) });
    const call = await t.db.selectFrom('calls').selectAll().where('campaign_id', '=', campaignId).executeTakeFirstOrThrow();
    const params = { CallSid: call.call_sid, CallStatus: 'in-progress', From: callerId, To: call.to_number!, Direction: 'outbound-api' };
    const waiting = await postWebhook(t, `/api/webhooks/outbound/answer?callId=${call.id}`, params);
    expect(waiting.text).toContain('<Pause length="1"/>');
    expect(waiting.text).toContain(`/api/webhooks/outbound/answer?callId=${call.id}&amp;poll=1`);
    for (const answeredBy of ['machine_end_beep', 'human']) {
      expect((await postWebhook(t, `/api/webhooks/outbound/amd?callId=${call.id}`, { CallSid: call.call_sid, AnsweredBy: answeredBy, MachineDetectionDuration: '8120' })).status).toBe(204);
    }
    const dropped = await postWebhook(t, `/api/webhooks/outbound/answer?callId=${call.id}&poll=1`, params);
    expect(dropped.text).toContain('<Say>Please call us back.</Say><Hangup/>');
    const row = await t.db.selectFrom('calls').selectAll().where('id', '=', call.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ answered_by: 'machine_end_beep', status: 'in-progress', agent_id: null });
    await owner.client.POST('/api/campaigns/{id}/stop', { params: { path: { id: campaignId } } });
  });

  it('a campaign turned to preview, or past its schedule end, after a pass listed it is not planned by that pass (its lock checks again)', async () => {
    const campaignId = await outboundCampaign(2);
    expect(await dialableCampaignIds(t.db)).toContain(campaignId);
    const lock = () => t.db.transaction().execute((trx) => lockCampaignForTick(trx, campaignId));
    expect((await lock())?.id).toBe(campaignId);
    // Turned to preview between the list and the lock: its agents dial, not the loop.
    expect((await owner.client.PUT('/api/campaigns/{id}', { params: { path: { id: campaignId } }, body: { dialMode: 'preview' } })).response.status).toBe(200);
    expect(await lock()).toBeUndefined();
    expect((await owner.client.PUT('/api/campaigns/{id}', { params: { path: { id: campaignId } }, body: { dialMode: 'progressive' } })).response.status).toBe(200);
    expect((await lock())?.id).toBe(campaignId);
    // Its schedule over between the list and the lock.
    await t.db.updateTable('campaigns').set({ schedule_end: sql<Date>`now() - interval '1 second'` }).where('id', '=', campaignId).execute();
    expect(await lock()).toBeUndefined();
    expect(await t.db.selectFrom('calls').select('id').where('campaign_id', '=', campaignId).execute()).toEqual([]);
    await owner.client.POST('/api/campaigns/{id}/stop', { params: { path: { id: campaignId } } });
  });
});
