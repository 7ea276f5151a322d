import { isForeignKeyViolation, isUniqueViolation } from '../../platform/common/pg-errors.js';
import { ownCampaignId } from '../campaigns/own-campaign.js';
import { ERRORS } from '../../platform/errors.js';
import type { Deps, HandlerGroup } from '../../handler-types.js';
import { buyerIdOf, ownBuyer } from './own-buyer.js';
import { isOwnTrackingNumber } from '../numbers/queries.js';
import { buyerPatch, buyerProblems, operatingHoursColumn, presentBuyer, presentCampaignBuyer } from './mapping.js';
import {
  deleteBuyerInOrg,
  deleteCampaignBuyer,
  findBuyerInOrg,
  findCampaignBuyer,
  insertBuyer,
  insertCampaignBuyer,
  listBuyersInOrg,
  listCampaignBuyers,
  updateBuyerInOrg,
} from './queries.js';

type BuyerOps =
  | 'listBuyers'
  | 'createBuyer'
  | 'getBuyer'
  | 'updateBuyer'
  | 'deleteBuyer'
  | 'listCampaignBuyers'
  | 'addCampaignBuyer'
  | 'removeCampaignBuyer';

function rejectProblems(problems: Record<string, string>): void {
  if (Object.keys(problems).length > 0) throw ERRORS.validation(problems);
}

/**
 * A buyer's destination may not be one of the organisation's own tracking numbers: every call
 * routed to it would come back in as a new call, routed to it again, without end.
 */
async function checkDestination(db: Deps['db'], orgId: string, phoneNumber: string | undefined): Promise<void> {
  if (phoneNumber !== undefined && (await isOwnTrackingNumber(db, orgId, phoneNumber))) {
    throw ERRORS.validation({ phoneNumber: "is one of this organisation's tracking numbers: calls to the buyer would come back in, without end" });
  }
}

export function createBuyerHandlers({ db }: Deps): HandlerGroup<BuyerOps> {
  return {
    async listBuyers(ctx) {
      const rows = await listBuyersInOrg(db, ctx.principal().orgId);
      return { status: 200, body: rows.map(presentBuyer) };
    },

    async createBuyer(ctx) {
      rejectProblems(buyerProblems(ctx.body));
      await checkDestination(db, ctx.principal().orgId, ctx.body.phoneNumber);
      const row = await insertBuyer(db, {
        ...buyerPatch(ctx.body),
        org_id: ctx.principal().orgId,
        name: ctx.body.name,
        phone_number: ctx.body.phoneNumber,
        company_name: ctx.body.companyName ?? null,
        email: ctx.body.email ?? null,
        max_concurrent_calls: ctx.body.maxConcurrentCalls ?? null,
        operating_hours: operatingHoursColumn(ctx.body.operatingHours),
        hourly_cap: ctx.body.hourlyCap ?? null,
        daily_cap: ctx.body.dailyCap ?? null,
        monthly_cap: ctx.body.monthlyCap ?? null,
      });
      return { status: 201, body: presentBuyer(row) };
    },

    async getBuyer(ctx) {
      return { status: 200, body: presentBuyer(await ownBuyer(db, ctx.principal().orgId, ctx.params.id)) };
    },

    async updateBuyer(ctx) {
      const id = buyerIdOf(ctx.params.id);
      rejectProblems(buyerProblems(ctx.body));
      await checkDestination(db, ctx.principal().orgId, ctx.body.phoneNumber);
      const row = await updateBuyerInOrg(db, ctx.principal().orgId, id, buyerPatch(ctx.body));
      if (!row) throw ERRORS.notFound('Buyer', ctx.params.id);
      return { status: 200, body: presentBuyer(row) };
    },

    async deleteBuyer(ctx) {
      const deleted = await deleteBuyerInOrg(db, ctx.principal().orgId, buyerIdOf(ctx.params.id));
      if (!deleted) throw ERRORS.notFound('Buyer', ctx.params.id);
      return { status: 204, body: undefined };
    },

    async listCampaignBuyers(ctx) {
      const { orgId } = ctx.principal();
      const campaignId = await ownCampaignId(db, orgId, ctx.params.id);
      const rows = await listCampaignBuyers(db, orgId, campaignId);
      return { status: 200, body: rows.map(presentCampaignBuyer) };
    },

    async addCampaignBuyer(ctx) {
      const { orgId } = ctx.principal();
      const campaignId = await ownCampaignId(db, orgId, ctx.params.id);
      const { buyerId: id, priority, weight, isActive } = ctx.body;
      if (!(await findBuyerInOrg(db, orgId, id))) throw ERRORS.notFound('Buyer', id);
      try {
        await insertCampaignBuyer(db, {
          orgId,
          campaignId,
          buyerId: id,
          ...(priority !== undefined ? { priority } : {}),
          ...(weight !== undefined ? { weight } : {}),
          ...(isActive !== undefined ? { isActive } : {}),
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw ERRORS.conflict({ buyerId: 'is already assigned to this campaign' });
        // The campaign or the buyer was deleted since it was checked: checking again names it (404).
        if (isForeignKeyViolation(err)) {
          await ownCampaignId(db, orgId, campaignId);
          throw ERRORS.notFound('Buyer', id);
        }
        throw err;
      }
      const row = await findCampaignBuyer(db, orgId, campaignId, id);
      if (!row) throw ERRORS.notFound('Buyer', id);
      return { status: 201, body: presentCampaignBuyer(row) };
    },

    async removeCampaignBuyer(ctx) {
      const { orgId } = ctx.principal();
      const campaignId = await ownCampaignId(db, orgId, ctx.params.id);
      const id = buyerIdOf(ctx.params.buyerId);
      if (!(await deleteCampaignBuyer(db, orgId, campaignId, id))) throw ERRORS.notFound('Buyer assignment', ctx.params.buyerId);
      return { status: 204, body: undefined };
    },
  };
}
