// A person who answers and hangs up while waiting for an agent (no agent free, the 2 s wait not
// over) was answered by a person and never reached an agent: the call is `abandoned` — counted
// in the abandonment rate predictive pacing keeps under its cap — not `answered`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialCounters } from '../../server/dialer/campaigns/counters.js';
import { recentRates } from '../../server/dialer/loop/queries.js';
import { runDialerTick } from '../../server/dialer/loop/tick.js';
import { outboundUrls } from '../../server/dialer/webhooks/urls.js';
import type { PlaceCallInput } from '../../server/telephony/types.js';
import { type Member, registerOrg } from '../helpers/fixtures.js';
import { postWebhook } from '../helpers/twilio-webhook.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { daytimeZone } from './zones.js';

let t: TestApp;
let owner: Member;
let callerId: string;
let sids = 0;

const telephony = {
  kind: 'simulator' as const,
  async placeCall(_input: PlaceCallInput) {
    sids += 1;
    return { callSid: `CA${sids.toString(16).padStart(32, 'a')}` };
  },
};

/** A campaign of one lead, dialled while its agent was available; the agent then goes on a break. */
async function dialledWhileNoAgentIsFree(name: string, extra: Record<string, unknown>) {
  const groupId = (await owner.client.POST('/api/agent-groups', { body: { name } })).data!.id;
  const agent = (await owner.client.POST('/api/agents', { body: { name: `${name} agent`, phone: `+1312555${9200 + sids}`, groupId } })).data!;
  await owner.client.PUT('/api/agents/{id}/status', { params: { path: { id: agent.id } }, body: { status: 'available' } });
  const zone = daytimeZone();
  const campaign = (await owner.client.POST('/api/campaigns', { body: { name, direction: 'outbound', callerId, agentGroupId: groupId, timeZone: zone, ...extra } })).data!;
  expect((await owner.client.POST('/api/leads', { body: { phone: `+1415560${String(7000 + sids)}`, campaignId: campaign.id, timeZone: zone } })).response.status).toBe(201);
  await owner.client.POST('/api/campaigns/{id}/start', { params: { path: { id: campaign.id } } });
  expect((await runDialerTick({ db: t.db, telephony, urls: outboundUrls(t.config.publicBaseUrl) })).placed).toBeGreaterThanOrEqual(1);
  await owner.client.PUT('/api/agents/{id}/status', { params: { path: { id: agent.id } }, body: { status: 'break' } });
  const call = await t.db.selectFrom('calls').selectAll().where('campaign_id', '=', campaign.id).executeTakeFirstOrThrow();
  return { campaignId: campaign.id, call };
}

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Abandon Org');
  const found = await owner.client.GET('/api/phone-numbers/search', { params: { query: { limit: 1 } } });
  callerId = (await owner.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: found.data!.numbers[0]!.phoneNumber } })).data!.phoneNumber;
});
afterAll(async () => t?.close());

describe('a person who hangs up waiting for an agent', () => {
  for (const amd of [false, true]) {
    it(`is an abandoned call, counted in the abandonment rate (AMD ${amd ? 'on, the result human' : 'off'})`, async () => {
      const { campaignId, call } = await dialledWhileNoAgentIsFree(`Nobody free ${amd}`, { amdEnabled: amd, dialMode: 'predictive' });
      const form = { CallSid: call.call_sid, From: callerId, To: call.to_number!, Direction: 'outbound-api' };
      if (amd) expect((await postWebhook(t, `/api/webhooks/outbound/amd?callId=${call.id}`, { ...form, AnsweredBy: 'human' })).status).toBe(204);
      // The person answers: no agent free, so the answer is a pause and another look.
      const waiting = await postWebhook(t, `/api/webhooks/outbound/answer?callId=${call.id}`, { ...form, CallStatus: 'in-progress' });
      expect(waiting.text).toContain('<Pause');
      // …and hangs up during it.
      expect((await postWebhook(t, `/api/webhooks/outbound/status?callId=${call.id}`, { ...form, CallStatus: 'completed', CallDuration: '1' })).status).toBe(204);
      const row = await t.db.selectFrom('calls').select(['disposition', 'agent_id', 'talk_time_sec']).where('id', '=', call.id).executeTakeFirstOrThrow();
      expect(row).toEqual({ disposition: 'abandoned', agent_id: null, talk_time_sec: 0 });
      expect((await dialCounters(t.db, [campaignId])).get(campaignId)).toMatchObject({ callsMade: 1, callsAnswered: 1, callsCompleted: 0, callsAbandoned: 1 });
      expect(await recentRates(t.db, campaignId)).toEqual({ abandon: 1, person: 1 });
    });
  }
});
