// Attribution of calls (issue 5, DESIGN.md 4.4): a call to a pool number belongs to the visitor
// session that held the number when the call came in; it inherits the session's UTM fields and
// click ids; its events (started / answered / completed / conversion) become conversion events of
// the session, once each however often Twilio repeats a callback; pixels get [tag:…] values.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { components } from '../../../client/index.js';
import { createPixelDispatcher, deliverDuePixels } from '../../../server/attribution/pixels/worker.js';
import { createOutboundPolicy } from '../../../server/platform/http/outbound/url-policy.js';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { insertTag, makePool } from '../dni/dni-fixtures.js';
import { startReceiver, type Receiver } from '../pixels/receiver.js';
import { buyerCampaign, callRow, callSid, callStatus, dialStatus, voice } from '../../inbound/webhooks/helpers.js';

type Attribution = components['schemas']['CallAttribution'];

let t: TestApp;
let owner: Member;
let receiver: Receiver;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Attribution Org');
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
  await t.close();
});

async function track(tagCode: string, body: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${t.url}/api/dni/track`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tagCode, ...body }) });
  expect(res.status).toBe(200);
  const answer = (await res.json()) as { phoneNumber: string; source: string };
  expect(answer.source).toBe('pool');
  return answer.phoneNumber;
}

/** A campaign with one buyer (limited: true routes through the general, locked path) and a two-number pool with a tag. */
async function pooledCampaign(options: { limited?: boolean } = {}) {
  const { campaign } = await buyerCampaign(owner.client, [
    { phoneNumber: '+13125550901', payout: 30, minCallDurationSec: 60, ...(options.limited ? { maxConcurrentCalls: 10 } : {}) },
  ]);
  const { rule } = await makePool(t.db, owner.orgId, { numbers: 2, campaignId: campaign.id });
  const { tagCode } = await insertTag(t.db, owner.orgId, { campaignId: campaign.id, poolId: rule.poolId });
  return { campaign, poolId: rule.poolId, tagCode };
}

async function drainPixels(): Promise<void> {
  const policy = createOutboundPolicy(['127.0.0.1']);
  const options = { dispatcher: createPixelDispatcher(policy), policy, retryBaseMs: 0 };
  while ((await deliverDuePixels(t.db, options)) > 0);
}

async function eventsOf(sessionId: string) {
  const { data, response } = await owner.client.GET('/api/conversion-events', { params: { query: { sessionId } } });
  expect(response.status).toBe(200);
  return data!;
}

const SESSION_A = {
  sessionId: 'attr_session_a',
  url: 'https://landing.example.com/?utm_source=google&gclid=G-1&sub1=alpha%20one',
  utmSource: 'google',
  utmMedium: 'cpc',
  utmCampaign: 'summer',
  clickIds: { gclid: 'G-1', clickid: 'rt-A' },
};
const SESSION_B = { sessionId: 'attr_session_b', utmSource: 'facebook', clickIds: { fbclid: 'F-2' } };

describe('attribution of calls to visitor sessions', () => {
  for (const path of ['fast', 'general'] as const) {
    it(`links interleaved calls of two sessions on two pool numbers to the right session (${path} path)`, async () => {
      const { tagCode } = await pooledCampaign({ limited: path === 'general' });
      const suffix = `_${path}`;
      const a = { ...SESSION_A, sessionId: SESSION_A.sessionId + suffix };
      const b = { ...SESSION_B, sessionId: SESSION_B.sessionId + suffix };
      const numberA = await track(tagCode, a);
      const numberB = await track(tagCode, b);
      expect(numberA).not.toBe(numberB);

      // B, A, B, A: each call to the number its session holds.
      const calls = [
        { sid: callSid(), to: numberB, session: b },
        { sid: callSid(), to: numberA, session: a },
        { sid: callSid(), to: numberB, session: b },
        { sid: callSid(), to: numberA, session: a },
      ];
      for (const call of calls) expect((await voice(t, call.sid, call.to)).text).toContain('<Dial');

      const sessionRows = await t.db.selectFrom('visitor_sessions').select(['id', 'session_id']).where('org_id', '=', owner.orgId).where('session_id', 'in', [a.sessionId, b.sessionId]).execute();
      const rowOf = new Map(sessionRows.map((r) => [r.session_id, Number(r.id)]));
      for (const call of calls) {
        const row = await callRow(t, call.sid);
        expect(Number(row.visitor_session_id)).toBe(rowOf.get(call.session.sessionId));
        const { data } = await owner.client.GET('/api/calls/{id}', { params: { path: { id: String(row.id) } } });
        expect(data!.visitorSessionId).toBe(rowOf.get(call.session.sessionId));
        const expected: Attribution =
          call.session === a
            ? { sessionId: a.sessionId, utmSource: 'google', utmMedium: 'cpc', utmCampaign: 'summer', utmTerm: null, utmContent: null, clickIds: { gclid: 'G-1', clickid: 'rt-A' }, landingUrl: a.url, referrer: null, domain: null }
            : { sessionId: b.sessionId, utmSource: 'facebook', utmMedium: null, utmCampaign: null, utmTerm: null, utmContent: null, clickIds: { fbclid: 'F-2' }, landingUrl: null, referrer: null, domain: null };
        expect(data!.attribution).toEqual(expected);
      }
      // Every call started: one call_started event per call, on its own session.
      const aEvents = await eventsOf(a.sessionId);
      const bEvents = await eventsOf(b.sessionId);
      expect(aEvents.map((e) => [e.eventType, e.callId, e.source])).toEqual([calls[1], calls[3]].map((c) => ['call_started', expect.any(Number), 'call']));
      expect(bEvents.map((e) => e.metadata.callSid)).toEqual([calls[0]!.sid, calls[2]!.sid]);
      expect(aEvents[0]!.phoneNumber).toBe('310***1234');
    });
  }

  it('records answered, conversion and completed once each, with the revenue, however often callbacks repeat', async () => {
    const { tagCode } = await pooledCampaign();
    const session = { sessionId: 'attr_session_events', utmSource: 'bing' };
    const number = await track(tagCode, session);
    const sid = callSid();
    for (let i = 0; i < 2; i += 1) expect((await voice(t, sid, number)).status).toBe(200);
    for (let i = 0; i < 2; i += 1) expect((await dialStatus(t, sid, 1, 'completed', 90)).status).toBe(200);
    for (let i = 0; i < 2; i += 1) expect((await callStatus(t, sid, 'completed', 95)).status).toBe(204);
    const events = await eventsOf(session.sessionId);
    expect(events.map((e) => [e.eventType, e.eventValue])).toEqual([
      ['call_started', null],
      ['call_answered', null],
      ['conversion', 30],
      ['call_completed', 30],
    ]);
    const call = await callRow(t, sid);
    expect(new Set(events.map((e) => e.callId))).toEqual(new Set([call.id]));
    expect(events[3]!.metadata).toMatchObject({ callSid: sid, status: 'completed', durationSec: 95 });
  });

  it('gives the call to whoever holds the number at the time: the earlier holder after release, nobody when unheld', async () => {
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550902' }]);
    const { rule, numbers } = await makePool(t.db, owner.orgId, { numbers: 1, campaignId: campaign.id, idleTimeoutSec: 60, whenExhausted: 'recycle_oldest' });
    const { tagCode } = await insertTag(t.db, owner.orgId, { campaignId: campaign.id, poolId: rule.poolId });
    const only = numbers[0]!.phoneNumber;

    // Nobody holds it: the call is recorded without a session, and no conversion event is written.
    const unheld = callSid();
    await voice(t, unheld, only);
    expect((await callRow(t, unheld)).visitor_session_id).toBeNull();

    expect(await track(tagCode, { sessionId: 'attr_first_holder' })).toBe(only);
    const first = callSid();
    await voice(t, first, only);
    // The first holder went quiet for longer than the idle time: the number goes to the next visitor.
    await t.db.updateTable('pool_assignments').set({ last_seen_at: new Date(Date.now() - 120_000) }).where('pool_id', '=', rule.poolId).execute();
    expect(await track(tagCode, { sessionId: 'attr_second_holder' })).toBe(only);
    const second = callSid();
    await voice(t, second, only);

    const sessionIdOf = async (sid: string) => {
      const row = await callRow(t, sid);
      return row.attribution?.sessionId ?? null;
    };
    expect(await sessionIdOf(first)).toBe('attr_first_holder');
    expect(await sessionIdOf(second)).toBe('attr_second_holder');
    const unheldEvents = await t.db.selectFrom('conversion_events').select('id').where('call_id', '=', (await callRow(t, unheld)).id).execute();
    expect(unheldEvents).toEqual([]);
  });

  it('ends the holdings of a number taken out of its pool: later calls to it are nobody\'s', async () => {
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550904' }]);
    const { rule, numbers } = await makePool(t.db, owner.orgId, { numbers: 1, campaignId: campaign.id });
    const { tagCode } = await insertTag(t.db, owner.orgId, { campaignId: campaign.id, poolId: rule.poolId });
    const only = numbers[0]!;
    expect(await track(tagCode, { sessionId: 'attr_left_pool' })).toBe(only.phoneNumber);
    const before = callSid();
    await voice(t, before, only.phoneNumber);
    expect((await callRow(t, before)).attribution?.sessionId).toBe('attr_left_pool');

    const removed = await owner.client.DELETE('/api/number-pools/{id}/numbers/{phoneNumberId}', { params: { path: { id: String(rule.poolId), phoneNumberId: String(only.id) } } });
    expect(removed.response.status).toBe(204);
    const live = await t.db.selectFrom('pool_assignments').select('id').where('phone_number_id', '=', only.id).where('released_at', 'is', null).execute();
    expect(live).toEqual([]);
    const after = callSid();
    expect((await voice(t, after, only.phoneNumber)).status).toBe(200);
    const row = await callRow(t, after);
    expect([row.visitor_session_id, row.attribution]).toEqual([null, null]);
  });

  it('fills [tag:User:…] and [tag:Session:…] pixel macros from the call\'s session, URL-encoded', async () => {
    const { campaign, tagCode } = await pooledCampaign();
    const template =
      `${receiver.url}/pb?click=[tag:User:clickid]&g=[tag:User:gclid]&src=[tag:User:utm_source]&sub=[tag:User:sub1]` +
      `&sid=[tag:Session:sessionId]&camp=[tag:Session:utmCampaign]&none=[tag:User:msclkid]&payout=[Call:ConversionPayout]`;
    const created = await owner.client.POST('/api/tracking-pixels', { body: { name: 'Tags', url: template, fireOn: ['conversion'], campaignId: campaign.id } });
    expect(created.response.status).toBe(201);
    const session = { ...SESSION_A, sessionId: 'attr:session.tags', utmCampaign: 'summer sale/2' };
    const number = await track(tagCode, session);
    const sid = callSid();
    await voice(t, sid, number);
    await dialStatus(t, sid, 1, 'completed', 90);
    await drainPixels();
    const request = receiver.requests.find((r) => r.url.startsWith('/pb?'));
    expect(request?.url).toBe('/pb?click=rt-A&g=G-1&src=google&sub=alpha%20one&sid=attr%3Asession.tags&camp=summer%20sale%2F2&none=&payout=30');
  });

  it('leaves tag macros empty for a call nobody was attributed to', async () => {
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550903', payout: 5 }]);
    const created = await owner.client.POST('/api/tracking-pixels', {
      body: { name: 'Untagged', url: `${receiver.url}/untagged?click=[tag:User:clickid]&sid=[tag:Session:sessionId]`, fireOn: ['call_started'], campaignId: campaign.id },
    });
    expect(created.response.status).toBe(201);
    await voice(t, callSid(), campaign.phoneNumber!);
    await drainPixels();
    expect(receiver.requests.filter((r) => r.url.startsWith('/untagged')).map((r) => r.url)).toEqual(['/untagged?click=&sid=']);
  });
});

describe('attribution stays within the organisation', () => {
  it('does not list another organisation\'s conversion events, nor attribute across organisations', async () => {
    const other = await registerOrg(t, 'Other Attribution Org');
    const { tagCode } = await pooledCampaign();
    const number = await track(tagCode, { sessionId: 'attr_tenant_session' });
    await voice(t, callSid(), number);
    expect(await eventsOf('attr_tenant_session')).toHaveLength(1);
    const { data } = await other.client.GET('/api/conversion-events', { params: { query: { sessionId: 'attr_tenant_session' } } });
    expect(data).toEqual([]);
  });
});
