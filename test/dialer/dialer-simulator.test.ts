// The outbound dialer end to end on the simulator (issue 18 items 2–4): the server's own dial loop
// (DIALER_INTERVAL_MS) claims due leads, checks do-not-call and calling hours at dial time, places
// calls through the telephony port; the simulated carrier plays Twilio's part through our signed
// outbound webhooks (status, answer, AMD, agent legs), 200 times faster than real time. Checked:
// each outcome's disposition and the lead's next state by the retry policy, the voicemail drop,
// agents bridged and freed, the campaign's lines never exceeded, the counters, pause honoured.
import { DateTime } from 'luxon';
import { daytimeZone, nightZone } from './zones.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, type Member, registerOrg } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';

let t: TestApp;
let owner: Member;
let callerId: string;
let groupId: string;
const agentIds: string[] = [];

beforeAll(async () => {
  t = await startTestApp({ env: { DIALER_INTERVAL_MS: '100', SIMULATOR_SPEEDUP: '200' } });
  owner = await registerOrg(t, 'Dialer Sim Org');
  const found = await owner.client.GET('/api/phone-numbers/search', { params: { query: { limit: 1 } } });
  callerId = (await owner.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: found.data!.numbers[0]!.phoneNumber } })).data!.phoneNumber;
  groupId = (await owner.client.POST('/api/agent-groups', { body: { name: 'Closers' } })).data!.id;
  for (const [i, phone] of ['+13125550280', '+13125550281'].entries()) {
    const agent = (await owner.client.POST('/api/agents', { body: { name: `Agent ${i + 1}`, phone, groupId } })).data!;
    await owner.client.PUT('/api/agents/{id}/status', { params: { path: { id: agent.id } }, body: { status: 'available' } });
    agentIds.push(agent.id);
  }
});
afterAll(async () => t?.close());

describe('the dialer on the simulator', () => {
  it('dials due leads within their hours, never DNC, and settles every outcome by the retry policy', async () => {
    const day = daytimeZone();
    const campaign = (
      await owner.client.POST('/api/campaigns', {
        body: {
          name: 'Sim outreach',
          direction: 'outbound',
          callerId,
          agentGroupId: groupId,
          timeZone: day,
          callingHoursStart: '08:00',
          callingHoursEnd: '21:00',
          amdEnabled: true,
          voicemailDrop: { text: 'Hello from Acme, please call us back.' },
          retryPolicy: { maxAttempts: 3, delayMinutes: 60, retryOnNoAnswer: true, retryOnBusy: true, retryOnVoicemail: false },
        },
      })
    ).data!;
    const leads: Record<string, string> = {};
    const add = async (key: string, phone: string, extra: Record<string, unknown> = {}) => {
      const created = await owner.client.POST('/api/leads', { body: { phone, campaignId: campaign.id, name: `Lead ${key}`, timeZone: day, ...extra } });
      expect(created.response.status).toBe(201);
      leads[key] = created.data!.id;
    };
    await add('busy', '+14155550001');
    await add('noAnswer', '+14155550002');
    await add('machine', '+14155550004');
    await add('person1', '+14155550101');
    await add('person2', '+14155550102');
    await add('night', '+14155550103', { timeZone: nightZone() });
    await add('dnc', '+14155550104');
    await owner.client.POST('/api/dnc-numbers', { body: { phoneNumber: '+14155550104' } });

    // Sample the lines in use (calls placed and not yet with an agent) while the campaign runs:
    // never more than one per agent (progressive, 1 line per agent).
    let maxOpen = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const open = await t.db.selectFrom('calls').select((eb) => eb.fn.countAll<string>().as('n')).where('campaign_id', '=', campaign.id).where('status_rank', '<', 4).where('agent_id', 'is', null).executeTakeFirstOrThrow();
        maxOpen = Math.max(maxOpen, Number(open.n));
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    expect((await owner.client.POST('/api/campaigns/{id}/start', { params: { path: { id: campaign.id } } })).response.status).toBe(200);

    const leadRows = () => t.db.selectFrom('leads').selectAll().where('campaign_id', '=', campaign.id).execute();
    // Settled: done (completed, failed, dnc) or due again later (pending / queued with a future time).
    const isSettled = (r: Awaited<ReturnType<typeof leadRows>>[number]) =>
      ['completed', 'failed', 'dnc'].includes(r.dial_status) || (r.next_call_at !== null && r.next_call_at.getTime() > Date.now() && r.dial_status !== 'calling');
    let settled: Awaited<ReturnType<typeof leadRows>>;
    try {
      settled = await waitFor('every lead to settle', leadRows, (rows) => rows.every(isSettled));
      // …and every agent free again (the agents' legs end after the people hang up).
      await waitFor('agents free', () => t.db.selectFrom('agents').select('status').where('id', 'in', agentIds).execute(), (rows) => rows.every((r) => r.status === 'available'));
    } finally {
      sampling = false;
      await sampler;
    }

    const byKey = Object.fromEntries(Object.entries(leads).map(([k, id]) => [k, settled.find((r) => r.id === id)!]));
    const calls = await t.db.selectFrom('calls').selectAll().where('campaign_id', '=', campaign.id).execute();
    const callOf = (key: string) => calls.filter((c) => c.lead_id === leads[key]);

    expect(maxOpen).toBeGreaterThan(0);
    expect(maxOpen).toBeLessThanOrEqual(agentIds.length);
    // Never dialled: the DNC lead (marked at dial time) and the lead whose local time is night (due at 08:00 its time).
    expect(callOf('dnc')).toHaveLength(0);
    expect(byKey.dnc!.dial_status).toBe('dnc');
    expect(callOf('night')).toHaveLength(0);
    expect(byKey.night!.dial_status).toBe('pending');
    const nightNext = DateTime.fromJSDate(byKey.night!.next_call_at!).setZone(byKey.night!.time_zone!);
    expect(nightNext.hour).toBe(8);
    expect(nightNext.minute).toBe(0);
    // Busy and unanswered: retried in an hour (the policy), attempt 1 counted.
    for (const key of ['busy', 'noAnswer']) {
      expect(callOf(key)).toHaveLength(1);
      expect(byKey[key]!.dial_status).toBe('queued');
      expect(byKey[key]!.call_attempts).toBe(1);
      const wait = byKey[key]!.next_call_at!.getTime() - Date.now();
      expect(wait).toBeGreaterThan(55 * 60_000);
      expect(wait).toBeLessThan(61 * 60_000);
    }
    expect(callOf('busy')[0]).toMatchObject({ status: 'busy', disposition: 'busy', direction: 'outbound', from_number: callerId });
    expect(callOf('noAnswer')[0]).toMatchObject({ status: 'no-answer', disposition: 'no_answer' });
    // The machine: detected after its beep, the voicemail dropped, not retried (retryOnVoicemail false).
    expect(callOf('machine')[0]).toMatchObject({ status: 'completed', answered_by: 'machine_end_beep', disposition: 'voicemail', agent_id: null });
    expect(byKey.machine!.dial_status).toBe('completed');
    // People: bridged to an agent (or, if both were busy, abandoned after 2 s) — a person reached is never redialled.
    for (const key of ['person1', 'person2']) {
      const [call] = callOf(key);
      expect(call).toMatchObject({ status: 'completed', answered_by: 'human' });
      expect(['answered', 'abandoned']).toContain(call!.disposition);
      if (call!.disposition === 'answered') {
        expect(agentIds).toContain(call!.agent_id);
        expect(call!.conference_name).toBe(`cc-outbound-${call!.id}`);
        expect(call!.talk_time_sec).toBeGreaterThan(0);
      }
      expect(byKey[key]!.dial_status).toBe('completed');
    }
    // Real CallSids stored (no placeholder left); the counters agree with the calls.
    expect(calls.every((c) => /^CA[0-9a-f]{32}$/.test(c.call_sid))).toBe(true);
    const answered = calls.filter((c) => c.disposition === 'answered').length;
    const abandoned = calls.filter((c) => c.disposition === 'abandoned').length;
    const read = (await owner.client.GET('/api/campaigns/{id}', { params: { path: { id: campaign.id } } })).data!;
    expect(read.dialerStats).toEqual({
      totalLeads: 7,
      callsMade: 5,
      callsAnswered: answered + abandoned,
      callsCompleted: answered,
      callsAbandoned: abandoned,
      abandonRate: answered + abandoned === 0 ? null : abandoned / (answered + abandoned),
    });
    expect(answered).toBeGreaterThanOrEqual(1);
    // The agents' figures come from the calls they took.
    let agentCalls = 0;
    let agentTalk = 0;
    for (const id of agentIds) {
      const stats = (await owner.client.GET('/api/agents/{id}/stats', { params: { path: { id } } })).data!.stats;
      expect(stats.currentCalls).toBe(0);
      agentCalls += stats.answeredCalls;
      agentTalk += stats.totalTalkTime;
    }
    expect(agentCalls).toBe(answered);
    expect(agentTalk).toBe(calls.reduce((sum, c) => sum + (c.disposition === 'answered' ? (c.talk_time_sec ?? 0) : 0), 0));
  });

  it('a paused campaign places no new call', async () => {
    const day = daytimeZone();
    const campaign = (
      await owner.client.POST('/api/campaigns', { body: { name: 'Paused outreach', direction: 'outbound', callerId, agentGroupId: groupId, timeZone: day } })
    ).data!;
    for (const phone of ['+14155550111', '+14155550112', '+14155550113']) {
      await owner.client.POST('/api/leads', { body: { phone, campaignId: campaign.id, timeZone: day } });
    }
    // Never started: nothing dialled over several ticks.
    await new Promise((r) => setTimeout(r, 500));
    const count = async () => Number((await t.db.selectFrom('calls').select((eb) => eb.fn.countAll<string>().as('n')).where('campaign_id', '=', campaign.id).executeTakeFirstOrThrow()).n);
    expect(await count()).toBe(0);
    await owner.client.POST('/api/campaigns/{id}/start', { params: { path: { id: campaign.id } } });
    await waitFor('a first call', count, (n) => n > 0);
    await owner.client.POST('/api/campaigns/{id}/pause', { params: { path: { id: campaign.id } } });
    // A tick that began before the pause may still place its calls: wait one tick, then nothing more.
    await new Promise((r) => setTimeout(r, 250));
    const afterPause = await count();
    await new Promise((r) => setTimeout(r, 600));
    expect(await count()).toBe(afterPause);
  });
});
