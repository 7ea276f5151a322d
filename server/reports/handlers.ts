// Reports and statistics (DESIGN.md 4.7, issue 6): seed 000's /api/reports/* and /api/buyers/stats,
// seed 001's /api/stats/*. Every figure is the organisation's own; several queries of one answer
// read one snapshot (REPEATABLE READ), so its figures agree with each other.
import type { Transaction } from 'kysely';
import type { components } from '../../client/schema.js';
import type { DB } from '../../db/types.js';
import { ownBuyer } from '../inbound/buyers/own-buyer.js';
import { ownCampaign, ownCampaignId } from '../inbound/campaigns/own-campaign.js';
import type { Deps, HandlerGroup } from '../handler-types.js';
import { callGroups, callTotals, type CallGroup, type CallTotals } from './call-figures.js';
import { buyersOfOrg, liveCounts } from './live-queries.js';
import { dayBoundaries, hourBoundaries, lastDays, MAX_HOURLY_RANGE_DAYS, type Period, periodOf, reportRange, timeZoneOf, todayIn, windowOf } from './periods.js';
import { auctionTotals, targetFigures } from './rtb-figures.js';
import { snapshot } from './snapshot.js';
import { localBoundaries, localDate, localHourLabel, startOfLocalDay } from './zone.js';
import { flushPendingBids } from '../rtb/auctions/pending-bids.js';

type Schemas = components['schemas'];
type ReportOps =
  | 'getRtbPerformanceReport'
  | 'getCallAnalyticsReport'
  | 'getBuyerFinancialStats'
  | 'getHistoricalStats'
  | 'getCampaignStats'
  | 'getBuyerStats'
  | 'getDashboardStats';

const iso = (ms: number) => new Date(ms).toISOString();

/** A period's figures (seed 001's stats shape) and its days, for the calls `filters` select. */
async function periodStats(trx: Transaction<DB>, orgId: string, p: Period, now: number, filters: { campaignId?: string; buyerId?: number }) {
  const days = dayBoundaries(p);
  const { total, groups } = await callGroups(trx, windowOf(orgId, p.from, p.to, days), 'bucket', filters, days.map((d) => new Date(d)));
  const byBucket = new Map(groups.map((g) => [g.key, g]));
  return {
    days: days.length,
    timeZone: p.timeZone,
    from: iso(p.from),
    to: iso(now),
    totalCalls: total.calls,
    completedCalls: total.completed,
    averageCallDuration: total.averageDuration,
    successRate: total.completedFraction,
    totalRevenue: total.revenue,
    conversionRate: total.conversionFraction,
    daily: days.map((start, i) => {
      const day = byBucket.get(i + 1);
      return { date: localDate(start, p.timeZone), totalCalls: day?.calls ?? 0, completedCalls: day?.completed ?? 0, revenue: day?.revenue ?? 0 };
    }),
  };
}

function analyticsTotals(t: CallTotals): Schemas['CallAnalyticsTotals'] {
  return {
    totalCalls: t.calls,
    completedCalls: t.completed,
    convertedCalls: t.converted,
    averageDuration: t.averageDuration,
    totalRevenue: t.revenue,
    conversionRate: t.conversionPercent,
  };
}

export function createReportHandlers({ db }: Deps): HandlerGroup<ReportOps> {
  return {
    getRtbPerformanceReport: async (ctx) => {
      const { orgId } = ctx.principal();
      const period = periodOf(ctx.query, Date.now());
      const campaignId = ctx.query.campaignId === undefined ? undefined : await ownCampaignId(db, orgId, ctx.query.campaignId);
      const w = windowOf(orgId, period.from, period.to, []);
      // Bids an RTB answer committed but has not written as rows yet count at once (outside the
      // snapshot: writing them there could meet a concurrent writer's and fail to serialise).
      await flushPendingBids(db, orgId);
      const { auctions, targets, revenue } = await snapshot(db, async (trx) => ({
        auctions: await auctionTotals(trx, w, campaignId),
        targets: await targetFigures(trx, w, campaignId),
        revenue: (await callTotals(trx, w, { campaignId, rtbOnly: true })).revenue,
      }));
      return {
        status: 200,
        body: {
          range: reportRange(period),
          summary: {
            totalAuctions: auctions.auctions,
            successfulAuctions: auctions.won,
            averageBidAmount: auctions.averageWinningBid,
            totalRevenue: revenue,
            averageResponseTime: auctions.averageResponseMs,
          },
          targetPerformance: targets.map((t) => ({
            targetId: t.targetId,
            targetName: t.targetName,
            pinged: t.pinged,
            totalBids: t.validBids,
            winningBids: t.winningBids,
            winRate: t.winPercent,
            averageBid: t.averageBid,
            averageResponseTime: t.averageResponseMs,
            timeouts: t.timeouts,
          })),
        },
      };
    },

    getCallAnalyticsReport: async (ctx) => {
      const { orgId } = ctx.principal();
      const groupBy = ctx.query.groupBy ?? 'campaign';
      const period = groupBy === 'hour' ? periodOf(ctx.query, Date.now(), MAX_HOURLY_RANGE_DAYS, undefined, ' when groupBy is hour') : periodOf(ctx.query, Date.now());
      const campaignId = ctx.query.campaignId === undefined ? undefined : await ownCampaignId(db, orgId, ctx.query.campaignId);
      const boundaries = groupBy === 'day' ? dayBoundaries(period) : groupBy === 'hour' ? hourBoundaries(period) : [];
      const group: CallGroup = groupBy === 'day' || groupBy === 'hour' ? 'bucket' : groupBy;
      const { total, groups } = await snapshot(db, (trx) =>
        callGroups(trx, windowOf(orgId, period.from, period.to, boundaries), group, { campaignId, source: ctx.query.source }, boundaries.map((b) => new Date(b))),
      );
      const labelled = groups.map((g) => {
        let groupKey: string;
        let groupId: string | null;
        if (group === 'bucket') {
          const start = boundaries[Number(g.key) - 1]!;
          groupKey = groupBy === 'day' ? localDate(start, period.timeZone) : localHourLabel(start, period.timeZone);
          groupId = groupBy === 'day' ? groupKey : iso(start);
        } else {
          groupId = g.key === null ? null : String(g.key);
          groupKey = g.key === null ? '(none)' : (g.name ?? `(deleted ${groupBy} ${String(g.key)})`);
        }
        const { totalRevenue: revenue, ...rest } = analyticsTotals(g);
        return { groupKey, groupId, ...rest, revenue, order: group === 'bucket' ? Number(g.key) : 0 };
      });
      if (group === 'bucket') labelled.sort((a, b) => a.order - b.order);
      else labelled.sort((a, b) => b.revenue - a.revenue || b.totalCalls - a.totalCalls || a.groupKey.localeCompare(b.groupKey));
      return {
        status: 200,
        body: {
          range: reportRange(period),
          groupBy,
          summary: analyticsTotals(total),
          groupedData: labelled.map(({ order: _order, ...row }) => row),
        },
      };
    },

    getBuyerFinancialStats: async (ctx) => {
      const { orgId } = ctx.principal();
      const timeZone = timeZoneOf(ctx.query.timeZone);
      const now = Date.now();
      const { today, dayStart, dayEnd } = todayIn(timeZone, now);
      const monthStart = startOfLocalDay(`${today.slice(0, 8)}01`, timeZone);
      const hours = localBoundaries(dayStart, dayEnd, timeZone, 'hour');
      const hourIndex = hours.findLastIndex((h) => h <= now);
      const hourStart = hours[hourIndex]!;
      const hourEnd = hours[hourIndex + 1] ?? dayEnd;
      const revenueBy = (g: Awaited<ReturnType<typeof callGroups>>) => new Map(g.groups.map((x) => [x.key, x]));
      const figures = await snapshot(db, async (trx) => ({
        buyers: await buyersOfOrg(trx, orgId),
        total: revenueBy(await callGroups(trx, windowOf(orgId, null, hourEnd, []), 'buyer')),
        month: revenueBy(await callGroups(trx, windowOf(orgId, monthStart, hourEnd, []), 'buyer')),
        day: revenueBy(await callGroups(trx, windowOf(orgId, dayStart, hourEnd, []), 'buyer')),
        hour: revenueBy(await callGroups(trx, windowOf(orgId, hourStart, hourEnd, []), 'buyer')),
      }));
      return {
        status: 200,
        body: figures.buyers.map((b) => ({
          id: b.id,
          name: b.name,
          companyName: b.companyName,
          totalCalls: figures.total.get(b.id)?.calls ?? 0,
          hourRevenue: figures.hour.get(b.id)?.revenue ?? 0,
          dayRevenue: figures.day.get(b.id)?.revenue ?? 0,
          monthRevenue: figures.month.get(b.id)?.revenue ?? 0,
          totalRevenue: figures.total.get(b.id)?.revenue ?? 0,
        })),
      };
    },

    getHistoricalStats: async (ctx) => {
      const { orgId } = ctx.principal();
      const now = Date.now();
      const period = lastDays(ctx.query.days ?? 30, ctx.query.timeZone, now);
      const { stats, live } = await snapshot(db, async (trx) => ({
        stats: await periodStats(trx, orgId, period, now, {}),
        live: await liveCounts(trx, orgId, new Date(now)),
      }));
      return { status: 200, body: { ...stats, activeCampaigns: live.activeCampaigns, totalBuyers: live.activeBuyers } };
    },

    getCampaignStats: async (ctx) => {
      const { orgId } = ctx.principal();
      const now = Date.now();
      const period = lastDays(ctx.query.days ?? 30, ctx.query.timeZone, now);
      const campaign = await ownCampaign(db, orgId, ctx.params.id);
      const { stats, auctions } = await snapshot(db, async (trx) => ({
        stats: await periodStats(trx, orgId, period, now, { campaignId: campaign.id }),
        auctions: await auctionTotals(trx, windowOf(orgId, period.from, period.to, []), campaign.id),
      }));
      return {
        status: 200,
        body: { ...stats, campaignId: campaign.id, campaignName: campaign.name, totalAuctions: auctions.auctions, successfulAuctions: auctions.won },
      };
    },

    getBuyerStats: async (ctx) => {
      const { orgId } = ctx.principal();
      const now = Date.now();
      const period = lastDays(ctx.query.days ?? 30, ctx.query.timeZone, now);
      const buyer = await ownBuyer(db, orgId, ctx.params.id);
      const stats = await snapshot(db, (trx) => periodStats(trx, orgId, period, now, { buyerId: buyer.id }));
      return { status: 200, body: { ...stats, buyerId: buyer.id, buyerName: buyer.name } };
    },

    getDashboardStats: async (ctx) => {
      const { orgId } = ctx.principal();
      const timeZone = timeZoneOf(ctx.query.timeZone);
      const now = Date.now();
      const { dayStart, dayEnd } = todayIn(timeZone, now);
      await flushPendingBids(db, orgId); // the last minute's bids count at once, as in the RTB report
      const { day, live } = await snapshot(db, async (trx) => ({
        day: await callTotals(trx, windowOf(orgId, dayStart, dayEnd, [])),
        live: await liveCounts(trx, orgId, new Date(now)),
      }));
      return {
        status: 200,
        body: {
          timeZone,
          generatedAt: iso(now),
          activeCalls: live.activeCalls,
          callsToday: day.calls,
          completedToday: day.completed,
          revenueToday: day.revenue,
          conversionRateToday: day.conversionFraction,
          callsLastHour: live.callsLastHour,
          auctionsLastMinute: live.auctionsLastMinute,
          bidsLastMinute: live.bidsLastMinute,
          activeCampaigns: live.activeCampaigns,
          activeBuyers: live.activeBuyers,
        },
      };
    },
  };
}
