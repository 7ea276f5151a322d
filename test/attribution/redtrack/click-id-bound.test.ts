// A visitor session keeps at most 10 click ids (MAX_CLICK_IDS, VisitorFields.clickIds): a RedTrack
// report applied to a session found by its session id adds RedTrack's click id only while the
// session has room for it — it never grows a full session past the bound. RedTrack's own ids still
// reach the session (redtrackData).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CLICK_IDS } from '../../../server/attribution/dni/sessions.js';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { insertTag } from '../dni/dni-fixtures.js';

let t: TestApp;
let owner: Member;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Click Id Bound Org');
});
afterAll(async () => t.close());

async function post(path: string, body: unknown): Promise<number> {
  const res = await fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await res.body?.cancel();
  return res.status;
}

async function clickIdsOf(sessionId: string) {
  return t.db.selectFrom('visitor_sessions').select(['click_ids', 'redtrack_data']).where('org_id', '=', owner.orgId).where('session_id', '=', sessionId).executeTakeFirstOrThrow();
}

describe('RedTrack reports and the bound on a session\'s click ids', () => {
  it('never grow a session past 10 click ids; a session with room gets the click id', async () => {
    const { tagCode } = await insertTag(t.db, owner.orgId, { defaultNumber: '+13125550100' });
    const full = Object.fromEntries(Array.from({ length: MAX_CLICK_IDS }, (_, i) => [`id_${i}`, `v${i}`]));
    expect(await post('/api/dni/track', { tagCode, sessionId: 'bound_full', clickIds: full })).toBe(200);
    expect(await post(`/api/tracking/redtrack/session?tagCode=${tagCode}`, { clickid: 'rt_bound_full', sessionId: 'bound_full', campaign_id: 'c1' })).toBe(202);
    const stored = await clickIdsOf('bound_full');
    expect(Object.keys(stored.click_ids)).toHaveLength(MAX_CLICK_IDS);
    expect(stored.click_ids).toEqual(full);
    expect(stored.redtrack_data).toMatchObject({ clickid: 'rt_bound_full', campaign_id: 'c1' });

    expect(await post('/api/dni/track', { tagCode, sessionId: 'bound_room', clickIds: { gclid: 'g1' } })).toBe(200);
    expect(await post(`/api/tracking/redtrack/session?tagCode=${tagCode}`, { clickid: 'rt_bound_room', sessionId: 'bound_room' })).toBe(202);
    expect((await clickIdsOf('bound_room')).click_ids).toEqual({ gclid: 'g1', clickid: 'rt_bound_room' });
  });
});
