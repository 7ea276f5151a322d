// Tracking pixels (DESIGN.md 4.6): CRUD, scoped by organisation. The URL is judged by the outbound
// guard when saved (with its macros replaced by a placeholder) and again when each delivery is
// sent (worker.ts). The signing secret is write-only.
import { ownCampaignId } from '../../inbound/campaigns/own-campaign.js';
import { parseIntId } from '../../platform/common/ids.js';
import { isForeignKeyViolation } from '../../platform/common/pg-errors.js';
import { ERRORS } from '../../platform/errors.js';
import type { Deps, HandlerGroup } from '../../handler-types.js';
import { checkOutboundUrl } from '../../platform/http/outbound/url-policy.js';
import { withPlaceholders } from './macros.js';
import { pixelPatch, presentPixel } from './mapping.js';
import { deletePixelInOrg, pixelDeliveryCounts, findPixelInOrg, insertPixel, listPixelsInOrg, NO_DELIVERIES, updatePixelInOrg } from './queries.js';

type PixelOps = 'listTrackingPixels' | 'createTrackingPixel' | 'getTrackingPixel' | 'updateTrackingPixel' | 'deleteTrackingPixel';

export function createPixelHandlers({ db, outboundPolicy }: Deps): HandlerGroup<PixelOps> {
  function pixelId(raw: string): number {
    const id = parseIntId(raw);
    if (id === null) throw ERRORS.notFound('Tracking pixel', raw);
    return id;
  }

  /** The outbound guard's save-time verdict on a pixel URL (nothing when not sent): 400 naming `url`. */
  async function checkUrl(url: string | undefined): Promise<void> {
    if (url === undefined) return;
    const verdict = await checkOutboundUrl(withPlaceholders(url), outboundPolicy);
    if (!verdict.ok) throw ERRORS.validation({ url: verdict.reason });
  }

  /** undefined: not sent; null: every campaign; else the caller's campaign (another's is a 404). */
  async function campaignFilter(orgId: string, raw: string | null | undefined): Promise<string | null | undefined> {
    if (raw === undefined || raw === null) return raw;
    return ownCampaignId(db, orgId, raw);
  }

  /** The write; its campaign deleted since the check (the foreign key refuses it) is the 404 of an unknown campaign. */
  async function campaignDeletedMeanwhile<T>(campaignId: string | null | undefined, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (err) {
      if (isForeignKeyViolation(err) && typeof campaignId === 'string') throw ERRORS.notFound('Campaign', campaignId);
      throw err;
    }
  }

  async function counts(orgId: string, id: number) {
    return (await pixelDeliveryCounts(db, orgId, [id])).get(id) ?? NO_DELIVERIES;
  }

  return {
    async listTrackingPixels(ctx) {
      const { orgId } = ctx.principal();
      const rows = await listPixelsInOrg(db, orgId);
      const byPixel = await pixelDeliveryCounts(db, orgId, rows.map((r) => r.id));
      return { status: 200, body: rows.map((row) => presentPixel(row, byPixel.get(row.id) ?? NO_DELIVERIES)) };
    },

    async createTrackingPixel(ctx) {
      const { orgId } = ctx.principal();
      const campaignId = await campaignFilter(orgId, ctx.body.campaignId);
      await checkUrl(ctx.body.url);
      const row = await campaignDeletedMeanwhile(campaignId, () =>
        insertPixel(db, {
          ...pixelPatch(ctx.body),
          org_id: orgId,
          name: ctx.body.name,
          url: ctx.body.url.trim(),
          campaign_id: campaignId ?? null,
        }),
      );
      return { status: 201, body: presentPixel(row, NO_DELIVERIES) };
    },

    async getTrackingPixel(ctx) {
      const { orgId } = ctx.principal();
      const id = pixelId(ctx.params.id);
      const row = await findPixelInOrg(db, orgId, id);
      if (!row) throw ERRORS.notFound('Tracking pixel', ctx.params.id);
      return { status: 200, body: presentPixel(row, await counts(orgId, id)) };
    },

    async updateTrackingPixel(ctx) {
      const { orgId } = ctx.principal();
      const id = pixelId(ctx.params.id);
      // Another organisation's pixel is a 404 before anything about the body is said.
      if (!(await findPixelInOrg(db, orgId, id))) throw ERRORS.notFound('Tracking pixel', ctx.params.id);
      const campaignId = await campaignFilter(orgId, ctx.body.campaignId);
      await checkUrl(ctx.body.url);
      const patch = pixelPatch(ctx.body);
      if (campaignId !== undefined) patch.campaign_id = campaignId;
      const row = await campaignDeletedMeanwhile(campaignId, () => updatePixelInOrg(db, orgId, id, patch));
      if (!row) throw ERRORS.notFound('Tracking pixel', ctx.params.id);
      return { status: 200, body: presentPixel(row, await counts(orgId, id)) };
    },

    async deleteTrackingPixel(ctx) {
      const deleted = await deletePixelInOrg(db, ctx.principal().orgId, pixelId(ctx.params.id));
      if (!deleted) throw ERRORS.notFound('Tracking pixel', ctx.params.id);
      return { status: 204, body: undefined };
    },
  };
}
