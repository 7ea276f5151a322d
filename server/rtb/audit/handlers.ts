import type { Deps, HandlerGroup } from '../../handler-types.js';
import { pagination, presentAuctionDetail, presentBidRequest, presentBidResponse } from './mapping.js';
import { countBidRequestsInOrg, listAuctionDetailsInOrg, listBidRequestsInOrg, listBidResponsesInOrg } from './queries.js';

type RtbAuditOps = 'listBidRequests' | 'listBidResponses' | 'listAuctionDetails';

// The contract's defaults (query defaults are not filled in by the validator).
const DEFAULT_PAGE = 1;
const DEFAULT_PAGE_SIZE = 50;
const DEFAULT_DETAIL_LIMIT = 100;

export function createRtbAuditHandlers({ db }: Deps): HandlerGroup<RtbAuditOps> {
  return {
    async listBidRequests(ctx) {
      const { orgId } = ctx.principal();
      const page = ctx.query.page ?? DEFAULT_PAGE;
      const limit = ctx.query.limit ?? DEFAULT_PAGE_SIZE;
      const campaignId = ctx.query.campaignId?.toLowerCase();
      const [rows, total] = await Promise.all([
        listBidRequestsInOrg(db, orgId, { campaignId, limit, offset: (page - 1) * limit }),
        countBidRequestsInOrg(db, orgId, campaignId),
      ]);
      return { status: 200, body: { bidRequests: rows.map(presentBidRequest), pagination: pagination(page, limit, total) } };
    },

    async listBidResponses(ctx) {
      const rows = await listBidResponsesInOrg(db, ctx.principal().orgId, ctx.query.requestId);
      return { status: 200, body: rows.map(presentBidResponse) };
    },

    async listAuctionDetails(ctx) {
      const rows = await listAuctionDetailsInOrg(db, ctx.principal().orgId, {
        callId: ctx.query.callId,
        requestId: ctx.query.requestId,
        limit: ctx.query.limit ?? DEFAULT_DETAIL_LIMIT,
      });
      return { status: 200, body: rows.map(presentAuctionDetail) };
    },
  };
}
