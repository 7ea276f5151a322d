// POST /api/dni/track, POST /api/dni/ultra-fast, GET /api/visitor-sessions and
// GET /api/conversion-events through the real server.
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { formatNational } from '../../../server/attribution/dni/service.js';
import { createCampaign, type Member, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { insertTag, liveHoldings, makePool, type TagValues } from './dni-fixtures.js';

let t: TestApp;
let owner: Member;
let other: Member;

const TRACKING_ID = /^dni_\d+_\d+_[0-9a-f]{8}$/;

function makeTag(orgId: string, values: TagValues = {}) {
  return insertTag(t.db, orgId, values);
}

/** A DNI answer or an error body, as the tests read them. */
interface Answer {
  phoneNumber: string | null;
  formattedNumber: string | null;
  sessionId: string;
  trackingId: string;
  code?: string;
  details: Record<string, string>;
}

async function post(path: string, body: unknown): Promise<{ status: number; json(): Promise<Answer> }> {
  const res = await fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: async () => (await res.json()) as Answer };
}

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'DNI API Org');
  other = await registerOrg(t, 'Other DNI Org');
});
afterAll(async () => t.close());
afterEach(() => {
  vi.useRealTimers();
});

describe('POST /api/dni/track', () => {
  it('answers the seed 001 body with a pool number, in the exact shape', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Summer Campaign' });
    const { rule, numbers } = await makePool(t.db, owner.orgId, { numbers: 2 });
    const { tagCode } = await makeTag(owner.orgId, { campaignId: campaign.id, poolId: rule.poolId });
    const body = { tagCode, sessionId: 'session_123', domain: 'example.com', referrer: 'https://google.com', userAgent: 'Mozilla/5.0', utmSource: 'google', utmMedium: 'cpc', utmCampaign: 'summer_sale' };
    const res = await post('/api/dni/track', body);
    expect(res.status).toBe(200);
    const answer = await res.json();
    expect(answer).toEqual({
      success: true,
      phoneNumber: numbers[0]!.phoneNumber,
      formattedNumber: formatNational(numbers[0]!.phoneNumber),
      campaignId: campaign.id,
      campaignName: 'Summer Campaign',
      trackingId: expect.stringMatching(TRACKING_ID),
      sessionId: 'session_123',
      source: 'pool',
    });
    expect(answer.formattedNumber).toMatch(/^\(212\) \d{3}-\d{4}$/);
    // The same session again keeps its number; another session gets the other one.
    expect((await (await post('/api/dni/track', body)).json()).phoneNumber).toBe(numbers[0]!.phoneNumber);
    expect((await (await post('/api/dni/track', { ...body, sessionId: 'session_456' })).json()).phoneNumber).toBe(numbers[1]!.phoneNumber);
    const session = await t.db.selectFrom('visitor_sessions').selectAll().where('org_id', '=', owner.orgId).where('session_id', '=', 'session_123').executeTakeFirstOrThrow();
    expect(session).toMatchObject({ domain: 'example.com', referrer: 'https://google.com', utm_source: 'google', utm_campaign: 'summer_sale', user_agent: 'Mozilla/5.0' });
  });

  it('makes a session id when the page has none, merges click ids, and falls back to default and campaign numbers', async () => {
    const campaign = await createCampaign(owner.client, { name: 'No Pool', phoneNumber: '+13125550199' });
    const withDefault = await makeTag(owner.orgId, { campaignId: campaign.id, defaultNumber: '+13125550100' });
    const a = await (await post('/api/dni/track', { tagCode: withDefault.tagCode, clickIds: { gclid: 'g1' } })).json();
    expect(a).toMatchObject({ phoneNumber: '+13125550100', formattedNumber: '(312) 555-0100', source: 'default', campaignName: 'No Pool' });
    expect(a.sessionId).toMatch(/^s_[0-9a-f]{24}$/);
    await post('/api/dni/track', { tagCode: withDefault.tagCode, sessionId: a.sessionId, clickIds: { clickid: 'rt1' } });
    const row = await t.db.selectFrom('visitor_sessions').select(['click_ids', 'redtrack_data']).where('session_id', '=', a.sessionId).executeTakeFirstOrThrow();
    expect(row).toEqual({ click_ids: { gclid: 'g1', clickid: 'rt1' }, redtrack_data: { clickid: 'rt1' } });
    const campaignOnly = await makeTag(owner.orgId, { campaignId: campaign.id });
    expect(await (await post('/api/dni/track', { tagCode: campaignOnly.tagCode })).json()).toMatchObject({ phoneNumber: '+13125550199', source: 'campaign' });
    const nothing = await makeTag(owner.orgId);
    expect(await (await post('/api/dni/track', { tagCode: nothing.tagCode })).json()).toMatchObject({ phoneNumber: null, formattedNumber: null, campaignId: null, campaignName: null, source: 'campaign' });
  });

  it('keeps at most 10 click ids per session: repeats naming new ones never grow it without end', async () => {
    const { tagCode } = await makeTag(owner.orgId, { defaultNumber: '+13125550100' });
    const ids = (round: number) => Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`id${round}_${i}`, 'v'.repeat(512)]));
    await post('/api/dni/track', { tagCode, sessionId: 'many_ids', clickIds: { clickid: 'rt_many', gclid: 'g' } });
    for (let round = 0; round < 5; round++) expect((await post('/api/dni/track', { tagCode, sessionId: 'many_ids', clickIds: ids(round) })).status).toBe(200);
    const row = await t.db.selectFrom('visitor_sessions').select('click_ids').where('org_id', '=', owner.orgId).where('session_id', '=', 'many_ids').executeTakeFirstOrThrow();
    // The latest request's click ids win when a merge would pass 10.
    expect(row.click_ids).toEqual(ids(4));
    // Within the limit they are merged, new values winning.
    await post('/api/dni/track', { tagCode, sessionId: 'few_ids', clickIds: { gclid: 'g1', fbclid: 'f1' } });
    await post('/api/dni/track', { tagCode, sessionId: 'few_ids', clickIds: { gclid: 'g2', clickid: 'rt' } });
    const few = await t.db.selectFrom('visitor_sessions').select('click_ids').where('org_id', '=', owner.orgId).where('session_id', '=', 'few_ids').executeTakeFirstOrThrow();
    expect(few.click_ids).toEqual({ gclid: 'g2', fbclid: 'f1', clickid: 'rt' });
  });

  it('gives the default number when the pool is exhausted (default_number)', async () => {
    const { rule, numbers } = await makePool(t.db, owner.orgId, { numbers: 1, whenExhausted: 'default_number' });
    const { tagCode } = await makeTag(owner.orgId, { poolId: rule.poolId, defaultNumber: '+13125550111' });
    expect(await (await post('/api/dni/track', { tagCode, sessionId: 'ex_1' })).json()).toMatchObject({ phoneNumber: numbers[0]!.phoneNumber, source: 'pool' });
    expect(await (await post('/api/dni/track', { tagCode, sessionId: 'ex_2' })).json()).toMatchObject({ phoneNumber: '+13125550111', source: 'default' });
  });

  it('answers 404 for an unknown or inactive tag', async () => {
    const unknown = await post('/api/dni/track', { tagCode: 'no_such_tag_here' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'RESOURCE_NOT_FOUND' });
    const inactive = await makeTag(owner.orgId, { defaultNumber: '+13125550100', isActive: false });
    expect((await post('/api/dni/track', { tagCode: inactive.tagCode })).status).toBe(404);
  });

  it('answers 400 naming the field for bad bodies', async () => {
    const cases: Array<[unknown, string]> = [
      [{}, 'tagCode'],
      [{ tagCode: 'valid_tag', sessionId: 'has spaces' }, 'sessionId'],
      [{ tagCode: 'valid_tag', utmSource: 'x'.repeat(256) }, 'utmSource'],
      [{ tagCode: 'valid_tag', clickIds: { gclid: 5 } }, 'clickIds.gclid'],
    ];
    for (const [body, field] of cases) {
      const res = await post('/api/dni/track', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const error = await res.json();
      expect(error.code).toBe('VALIDATION_ERROR');
      expect(Object.keys(error.details).join(' '), JSON.stringify(body)).toContain(field);
    }
    const uf = await post('/api/dni/ultra-fast', { sessionId: 'x' });
    expect(uf.status).toBe(400);
    expect(Object.keys((await uf.json()).details).join(' ')).toContain('campaignId');
  });
});

describe('POST /api/dni/ultra-fast', () => {
  it('answers the seed 000 body by campaign, and 404 for an unknown campaign', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Fast Campaign' });
    const { numbers } = await makePool(t.db, owner.orgId, { numbers: 2, campaignId: campaign.id });
    const res = await post('/api/dni/ultra-fast', { campaignId: campaign.id, sessionId: 'test_session_123', userAgent: 'curl/7.68.0', utmSource: 'google', utmMedium: 'cpc' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      success: true,
      phoneNumber: numbers[0]!.phoneNumber,
      formattedNumber: formatNational(numbers[0]!.phoneNumber),
      campaignId: campaign.id,
      campaignName: 'Fast Campaign',
      trackingId: expect.stringMatching(TRACKING_ID),
      sessionId: 'test_session_123',
      source: 'pool',
    });
    expect((await post('/api/dni/ultra-fast', { campaignId: '4f1c2b3a-5d6e-4f70-8a9b-0c1d2e3f4a5b' })).status).toBe(404);
  });

  it('serves a repeat from memory within half the idle time, and from the database after it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date());
    const campaign = await createCampaign(owner.client, { name: 'Cached Campaign' });
    const { rule, numbers } = await makePool(t.db, owner.orgId, { numbers: 2, campaignId: campaign.id, idleTimeoutSec: 60 });
    const body = { campaignId: campaign.id, sessionId: 'cached_session' };
    const first = await (await post('/api/dni/ultra-fast', body)).json();
    expect(first.phoneNumber).toBe(numbers[0]!.phoneNumber);
    // Mark the holding in the database: a repeat served from memory does not touch it.
    const marker = new Date(Date.now() - 5_000);
    await t.db.updateTable('pool_assignments').set({ last_seen_at: marker }).where('pool_id', '=', rule.poolId).execute();
    vi.setSystemTime(Date.now() + 20_000);
    const repeat = await (await post('/api/dni/ultra-fast', body)).json();
    expect(repeat).toMatchObject({ phoneNumber: numbers[0]!.phoneNumber, source: 'pool', sessionId: 'cached_session' });
    expect(repeat.trackingId).not.toBe(first.trackingId);
    expect((await liveHoldings(t.db, rule.poolId))[0]?.last_seen_at.toISOString()).toBe(marker.toISOString());
    // Past half the idle time (30 s) the request goes to the database, which touches the holding.
    vi.setSystemTime(Date.now() + 11_000);
    const afterWindow = await (await post('/api/dni/ultra-fast', body)).json();
    expect(afterWindow.phoneNumber).toBe(numbers[0]!.phoneNumber);
    const touched = (await liveHoldings(t.db, rule.poolId))[0]!.last_seen_at;
    expect(touched.getTime()).toBe(Date.now());
    // A holding that went idle in the database meanwhile is not answered from memory for long:
    // the next request past the window re-assigns (the LRU number, not the one it had).
    await t.db.updateTable('pool_assignments').set({ last_seen_at: new Date(Date.now() - 61_000) }).where('pool_id', '=', rule.poolId).execute();
    vi.setSystemTime(Date.now() + 31_000);
    const reassigned = await (await post('/api/dni/ultra-fast', body)).json();
    expect(reassigned).toMatchObject({ phoneNumber: numbers[1]!.phoneNumber, source: 'pool' });
    const live = await liveHoldings(t.db, rule.poolId);
    expect(live.map((h) => h.phone_number_id)).toEqual([numbers[1]!.id]);
  });
});

describe('POST /api/dni/ultra-fast: a repeat that brings something new', () => {
  it('is not answered from memory: its UTM fields and click ids reach the session (and its waiting RedTrack reports)', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Returning Visitor Campaign' });
    const { numbers } = await makePool(t.db, owner.orgId, { numbers: 2, campaignId: campaign.id, idleTimeoutSec: 1800 });
    const first = await (await post('/api/dni/ultra-fast', { campaignId: campaign.id, sessionId: 'returning_session', utmSource: 'google' })).json();
    expect(first.phoneNumber).toBe(numbers[0]!.phoneNumber);
    // Minutes later (well within the cache's window) the visitor comes back through another ad.
    const again = await (await post('/api/dni/ultra-fast', { campaignId: campaign.id, sessionId: 'returning_session', utmSource: 'facebook', clickIds: { fbclid: 'fb_1', clickid: 'rt_1' } })).json();
    expect(again.phoneNumber).toBe(numbers[0]!.phoneNumber);
    const row = await t.db.selectFrom('visitor_sessions').select(['utm_source', 'click_ids', 'redtrack_data']).where('org_id', '=', owner.orgId).where('session_id', '=', 'returning_session').executeTakeFirstOrThrow();
    expect(row).toEqual({ utm_source: 'facebook', click_ids: { fbclid: 'fb_1', clickid: 'rt_1' }, redtrack_data: { clickid: 'rt_1' } });
  });
});

describe('GET /api/visitor-sessions and /api/conversion-events', () => {
  it('lists the organisation\'s sessions newest first, paginated, with masked IPs and held numbers', async () => {
    const org = await registerOrg(t, 'Sessions Org');
    const { rule, numbers } = await makePool(t.db, org.orgId, { numbers: 3 });
    const { tagCode, id: tagId } = await makeTag(org.orgId, { poolId: rule.poolId });
    for (const sessionId of ['list_a', 'list_b', 'list_c']) {
      await post('/api/dni/track', { tagCode, sessionId, utmSource: 'google', clickIds: { gclid: `g_${sessionId}` } });
    }
    const page1 = await org.client.GET('/api/visitor-sessions', { params: { query: { page: 1, limit: 2 } } });
    expect(page1.response.status).toBe(200);
    expect(page1.data?.pagination).toEqual({ page: 1, limit: 2, total: 3 });
    expect(page1.data?.sessions.map((s) => s.sessionId)).toEqual(['list_c', 'list_b']);
    expect(page1.data?.sessions[0]).toMatchObject({
      ipAddress: '127.***.***.1',
      utmSource: 'google',
      clickIds: { gclid: 'g_list_c' },
      tagId,
      phoneNumber: numbers[2]!.phoneNumber,
      redtrackData: null,
    });
    const page2 = await org.client.GET('/api/visitor-sessions', { params: { query: { page: 2, limit: 2 } } });
    expect(page2.data?.sessions.map((s) => s.sessionId)).toEqual(['list_a']);
    // Another organisation sees none of them.
    const theirs = await other.client.GET('/api/visitor-sessions', {});
    expect(theirs.data?.sessions.some((s) => s.sessionId.startsWith('list_'))).toBe(false);
  });

  it('lists a session\'s conversion events (phone obfuscated); another org\'s session id gives an empty list', async () => {
    const org = await registerOrg(t, 'Events Org');
    const { tagCode } = await makeTag(org.orgId, { defaultNumber: '+13125550100' });
    await post('/api/dni/track', { tagCode, sessionId: 'events_session' });
    const session = await t.db.selectFrom('visitor_sessions').select('id').where('org_id', '=', org.orgId).where('session_id', '=', 'events_session').executeTakeFirstOrThrow();
    await t.db
      .insertInto('conversion_events')
      .values([
        { org_id: org.orgId, visitor_session_id: session.id, event_type: 'phone_click', event_value: '25', phone_number: '+15551231234', metadata: JSON.stringify({ clickid: 'rt_1' }), source: 'redtrack' },
        { org_id: org.orgId, visitor_session_id: session.id, event_type: 'conversion', event_value: null, phone_number: null },
      ])
      .execute();
    const res = await org.client.GET('/api/conversion-events', { params: { query: { sessionId: 'events_session' } } });
    expect(res.response.status).toBe(200);
    expect(res.data).toEqual([
      { id: expect.any(Number), sessionId: 'events_session', callId: null, eventType: 'phone_click', eventValue: 25, phoneNumber: '555***1234', metadata: { clickid: 'rt_1' }, source: 'redtrack', createdAt: expect.any(String) },
      { id: expect.any(Number), sessionId: 'events_session', callId: null, eventType: 'conversion', eventValue: null, phoneNumber: null, metadata: {}, source: 'call', createdAt: expect.any(String) },
    ]);
    const foreign = await other.client.GET('/api/conversion-events', { params: { query: { sessionId: 'events_session' } } });
    expect(foreign.response.status).toBe(200);
    expect(foreign.data).toEqual([]);
    const missing = await org.client.GET('/api/conversion-events', {} as never);
    expect(missing.response.status).toBe(400);
    // Both rows belong to the organisation.
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM conversion_events WHERE org_id = ${org.orgId}`.execute(t.db);
    expect(rows[0]?.n).toBe(2);
  });
});

describe('CORS preflights of the DNI endpoints (dniTrackPreflight, dniUltraFastPreflight)', () => {
  it('lets any origin post JSON without credentials, and gives no other endpoint CORS headers', async () => {
    for (const path of ['/api/dni/track', '/api/dni/ultra-fast']) {
      const res = await fetch(`${t.url}${path}`, {
        method: 'OPTIONS',
        headers: { origin: 'https://landing.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      expect({ path, status: res.status, body: await res.text() }).toEqual({ path, status: 204, body: '' });
      expect({
        origin: res.headers.get('access-control-allow-origin'),
        methods: res.headers.get('access-control-allow-methods'),
        headers: res.headers.get('access-control-allow-headers'),
        maxAge: res.headers.get('access-control-max-age'),
        credentials: res.headers.get('access-control-allow-credentials'),
      }).toEqual({ origin: '*', methods: 'POST', headers: 'Content-Type', maxAge: '86400', credentials: null });
    }
    const other = await fetch(`${t.url}/api/campaigns`, { headers: { origin: 'https://landing.example.com' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers 400 in the error format for a preflight carrying a NUL in its query', async () => {
    const res = await fetch(`${t.url}/api/dni/track?x=%00`, { method: 'OPTIONS', headers: { origin: 'https://landing.example.com' } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; details: Record<string, string> };
    expect(body).toMatchObject({ code: 'VALIDATION_ERROR', details: { x: 'must be well-formed text without NUL characters' } });
  });
});
