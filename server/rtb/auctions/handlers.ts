import { parseIntId } from '../../platform/common/ids.js';
import { ERRORS } from '../../platform/errors.js';
import type { Deps, HandlerGroup } from '../../handler-types.js';
import { healthReport, probeTargets, storedHealthResults } from './health.js';
import { createInboundBidder } from './inbound.js';
import { findTargetInOrg } from '../targets/queries.js';
import { replayFromRow } from './replay.js';
import { sendTestBid } from './test-bid.js';

type AuctionOps = 'inboundRtbBid' | 'inboundRtbBidGet' | 'testRtbTarget' | 'replayAuction' | 'runRtbHealthChecks' | 'listRtbHealthChecks';

export function createAuctionHandlers({ db, rtb }: Deps): HandlerGroup<AuctionOps> {
  const inboundBid = createInboundBidder(db, rtb);

  return {
    async inboundRtbBid(ctx) {
      return { status: 200, body: await inboundBid(ctx.params.rtbId, ctx.body) };
    },

    async inboundRtbBidGet(ctx) {
      return { status: 200, body: await inboundBid(ctx.params.rtbId, ctx.query) };
    },

    async testRtbTarget(ctx) {
      const { orgId } = ctx.principal();
      const id = parseIntId(ctx.params.targetId);
      const row = id === null ? undefined : await findTargetInOrg(db, orgId, id);
      if (!row) throw ERRORS.notFound('RTB target', ctx.params.targetId);
      return { status: 200, body: await sendTestBid(rtb, row, ctx.body) };
    },

    async replayAuction(ctx) {
      const { orgId } = ctx.principal();
      const raw = ctx.params.id;
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(raw)) throw ERRORS.notFound('Auction', raw);
      const numericId = parseIntId(raw);
      let query = db.selectFrom('bid_requests').selectAll().where('org_id', '=', orgId);
      query = numericId !== null ? query.where('id', '=', String(numericId)) : query.where('request_id', '=', raw);
      const row = await query.executeTakeFirst();
      if (!row) throw ERRORS.notFound('Auction', raw);
      return { status: 200, body: replayFromRow(row) };
    },

    // Probing sends requests and stores results: a POST, rate-limited (x-rate-limit: health).
    async runRtbHealthChecks(ctx) {
      const results = await probeTargets(db, rtb, ctx.principal().orgId);
      return { status: 200, body: healthReport(results) };
    },

    // The GET only reads what the last probes stored.
    async listRtbHealthChecks(ctx) {
      return { status: 200, body: healthReport(await storedHealthResults(db, ctx.principal().orgId)) };
    },
  };
}
