// The summaries are kept exactly in step (issue 6): for random calls, auctions and bids, random
// later changes (status, duration, revenue corrections, an outbound call's disposition, talk time
// and agent — the agent summaries of issue 19) and random folds
// between them, every report figure equals the same figure computed from the base tables alone,
// in random time zones — and rebuilding the summaries from scratch changes nothing.
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callGroups } from '../../server/reports/call-figures.js';
import { callSumsByDisposition } from '../../server/reports/disposition-figures.js';
import { dayBoundaries, hourBoundaries, periodOf, windowOf } from '../../server/reports/periods.js';
import { auctionTotals, targetFigures } from '../../server/reports/rtb-figures.js';
import { foldDeltas, rebuildRollups } from '../../server/reports/rollups.js';
import { createBuyer, createCampaign, registerOrg } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { insertAuction, insertCall, insertTarget } from './fixture.js';

let t: TestApp;
let orgId: string;
const campaigns: string[] = [];
const buyers: number[] = [];
const targets: number[] = [];
const agents: string[] = [];
const DISPOSITIONS = ['answered', 'voicemail', 'no_answer', 'busy', 'failed', 'abandoned', 'canceled'] as const;

beforeAll(async () => {
  t = await startTestApp();
  const owner = await registerOrg(t, 'Property Org');
  orgId = owner.orgId;
  for (const name of ['P1', 'P2', 'P3']) campaigns.push((await createCampaign(owner.client, { name, enableRtb: false })).id);
  for (const name of ['PB1', 'PB2']) buyers.push((await createBuyer(owner.client, { name })).id);
  for (const name of ['PT1', 'PT2']) targets.push(await insertTarget(t.db, orgId, name));
  for (const [i, name] of ['PA1', 'PA2'].entries()) {
    agents.push((await t.db.insertInto('agents').values({ org_id: orgId, name, phone_e164: `+1415555010${i}` }).returning('id').executeTakeFirstOrThrow()).id);
  }
});
afterAll(async () => t.close());

const ZONES = ['UTC', 'America/New_York', 'Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'America/Santiago'];
const BASE = Date.UTC(2025, 2, 7); // a week with New York's spring change in it
const STATUSES = ['completed', 'busy', 'no-answer', 'ringing'] as const;

const callArb = fc.record({
  minute: fc.integer({ min: 0, max: 5 * 24 * 60 }),
  campaign: fc.integer({ min: -1, max: 2 }),
  buyer: fc.integer({ min: -1, max: 1 }),
  target: fc.integer({ min: -1, max: 1 }),
  status: fc.constantFrom(...STATUSES),
  duration: fc.option(fc.integer({ min: 0, max: 900 }), { nil: null }),
  revenue: fc.option(fc.integer({ min: 0, max: 5000 }), { nil: null }),
  agent: fc.integer({ min: -1, max: 1 }),
});
const changeArb = fc.record({
  index: fc.nat(),
  kind: fc.constantFrom('complete', 'override', 'fold', 'dispose', 'reassign'),
  value: fc.integer({ min: 0, max: 5000 }),
});
const auctionArb = fc.record({
  minute: fc.integer({ min: 0, max: 5 * 24 * 60 }),
  campaign: fc.integer({ min: -1, max: 2 }),
  won: fc.boolean(),
  bids: fc.array(fc.record({ target: fc.integer({ min: 0, max: 1 }), status: fc.constantFrom('success', 'rejected', 'filtered', 'timeout'), amount: fc.integer({ min: 1, max: 5000 }), ms: fc.integer({ min: 1, max: 900 }) }), { maxLength: 3 }),
  ms: fc.integer({ min: 0, max: 1000 }),
});

const pick = <T>(list: readonly T[], i: number): T | null => (i < 0 ? null : list[i % list.length]!);
const cents = (n: number | null) => (n === null ? null : (n / 100).toFixed(2));

/** The same figures straight from the base tables. */
async function rawCallFigures(from: Date, to: Date, boundaries: Date[]) {
  const { rows } = await sql<{ g: number; calls: string; completed: string; converted: string; revenue: string; avg: string | null }>`
    SELECT width_bucket(created_at, ${`{${boundaries.map((b) => b.toISOString()).join(',')}}`}::timestamptz[]) AS g, count(*) AS calls,
      count(*) FILTER (WHERE status = 'completed') AS completed, count(*) FILTER (WHERE COALESCE(revenue_override, revenue, 0) > 0) AS converted,
      COALESCE(sum(COALESCE(revenue_override, revenue, 0)), 0) AS revenue, round(avg(duration_sec), 2) AS avg
    FROM calls WHERE org_id = ${orgId} AND created_at >= ${from} AND created_at < ${to}
    GROUP BY 1 ORDER BY 1`.execute(t.db);
  return rows.map((r) => ({ g: Number(r.g), calls: Number(r.calls), completed: Number(r.completed), converted: Number(r.converted), revenue: Number(r.revenue), avg: r.avg === null ? null : Number(r.avg) }));
}

async function rawTargetFigures(from: Date, to: Date) {
  const { rows } = await sql<{ target_id: number | null; pinged: string; valid: string; winning: string; timeouts: string }>`
    SELECT rtb_target_id AS target_id, count(*) FILTER (WHERE status <> 'filtered') AS pinged, count(*) FILTER (WHERE is_valid) AS valid,
      count(*) FILTER (WHERE is_winning_bid) AS winning, count(*) FILTER (WHERE status = 'timeout') AS timeouts
    FROM bid_responses WHERE org_id = ${orgId} AND created_at >= ${from} AND created_at < ${to}
    GROUP BY 1 ORDER BY 1`.execute(t.db);
  return rows.map((r) => ({ targetId: r.target_id, pinged: Number(r.pinged), validBids: Number(r.valid), winningBids: Number(r.winning), timeouts: Number(r.timeouts) }));
}

/** Outbound figures per (agent, disposition) straight from the calls. */
async function rawAgentFigures(from: Date, to: Date) {
  const { rows } = await sql<{ agent_id: string | null; disposition: string | null; calls: string; talk: string; duration: string }>`
    SELECT agent_id, disposition, count(*) AS calls, COALESCE(sum(talk_time_sec), 0) AS talk, COALESCE(sum(duration_sec), 0) AS duration
    FROM calls WHERE org_id = ${orgId} AND created_at >= ${from} AND created_at < ${to}
    GROUP BY 1, 2`.execute(t.db);
  return rows.map((r) => ({ key: r.agent_id, disposition: r.disposition, calls: Number(r.calls), talk: Number(r.talk), duration: Number(r.duration) }));
}

const byKey = <T extends { key: string | number | null; disposition: string | null }>(rows: T[]) =>
  rows.sort((a, b) => `${a.key}/${a.disposition}`.localeCompare(`${b.key}/${b.disposition}`));

async function reset(): Promise<void> {
  await sql`DELETE FROM bid_requests WHERE org_id = ${orgId}`.execute(t.db);
  await sql`DELETE FROM calls WHERE org_id = ${orgId}`.execute(t.db);
  await rebuildRollups(t.db);
}

describe('summaries against base tables', () => {
  it('agree on every figure, for any history of changes and folds, in any zone', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(callArb, { minLength: 1, maxLength: 25 }),
        fc.array(changeArb, { maxLength: 15 }),
        fc.array(auctionArb, { maxLength: 6 }),
        fc.constantFrom(...ZONES),
        fc.constantFrom('day', 'hour'),
        async (calls, changes, auctions, timeZone, unit) => {
          await reset();
          const ids: number[] = [];
          for (const c of calls) {
            const revenue = c.status === 'completed' ? cents(c.revenue) : null;
            ids.push(
              await insertCall(t.db, orgId, {
                at: new Date(BASE + c.minute * 60_000 + 7_000).toISOString(),
                campaignId: pick(campaigns, c.campaign),
                buyerId: pick(buyers, c.buyer),
                targetId: pick(targets, c.target),
                status: c.status,
                duration: c.status === 'completed' ? c.duration : null,
                revenue,
                ...(c.agent >= 0 ? { agentId: agents[c.agent]! } : {}),
              }),
            );
          }
          for (const a of auctions) {
            await insertAuction(t.db, orgId, {
              at: new Date(BASE + a.minute * 60_000).toISOString(),
              campaignId: pick(campaigns, a.campaign),
              status: a.won ? 'won' : 'no_valid_bids',
              winningBid: a.won ? '12.34' : null,
              responseMs: a.ms,
              bids: a.bids.map((b, i) => ({
                targetId: targets[b.target]!,
                targetName: `PT${b.target + 1}`,
                status: b.status,
                valid: b.status === 'success',
                winning: a.won && i === 0 && b.status === 'success',
                amount: cents(b.amount),
                responseMs: b.status === 'filtered' ? null : b.ms,
              })),
            });
          }
          for (const change of changes) {
            const id = ids[change.index % ids.length]!;
            if (change.kind === 'fold') await foldDeltas(t.db, 7);
            else if (change.kind === 'override') await t.db.updateTable('calls').set({ revenue_override: cents(change.value) }).where('id', '=', id).execute();
            else if (change.kind === 'dispose')
              await t.db.updateTable('calls').set({ disposition: DISPOSITIONS[change.value % DISPOSITIONS.length]!, talk_time_sec: change.value % 300 }).where('id', '=', id).execute();
            else if (change.kind === 'reassign') await t.db.updateTable('calls').set({ agent_id: pick(agents, (change.value % 3) - 1) }).where('id', '=', id).execute();
            else
              await sql`UPDATE calls SET status = 'completed', status_rank = 4, duration_sec = GREATEST(COALESCE(duration_sec, 0), ${change.value % 600})
                        WHERE id = ${id} AND status_rank < 4`.execute(t.db);
          }

          const period = periodOf({ startDate: '2025-03-07', endDate: '2025-03-11', timeZone }, Date.now());
          const boundaries = unit === 'day' ? dayBoundaries(period) : hourBoundaries(period);
          const w = windowOf(orgId, period.from, period.to, boundaries);
          const asDates = boundaries.map((b) => new Date(b));
          const { total, groups } = await callGroups(t.db, w, 'bucket', {}, asDates);
          const raw = await rawCallFigures(new Date(period.from), new Date(period.to), asDates);
          expect(groups.map((g) => ({ g: Number(g.key), calls: g.calls, completed: g.completed, converted: g.converted, revenue: g.revenue, avg: g.averageDuration })).sort((a, b) => a.g - b.g)).toEqual(raw);
          expect(total.calls).toBe(raw.reduce((s, r) => s + r.calls, 0));
          const perAgent = await callSumsByDisposition(t.db, w, 'agent', { agentIds: null, campaignIds: null });
          expect(byKey(perAgent.map((r) => ({ key: r.key, disposition: r.disposition, calls: r.calls, talk: r.talkSum, duration: r.durationSum })))).toEqual(
            byKey((await rawAgentFigures(new Date(period.from), new Date(period.to))).filter((r) => r.calls > 0)),
          );

          const rawTargets = await rawTargetFigures(new Date(period.from), new Date(period.to));
          const targetsNow = (await targetFigures(t.db, w)).map(({ targetId, pinged, validBids, winningBids, timeouts }) => ({ targetId, pinged, validBids, winningBids, timeouts }));
          expect(targetsNow.sort((a, b) => (a.targetId ?? 0) - (b.targetId ?? 0))).toEqual(rawTargets.filter((r) => r.pinged + r.validBids + r.timeouts > 0));
          const { rows } = await sql<{ n: string; won: string }>`SELECT count(*) AS n, count(*) FILTER (WHERE status = 'won') AS won FROM bid_requests
            WHERE org_id = ${orgId} AND created_at >= ${new Date(period.from)} AND created_at < ${new Date(period.to)}`.execute(t.db);
          const auctionsNow = await auctionTotals(t.db, w);
          expect([auctionsNow.auctions, auctionsNow.won]).toEqual([Number(rows[0]!.n), Number(rows[0]!.won)]);

          // Rebuilt from scratch: the same answer.
          await rebuildRollups(t.db);
          expect((await callGroups(t.db, w, 'bucket', {}, asDates)).total).toEqual(total);
        },
      ),
      { numRuns: 25 },
    );
  });
});
