// RedTrack (seed 000 /api/tracking/redtrack/session|conversion|quality): unauthenticated,
// rate-limited, validated; stored as received, linked to the visitor sessions of the named tag's
// organisation with the report's click id (or session id) and to their calls; a report naming no
// tag is stored and applied to nobody; a report that comes before its session waits for it; an
// identical report posted again is recognised and applied once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receiveReport } from '../../../server/attribution/redtrack/service.js';
import { type Member, addMember, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { insertTag, makePool } from '../dni/dni-fixtures.js';
import { buyerCampaign, callRow, callSid, voice } from '../../inbound/webhooks/helpers.js';

let t: TestApp;
let owner: Member;
let other: Member;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'RedTrack Org');
  other = await registerOrg(t, 'Other RedTrack Org');
});
afterAll(async () => t.close());

interface Receipt {
  success: boolean;
  eventId: number;
  duplicate: boolean;
  linkedSessions: number;
  warnings: string[];
}

/** The organisation's postback secret, made (or rotated) through the API by its owner. */
async function rotateSecret(member: Member): Promise<string> {
  const { data, response } = await member.client.POST('/api/tracking/redtrack/postback-secret');
  expect(response.status).toBe(201);
  return data!.secret;
}
const secrets = new Map<string, string>();

/** The postback secret of the organisation owning `tagCode` (made on first use). */
async function secretOfTag(tagCode: string): Promise<string | undefined> {
  const tag = await t.db.selectFrom('tracking_tags').select('org_id').where('tag_code', '=', tagCode).executeTakeFirst();
  if (!tag) return undefined;
  const member = [owner, other].find((m) => m.orgId === tag.org_id);
  if (!member) return undefined;
  if (!secrets.has(member.orgId)) secrets.set(member.orgId, await rotateSecret(member));
  return secrets.get(member.orgId);
}

/**
 * Posts a report; `tagCode` goes in the query, as in a RedTrack postback URL, with the tag's
 * organisation's postback secret (`secret`: undefined sends that one, null sends none).
 */
async function report(
  kind: 'session' | 'conversion' | 'quality',
  body: unknown,
  tagCode?: string,
  secret?: string | null,
): Promise<{ status: number; receipt: Receipt }> {
  const bodyTag = (body as { tagCode?: unknown }).tagCode;
  const named = tagCode ?? (typeof bodyTag === 'string' ? bodyTag : undefined);
  const sent = secret === null ? undefined : (secret ?? (named === undefined ? undefined : await secretOfTag(named)));
  const params = new URLSearchParams();
  if (tagCode !== undefined) params.set('tagCode', tagCode);
  if (sent !== undefined) params.set('secret', sent);
  const query = params.size === 0 ? '' : `?${params.toString()}`;
  const res = await fetch(`${t.url}/api/tracking/redtrack/${kind}${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, receipt: (await res.json()) as Receipt };
}

async function redtrackEventCount(): Promise<number> {
  const row = await t.db.selectFrom('redtrack_events').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

async function visit(tagCode: string, sessionId: string, clickid?: string): Promise<string | null> {
  const res = await fetch(`${t.url}/api/dni/track`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tagCode, sessionId, ...(clickid ? { clickIds: { clickid } } : {}) }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { phoneNumber: string | null }).phoneNumber;
}

async function eventsOf(member: Member, sessionId: string) {
  const { data, response } = await member.client.GET('/api/conversion-events', { params: { query: { sessionId } } });
  expect(response.status).toBe(200);
  return data!;
}

async function sessionOf(member: Member, sessionId: string) {
  const { data } = await member.client.GET('/api/visitor-sessions', { params: { query: { limit: 100 } } });
  return data!.sessions.find((s) => s.sessionId === sessionId);
}

describe('RedTrack reports on known sessions', () => {
  it('adds a session report to the visitor session (seed 000 body), filling empty UTM fields', async () => {
    const { tagCode } = await insertTag(t.db, owner.orgId, { defaultNumber: '+13125550100' });
    await visit(tagCode, 'rt_known_1', 'rt_click_known_1');
    const { status, receipt } = await report('session', {
      clickid: 'rt_click_known_1',
      campaign_id: 'campaign_123',
      offer_id: 'offer_456',
      source: 'google',
      medium: 'cpc',
      timestamp: '2025-08-04T12:00:00Z',
      url: 'https://landing.example.com',
      referrer: 'https://google.com',
      userAgent: 'Mozilla/5.0...',
    }, tagCode);
    expect(status).toBe(202);
    expect(receipt).toEqual({ success: true, eventId: expect.any(Number), duplicate: false, linkedSessions: 1, warnings: [] });
    const session = await sessionOf(owner, 'rt_known_1');
    expect(session).toMatchObject({
      utmSource: 'google',
      utmMedium: 'cpc',
      landingUrl: 'https://landing.example.com',
      referrer: 'https://google.com',
      redtrackData: { clickid: 'rt_click_known_1', campaign_id: 'campaign_123', offer_id: 'offer_456', source: 'google', medium: 'cpc', timestamp: '2025-08-04T12:00:00Z' },
    });
    // A session report is not a conversion.
    expect(await eventsOf(owner, 'rt_known_1')).toEqual([]);
  });

  it('records a conversion on the session and its latest call; a repeat (any key order) is the same report', async () => {
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550911' }]);
    const { rule } = await makePool(t.db, owner.orgId, { numbers: 1, campaignId: campaign.id });
    const { tagCode } = await insertTag(t.db, owner.orgId, { campaignId: campaign.id, poolId: rule.poolId });
    const number = await visit(tagCode, 'rt_known_2', 'rt_click_known_2');
    const sid = callSid();
    await voice(t, sid, number!);
    const call = await callRow(t, sid);

    const body = { clickid: 'rt_click_known_2', campaign_id: 'campaign_123', offer_id: 'offer_456', eventType: 'phone_click', phoneNumber: '+12125551234', conversionValue: 25, url: 'https://landing.example.com' };
    const first = await report('conversion', body, tagCode);
    expect(first.status).toBe(202);
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const again = await report('conversion', reordered, tagCode);
    expect(again.status).toBe(200);
    expect(again.receipt).toEqual({ success: true, eventId: first.receipt.eventId, duplicate: true, linkedSessions: 1, warnings: [] });
    // The tag in the body instead of the query: the same report.
    const inBody = await report('conversion', { ...body, tagCode });
    expect([inBody.status, inBody.receipt.eventId]).toEqual([200, first.receipt.eventId]);

    const events = (await eventsOf(owner, 'rt_known_2')).filter((e) => e.source === 'redtrack');
    expect(events).toEqual([
      {
        id: expect.any(Number),
        sessionId: 'rt_known_2',
        callId: call.id,
        eventType: 'phone_click',
        eventValue: 25,
        phoneNumber: '212***1234',
        metadata: { clickid: 'rt_click_known_2', campaign_id: 'campaign_123', offer_id: 'offer_456', url: 'https://landing.example.com', redtrack_attribution: true, redtrackEventId: first.receipt.eventId },
        source: 'redtrack',
        createdAt: expect.any(String),
      },
    ]);
  });

  it('records one conversion per report when several sessions share its click id: on the session with the call', async () => {
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550912' }]);
    const { rule } = await makePool(t.db, owner.orgId, { numbers: 1, campaignId: campaign.id });
    const { tagCode } = await insertTag(t.db, owner.orgId, { campaignId: campaign.id, poolId: rule.poolId });
    // The visitor came back twice (three sessions, one click id); the call was made in the first.
    const number = await visit(tagCode, 'rt_multi_1', 'rt_click_multi');
    const sid = callSid();
    await voice(t, sid, number!);
    const call = await callRow(t, sid);
    await visit(tagCode, 'rt_multi_2', 'rt_click_multi');
    await visit(tagCode, 'rt_multi_3', 'rt_click_multi');

    const sale = await report('conversion', { clickid: 'rt_click_multi', eventType: 'sale', conversionValue: 40 }, tagCode);
    expect(sale.status).toBe(202);
    expect(sale.receipt.linkedSessions).toBe(3);
    const recorded = [];
    for (const sessionId of ['rt_multi_1', 'rt_multi_2', 'rt_multi_3']) {
      recorded.push(...(await eventsOf(owner, sessionId)).filter((e) => e.source === 'redtrack').map((e) => [e.sessionId, e.callId, e.eventValue]));
      // Every session still carries RedTrack's fields.
      expect((await sessionOf(owner, sessionId))?.redtrackData).toMatchObject({ clickid: 'rt_click_multi' });
    }
    expect(recorded).toEqual([['rt_multi_1', call.id, 40]]);

    // Without a call: the most recent session gets it, once.
    await visit(tagCode, 'rt_multi_nocall_1', 'rt_click_multi_nocall');
    await visit(tagCode, 'rt_multi_nocall_2', 'rt_click_multi_nocall');
    await t.db.updateTable('visitor_sessions').set({ last_seen_at: new Date(Date.now() + 60_000) }).where('session_id', '=', 'rt_multi_nocall_2').execute();
    await report('conversion', { clickid: 'rt_click_multi_nocall', eventType: 'lead', conversionValue: 7 }, tagCode);
    expect((await eventsOf(owner, 'rt_multi_nocall_1')).filter((e) => e.source === 'redtrack')).toEqual([]);
    expect((await eventsOf(owner, 'rt_multi_nocall_2')).filter((e) => e.source === 'redtrack').map((e) => e.eventValue)).toEqual([7]);
  });

  it('records call quality by session id, on the call it names when that call is the session\'s', async () => {
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550912' }]);
    const { rule } = await makePool(t.db, owner.orgId, { numbers: 1, campaignId: campaign.id });
    const { tagCode } = await insertTag(t.db, owner.orgId, { campaignId: campaign.id, poolId: rule.poolId });
    const number = await visit(tagCode, 'rt_quality_session');
    const firstSid = callSid();
    const secondSid = callSid();
    await voice(t, firstSid, number!);
    await voice(t, secondSid, number!);
    const first = await callRow(t, firstSid);

    const named = await report('quality', { sessionId: 'rt_quality_session', callSid: firstSid, conversionType: 'ConvertedCall', duration: 180, answered: true, converted: true, revenue: 50 }, tagCode);
    expect(named.status).toBe(202);
    // A callSid that is not the session's call: the session's latest call instead.
    const foreignSid = callSid();
    const unnamed = await report('quality', { sessionId: 'rt_quality_session', callSid: foreignSid, conversionType: 'Rejected', answered: false }, tagCode);
    expect(unnamed.status).toBe(202);
    const quality = (await eventsOf(owner, 'rt_quality_session')).filter((e) => e.eventType === 'call_quality');
    expect(quality.map((e) => [e.callId, e.eventValue, e.metadata.conversionType, e.metadata.answered])).toEqual([
      [first.id, 50, 'ConvertedCall', true],
      [(await callRow(t, secondSid)).id, null, 'Rejected', false],
    ]);
    expect(quality[0]!.metadata).toMatchObject({ duration: 180, converted: true, callSid: firstSid, redtrack_attribution: true });
  });
});

describe('RedTrack reports and organisations', () => {
  it('applies a report to the sessions of the named tag\'s organisation only', async () => {
    const mine = await insertTag(t.db, owner.orgId, { defaultNumber: '+13125550100' });
    const theirs = await insertTag(t.db, other.orgId, { defaultNumber: '+13125550100' });
    await visit(mine.tagCode, 'rt_shared_mine', 'rt_click_shared');
    await visit(theirs.tagCode, 'rt_shared_theirs', 'rt_click_shared');

    const scoped = await report('conversion', { clickid: 'rt_click_shared', eventType: 'lead', conversionValue: 5 }, mine.tagCode);
    expect(scoped.receipt.linkedSessions).toBe(1);
    expect((await eventsOf(owner, 'rt_shared_mine')).map((e) => e.eventType)).toEqual(['lead']);
    expect(await eventsOf(other, 'rt_shared_theirs')).toEqual([]);
    // Another organisation never sees this one's events, even by session id.
    expect(await eventsOf(other, 'rt_shared_mine')).toEqual([]);
    // A session id of another organisation's visitor, posted with this tag, reaches nobody.
    const foreign = await report('conversion', { clickid: 'rt_click_elsewhere', sessionId: 'rt_shared_theirs', eventType: 'sale' }, mine.tagCode);
    expect(foreign.status).toBe(202);
    expect(foreign.receipt.linkedSessions).toBe(0);
    expect(await eventsOf(other, 'rt_shared_theirs')).toEqual([]);
  });

  it('stores a report that names no tag, applies it to no session (now or later), and says so', async () => {
    const mine = await insertTag(t.db, owner.orgId, { defaultNumber: '+13125550100' });
    await visit(mine.tagCode, 'rt_untagged_before', 'rt_click_untagged');
    const untagged = await report('conversion', { clickid: 'rt_click_untagged', eventType: 'sale', conversionValue: 9 });
    expect(untagged.status).toBe(202);
    expect(untagged.receipt).toEqual({ success: true, eventId: expect.any(Number), duplicate: false, linkedSessions: 0, warnings: [expect.stringContaining('tagCode')] });
    await visit(mine.tagCode, 'rt_untagged_after', 'rt_click_untagged');
    expect(await eventsOf(owner, 'rt_untagged_before')).toEqual([]);
    expect(await eventsOf(owner, 'rt_untagged_after')).toEqual([]);
    const stored = await t.db.selectFrom('redtrack_events').select(['org_id', 'linked_sessions']).where('id', '=', String(untagged.receipt.eventId)).executeTakeFirstOrThrow();
    expect(stored).toEqual({ org_id: null, linked_sessions: 0 });
  });

  it('refuses a tag in the query that differs from the body\'s (400) and an unknown tag (404), storing nothing', async () => {
    const mine = await insertTag(t.db, owner.orgId, { defaultNumber: '+13125550100' });
    const theirs = await insertTag(t.db, other.orgId, { defaultNumber: '+13125550100' });
    const before = await redtrackEventCount();
    const disagree = await report('conversion', { clickid: 'rt_click_disagree', tagCode: theirs.tagCode }, mine.tagCode);
    expect(disagree.status).toBe(400);
    expect(disagree.receipt).toMatchObject({ code: 'VALIDATION_ERROR', details: { tagCode: expect.any(String) } });
    const unknown = await report('session', { clickid: 'rt_click_unknown_tag' }, 'no_such_tag_here');
    expect(unknown.status).toBe(404);
    expect(await redtrackEventCount()).toBe(before);
  });
});

describe('RedTrack reports before their session', () => {
  it('keeps a report until a session with its click id appears, then applies it once, even to simultaneous visits', async () => {
    const { tagCode } = await insertTag(t.db, owner.orgId, { defaultNumber: '+13125550100' });
    const early = await report('conversion', { clickid: 'rt_click_early', eventType: 'phone_click', conversionValue: 12.5 }, tagCode);
    expect(early.status).toBe(202);
    expect(early.receipt.linkedSessions).toBe(0);
    const earlySession = await report('session', { clickid: 'rt_click_early', campaign_id: 'campaign_early', source: 'taboola' }, tagCode);
    expect(earlySession.receipt.linkedSessions).toBe(0);

    await Promise.all(Array.from({ length: 5 }, () => visit(tagCode, 'rt_early_session', 'rt_click_early')));
    const events = await eventsOf(owner, 'rt_early_session');
    expect(events.map((e) => [e.eventType, e.eventValue, e.metadata.redtrackEventId])).toEqual([['phone_click', 12.5, early.receipt.eventId]]);
    expect(await sessionOf(owner, 'rt_early_session')).toMatchObject({ utmSource: 'taboola', redtrackData: { clickid: 'rt_click_early', campaign_id: 'campaign_early', source: 'taboola' } });
    const stored = await t.db.selectFrom('redtrack_events').select(['id', 'linked_sessions']).where('clickid', '=', 'rt_click_early').orderBy('id').execute();
    expect(stored.map((r) => r.linked_sessions)).toEqual([1, 1]);

    // Once linked, a later session with the same click id does not get it again.
    await visit(tagCode, 'rt_early_session_2', 'rt_click_early');
    expect(await eventsOf(owner, 'rt_early_session_2')).toEqual([]);
  });

  it('does not hand a report posted for one organisation (tagCode) to another organisation\'s session', async () => {
    const mine = await insertTag(t.db, owner.orgId, { defaultNumber: '+13125550100' });
    const theirs = await insertTag(t.db, other.orgId, { defaultNumber: '+13125550100' });
    const posted = await report('conversion', { clickid: 'rt_click_scoped_wait', tagCode: mine.tagCode, eventType: 'lead' });
    expect(posted.receipt.warnings).toEqual([]);
    expect(posted.receipt.linkedSessions).toBe(0);
    await visit(theirs.tagCode, 'rt_scoped_wait_theirs', 'rt_click_scoped_wait');
    expect(await eventsOf(other, 'rt_scoped_wait_theirs')).toEqual([]);
    await visit(mine.tagCode, 'rt_scoped_wait_mine', 'rt_click_scoped_wait');
    expect((await eventsOf(owner, 'rt_scoped_wait_mine')).map((e) => e.eventType)).toEqual(['lead']);
  });
});

describe('RedTrack reports and sessions arriving together', () => {
  it('never lets a report and its session miss each other: each session gets its report exactly once', async () => {
    const { tagCode } = await insertTag(t.db, owner.orgId, { defaultNumber: '+13125550100' });
    const pairs = Array.from({ length: 12 }, (_, i) => ({ sessionId: `rt_race_${i}`, clickid: `rt_click_race_${i}` }));
    await Promise.all(
      pairs.flatMap(({ sessionId, clickid }) => [
        report('conversion', { clickid, eventType: 'lead', conversionValue: 1 }, tagCode).then((r) => expect(r.status).toBe(202)),
        visit(tagCode, sessionId, clickid),
      ]),
    );
    for (const { sessionId } of pairs) {
      expect({ sessionId, events: (await eventsOf(owner, sessionId)).map((e) => e.eventType) }).toEqual({ sessionId, events: ['lead'] });
    }
  });
});

describe('RedTrack: a session appearing while its report is being stored', () => {
  // On PostgreSQL the visit runs while the report's transaction is open: its session commits, then
  // its claim waits for the (organisation, click id) lock and sees the report once it commits —
  // without the lock it would claim nothing and the report would wait for a session that exists.
  // On PGlite (one connection) the visit waits for the transaction as a whole.
  it('applies the report to that session once the report commits', async () => {
    const { tagCode } = await insertTag(t.db, owner.orgId, { defaultNumber: '+13125550100' });
    let visiting: Promise<string | null> | undefined;
    await t.db.transaction().execute(async (trx) => {
      const receipt = await receiveReport(trx, 'conversion', { clickid: 'rt_click_interleaved', eventType: 'lead', tagCode }, owner.orgId);
      expect(receipt.linkedSessions).toBe(0);
      visiting = visit(tagCode, 'rt_interleaved', 'rt_click_interleaved');
      await new Promise((resolve) => setTimeout(resolve, 300));
    });
    await visiting;
    expect((await eventsOf(owner, 'rt_interleaved')).map((e) => e.eventType)).toEqual(['lead']);
  });
});

describe('RedTrack rate limit', () => {
  it('counts reports per IP in the dni bucket and answers 429 over it, storing nothing more', async () => {
    const limited = await startTestApp({ env: { RATE_LIMITS: 'dni=2' } });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i += 1) {
        const res = await fetch(`${limited.url}/api/tracking/redtrack/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ clickid: `rt_limit_${i}` }),
        });
        statuses.push(res.status);
        if (res.status === 429) expect(((await res.json()) as { code: string }).code).toBe('RATE_LIMIT_EXCEEDED');
      }
      expect(statuses).toEqual([202, 202, 429]);
      const stored = await limited.db.selectFrom('redtrack_events').select('clickid').orderBy('id').execute();
      expect(stored.map((r) => r.clickid)).toEqual(['rt_limit_0', 'rt_limit_1']);
    } finally {
      await limited.close();
    }
  });
});

describe('forged conversions: the organisation\'s postback secret', () => {
  it('stores a conversion without the right secret as unverified: applied to no session, no conversion event, no revenue', async () => {
    const { tagCode } = await insertTag(t.db, owner.orgId, { defaultNumber: '+13125550181' });
    await visit(tagCode, 'rt_forged_session', 'rt_click_forged');
    const forged = { clickid: 'rt_click_forged', eventType: 'sale', conversionValue: 999999 };
    const secret = await secretOfTag(tagCode);

    for (const attempt of [null, 'not-the-secret', `${secret}x`]) {
      const posted = await report('conversion', forged, tagCode, attempt);
      // The first is stored (202), the identical ones after it are recognised (200).
      expect(posted.status).toBe(attempt === null ? 202 : 200);
      expect(posted.receipt).toMatchObject({ success: true, linkedSessions: 0 });
      expect(posted.receipt.warnings.join(' ')).toMatch(/unverified/i);
      const quality = await report('quality', { clickid: 'rt_click_forged', conversionType: 'ConvertedCall', revenue: 999999 }, tagCode, attempt);
      expect(quality.receipt.linkedSessions).toBe(0);
    }
    expect(await eventsOf(owner, 'rt_forged_session')).toEqual([]);

    // The same report with the secret is applied (a forged copy posted first does not block it).
    const real = await report('conversion', forged, tagCode);
    expect(real.status).toBe(202);
    expect(real.receipt).toMatchObject({ duplicate: false, linkedSessions: 1, warnings: [] });
    expect((await eventsOf(owner, 'rt_forged_session')).map((e) => e.eventValue)).toEqual([999999]);
  });

  it('another organisation\'s secret does not verify a conversion for this tag', async () => {
    const { tagCode } = await insertTag(t.db, owner.orgId, { defaultNumber: '+13125550182' });
    await visit(tagCode, 'rt_cross_secret', 'rt_click_cross_secret');
    const theirs = await rotateSecret(other);
    secrets.set(other.orgId, theirs);
    const posted = await report('conversion', { clickid: 'rt_click_cross_secret', eventType: 'sale', conversionValue: 5 }, tagCode, theirs);
    expect(posted.receipt.linkedSessions).toBe(0);
    expect(await eventsOf(owner, 'rt_cross_secret')).toEqual([]);
  });

  it('rotating the secret (admins only) retires the old one', async () => {
    const { tagCode } = await insertTag(t.db, owner.orgId, { defaultNumber: '+13125550183' });
    await visit(tagCode, 'rt_rotated', 'rt_click_rotated');
    const old = await secretOfTag(tagCode);
    const fresh = await rotateSecret(owner);
    secrets.set(owner.orgId, fresh);
    expect(fresh).not.toBe(old);
    expect((await report('conversion', { clickid: 'rt_click_rotated', eventType: 'lead', conversionValue: 1 }, tagCode, old)).receipt.linkedSessions).toBe(0);
    expect((await report('conversion', { clickid: 'rt_click_rotated', eventType: 'lead', conversionValue: 2 }, tagCode, fresh)).receipt.linkedSessions).toBe(1);
    const manager = await addMember(t, owner, 'manager');
    const refused = await manager.client.POST('/api/tracking/redtrack/postback-secret');
    expect(refused.response.status).toBe(403);
  });
});
