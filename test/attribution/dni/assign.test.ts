// Pool number assignment rules (server/attribution/dni/assign.ts), straight against the database, with an
// injected clock; and under concurrency (one app, and on PostgreSQL two independent pg pools).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignPoolNumber } from '../../../server/attribution/dni/assign.js';
import { onPostgres, openSecondInstance } from '../../inbound/calls/db-helpers.js';
import { registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { liveHoldings, makePool, makeSession } from './dni-fixtures.js';

let t: TestApp;
let orgId: string;
const T0 = new Date('2030-01-01T12:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

beforeAll(async () => {
  t = await startTestApp();
  orgId = (await registerOrg(t, 'DNI Assign Org')).orgId;
});
afterAll(async () => t.close());

describe('pool assignment rules', () => {
  it('keeps the same number for the same session while it is active', async () => {
    const { rule } = await makePool(t.db, orgId, { numbers: 3 });
    const s = await makeSession(t.db, orgId);
    const first = await assignPoolNumber(t.db, rule, s, at(0));
    const again = await assignPoolNumber(t.db, rule, s, at(600));
    const later = await assignPoolNumber(t.db, rule, s, at(2000)); // seen 1400 s ago: still active
    expect(first?.source).toBe('pool');
    expect(again).toEqual({ ...first, source: 'pool' });
    expect(later?.phoneNumber).toBe(first?.phoneNumber);
    const live = await liveHoldings(t.db, rule.poolId);
    expect(live).toHaveLength(1);
    expect(live[0]?.last_seen_at.toISOString()).toBe(at(2000).toISOString());
  });

  it('gives 3 sessions 3 different numbers, least recently used first (never used first)', async () => {
    const { rule, numbers } = await makePool(t.db, orgId, { numbers: 3 });
    const got = [];
    for (let i = 0; i < 3; i++) got.push(await assignPoolNumber(t.db, rule, await makeSession(t.db, orgId), at(i)));
    expect(got.map((g) => g?.phoneNumber)).toEqual(numbers.map((n) => n.phoneNumber));
    expect(new Set(got.map((g) => g?.phoneNumber)).size).toBe(3);
  });

  it('takes the least recently used number when several are free', async () => {
    const { rule, numbers } = await makePool(t.db, orgId, { numbers: 3, idleTimeoutSec: 60, whenExhausted: 'default_number' });
    const [n0, n1, n2] = numbers;
    // Use the numbers in the order 2, 0, 1 (each for one session), then let them all go idle.
    await t.db.insertInto('pool_assignments').values([
      { org_id: orgId, pool_id: rule.poolId, phone_number_id: n2!.id, visitor_session_id: await makeSession(t.db, orgId), assigned_at: at(0), last_seen_at: at(0), released_at: at(10) },
      { org_id: orgId, pool_id: rule.poolId, phone_number_id: n0!.id, visitor_session_id: await makeSession(t.db, orgId), assigned_at: at(1), last_seen_at: at(1), released_at: at(10) },
      { org_id: orgId, pool_id: rule.poolId, phone_number_id: n1!.id, visitor_session_id: await makeSession(t.db, orgId), assigned_at: at(2), last_seen_at: at(2) },
    ]).execute();
    const a = await assignPoolNumber(t.db, rule, await makeSession(t.db, orgId), at(30));
    const b = await assignPoolNumber(t.db, rule, await makeSession(t.db, orgId), at(31));
    expect([a?.phoneNumber, b?.phoneNumber]).toEqual([n2!.phoneNumber, n0!.phoneNumber]);
    // n1 is still held (seen 29 s ago, idle time 60 s): exhausted, no pool number (default_number).
    expect(await assignPoolNumber(t.db, rule, await makeSession(t.db, orgId), at(32))).toBeNull();
    // Once n1's holding is idle it is released and its number taken.
    const c = await assignPoolNumber(t.db, rule, await makeSession(t.db, orgId), at(63));
    expect(c).toMatchObject({ phoneNumber: n1!.phoneNumber, source: 'pool' });
    expect(await liveHoldings(t.db, rule.poolId)).toHaveLength(3);
  });

  it('counts a number as used until its visitor was last seen, not from when it was given (a long visit)', async () => {
    const { rule, numbers } = await makePool(t.db, orgId, { numbers: 2, idleTimeoutSec: 60 });
    const [n0, n1] = numbers;
    // n0 was given first but its visitor stayed on the page for an hour; n1 was given later to a
    // visitor who left at once. n1 is the least recently used: n0 was shown until 3600 s.
    await t.db.insertInto('pool_assignments').values([
      { org_id: orgId, pool_id: rule.poolId, phone_number_id: n0!.id, visitor_session_id: await makeSession(t.db, orgId), assigned_at: at(0), last_seen_at: at(3600), released_at: at(3700) },
      { org_id: orgId, pool_id: rule.poolId, phone_number_id: n1!.id, visitor_session_id: await makeSession(t.db, orgId), assigned_at: at(100), last_seen_at: at(100), released_at: at(200) },
    ]).execute();
    expect(await assignPoolNumber(t.db, rule, await makeSession(t.db, orgId), at(4000))).toMatchObject({ phoneNumber: n1!.phoneNumber, source: 'pool' });
  });

  it('recycles the oldest holding when exhausted (recycle_oldest)', async () => {
    const { rule, numbers } = await makePool(t.db, orgId, { numbers: 3, idleTimeoutSec: 1800, whenExhausted: 'recycle_oldest' });
    const sessions = [await makeSession(t.db, orgId), await makeSession(t.db, orgId), await makeSession(t.db, orgId)];
    for (const [i, s] of sessions.entries()) await assignPoolNumber(t.db, rule, s, at(i * 10));
    // The second session was seen last 1000 s before the 4th arrives; the others more recently.
    await assignPoolNumber(t.db, rule, sessions[0]!, at(900));
    await assignPoolNumber(t.db, rule, sessions[2]!, at(950));
    const fourth = await makeSession(t.db, orgId);
    const got = await assignPoolNumber(t.db, rule, fourth, at(1010));
    expect(got).toEqual({ phoneNumberId: numbers[1]!.id, phoneNumber: numbers[1]!.phoneNumber, source: 'recycled' });
    const live = await liveHoldings(t.db, rule.poolId);
    expect(live).toHaveLength(3);
    expect(live.find((h) => h.phone_number_id === numbers[1]!.id)?.visitor_session_id).toBe(fourth);
    // The recycled session comes back at once: every holding was seen within half the idle time.
    expect(await assignPoolNumber(t.db, rule, sessions[1]!, at(1020))).toBeNull();
    // Later it recycles in turn the oldest one: session 0's (seen at 900 s).
    const back = await assignPoolNumber(t.db, rule, sessions[1]!, at(1801));
    expect(back).toEqual({ phoneNumberId: numbers[0]!.id, phoneNumber: numbers[0]!.phoneNumber, source: 'recycled' });
  });

  it('does not recycle a holding seen within half the idle time (it may be served from memory)', async () => {
    const { rule } = await makePool(t.db, orgId, { numbers: 2, idleTimeoutSec: 1800, whenExhausted: 'recycle_oldest' });
    await assignPoolNumber(t.db, rule, await makeSession(t.db, orgId), at(0));
    await assignPoolNumber(t.db, rule, await makeSession(t.db, orgId), at(1));
    expect(await assignPoolNumber(t.db, rule, await makeSession(t.db, orgId), at(899))).toBeNull();
    expect((await assignPoolNumber(t.db, rule, await makeSession(t.db, orgId), at(900)))?.source).toBe('recycled');
  });

  it('gives no pool number when exhausted with default_number', async () => {
    const { rule } = await makePool(t.db, orgId, { numbers: 3, whenExhausted: 'default_number' });
    for (let i = 0; i < 3; i++) expect(await assignPoolNumber(t.db, rule, await makeSession(t.db, orgId), at(i))).not.toBeNull();
    expect(await assignPoolNumber(t.db, rule, await makeSession(t.db, orgId), at(1700))).toBeNull();
  });

  it('releases an idle holding of the session itself and assigns afresh (fake clock)', async () => {
    const { rule } = await makePool(t.db, orgId, { numbers: 2, idleTimeoutSec: 60 });
    const s = await makeSession(t.db, orgId);
    const first = await assignPoolNumber(t.db, rule, s, at(0));
    const other = await assignPoolNumber(t.db, rule, await makeSession(t.db, orgId), at(1));
    // 61 s later the session's holding is idle: it is released; the LRU number is the one it had.
    const again = await assignPoolNumber(t.db, rule, s, at(62));
    expect(again?.phoneNumber).toBe(first?.phoneNumber);
    expect(other?.phoneNumber).not.toBe(first?.phoneNumber);
    const rows = await t.db.selectFrom('pool_assignments').select(['released_at']).where('pool_id', '=', rule.poolId).where('visitor_session_id', '=', s).orderBy('id').execute();
    expect(rows.map((r) => r.released_at?.toISOString() ?? null)).toEqual([at(62).toISOString(), null]);
  });
});

describe('pool assignment under concurrency', () => {
  async function checkNoSharedNumber(poolId: number) {
    const live = await liveHoldings(t.db, poolId);
    expect(new Set(live.map((h) => h.phone_number_id)).size).toBe(live.length);
    expect(new Set(live.map((h) => h.visitor_session_id)).size).toBe(live.length);
    return live;
  }

  it('20 sessions at once on 5 numbers (default_number): exactly 5 get distinct pool numbers', async () => {
    const { rule } = await makePool(t.db, orgId, { numbers: 5, whenExhausted: 'default_number' });
    const sessions = await Promise.all(Array.from({ length: 20 }, () => makeSession(t.db, orgId)));
    const got = await Promise.all(sessions.map((s) => assignPoolNumber(t.db, rule, s, at(0))));
    const numbers = got.filter((g) => g !== null).map((g) => g.phoneNumber);
    expect(numbers).toHaveLength(5);
    expect(new Set(numbers).size).toBe(5);
    expect(await checkNoSharedNumber(rule.poolId)).toHaveLength(5);
  });

  it('20 sessions at once on 5 numbers (recycle_oldest): never two live holdings of one number', async () => {
    const { rule } = await makePool(t.db, orgId, { numbers: 5, whenExhausted: 'recycle_oldest', idleTimeoutSec: 60 });
    const sessions = await Promise.all(Array.from({ length: 20 }, () => makeSession(t.db, orgId)));
    await Promise.all(sessions.map((s, i) => assignPoolNumber(t.db, rule, s, at(i % 2 === 0 ? 0 : 31))));
    expect((await checkNoSharedNumber(rule.poolId)).length).toBeLessThanOrEqual(5);
  });

  it('the same session twice at once holds one number', async () => {
    const { rule } = await makePool(t.db, orgId, { numbers: 5 });
    const s = await makeSession(t.db, orgId);
    const got = await Promise.all(Array.from({ length: 6 }, () => assignPoolNumber(t.db, rule, s, at(0))));
    expect(new Set(got.map((g) => g?.phoneNumber)).size).toBe(1);
    expect(await checkNoSharedNumber(rule.poolId)).toHaveLength(1);
  });

  // Only on PostgreSQL: a PGlite database is one connection owned by one handle.
  if (onPostgres) it('two instances (two pg pools), 30 sessions on 6 numbers: 6 holdings, no number shared', async () => {
    const second = await openSecondInstance(t);
    try {
      const { rule } = await makePool(t.db, orgId, { numbers: 6, whenExhausted: 'default_number' });
      const sessions = await Promise.all(Array.from({ length: 30 }, () => makeSession(t.db, orgId)));
      const got = await Promise.all(sessions.map((s, i) => assignPoolNumber(i % 2 === 0 ? t.db : second.db, rule, s, at(0))));
      expect(got.filter((g) => g !== null)).toHaveLength(6);
      expect(await checkNoSharedNumber(rule.poolId)).toHaveLength(6);
    } finally {
      await second.close();
    }
  });
});
