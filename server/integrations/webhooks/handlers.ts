// /api/webhook-endpoints (DESIGN.md 9.3, seed 003 "Webhook Integration"): CRUD, the secret shown
// once and rotated, the ping test, the delivery log and replay. Scoped by organisation (another
// organisation's endpoint or delivery is a 404); managers and above (x-min-role): a delivery's
// payload carries leads and calls of the whole organisation. The URL is judged by the outbound
// guard when saved and again when each delivery is sent.
import type { Deps, HandlerGroup } from '../../handler-types.js';
import { parseUuid } from '../../platform/common/ids.js';
import { inTransaction } from '../../platform/common/transaction.js';
import { ERRORS } from '../../platform/errors.js';
import { checkOutboundUrl } from '../../platform/http/outbound/url-policy.js';
import { NO_DELIVERIES } from '../../platform/deliveries/queries.js';
import { attemptsOf, cancelPendingDeliveries, findDelivery, listDeliveries, queuePing, replayDelivery, retargetPendingDeliveries } from './deliveries.js';
import { cancelledDeliveryError, MANUAL_DISABLE_REASON } from './disable-policy.js';
import { endpointPatch, normaliseEvents, presentDelivery, presentEndpoint, presentEndpointWithSecret } from './mapping.js';
import { deleteEndpointInOrg, endpointCounts, endpointDeliveryCounts, findEndpointInOrg, insertEndpoint, listEndpointsInOrg, lockEndpointInOrg, updateEndpointInOrg } from './queries.js';
import { newSigningSecret } from './secret.js';

type WebhookOps =
  | 'listWebhookEndpoints'
  | 'createWebhookEndpoint'
  | 'getWebhookEndpoint'
  | 'updateWebhookEndpoint'
  | 'deleteWebhookEndpoint'
  | 'rotateWebhookEndpointSecret'
  | 'testWebhookEndpoint'
  | 'listWebhookDeliveries'
  | 'replayWebhookDelivery';

const DELIVERY_ID = /^[1-9][0-9]{0,17}$/;

export function createWebhookEndpointHandlers({ db, outboundPolicy }: Deps): HandlerGroup<WebhookOps> {
  function endpointId(raw: string): string {
    const id = parseUuid(raw);
    if (!id) throw ERRORS.notFound('Webhook endpoint', raw);
    return id;
  }

  /** The caller's endpoint, else a 404 (before anything about a body is said). */
  async function ownEndpoint(orgId: string, raw: string) {
    const row = await findEndpointInOrg(db, orgId, endpointId(raw));
    if (!row) throw ERRORS.notFound('Webhook endpoint', raw);
    return row;
  }

  /** The outbound guard's save-time verdict on a URL (nothing when not sent): 400 naming `url`. */
  async function checkUrl(url: string | undefined): Promise<void> {
    if (url === undefined) return;
    const verdict = await checkOutboundUrl(url.trim(), outboundPolicy);
    if (!verdict.ok) throw ERRORS.validation({ url: verdict.reason });
  }

  return {
    async listWebhookEndpoints(ctx) {
      const { orgId } = ctx.principal();
      const rows = await listEndpointsInOrg(db, orgId);
      const counts = await endpointDeliveryCounts(db, orgId, rows.map((r) => r.id));
      return { status: 200, body: rows.map((row) => presentEndpoint(row, counts.get(row.id) ?? NO_DELIVERIES)) };
    },

    async createWebhookEndpoint(ctx) {
      const { orgId } = ctx.principal();
      await checkUrl(ctx.body.url);
      const row = await insertEndpoint(db, {
        ...endpointPatch(ctx.body, null, new Date()),
        org_id: orgId,
        url: ctx.body.url.trim(),
        events: JSON.stringify(normaliseEvents(ctx.body.events)),
        signing_secret: newSigningSecret(),
      });
      return { status: 201, body: presentEndpointWithSecret(row, NO_DELIVERIES) };
    },

    async getWebhookEndpoint(ctx) {
      const { orgId } = ctx.principal();
      const row = await ownEndpoint(orgId, ctx.params.id);
      return { status: 200, body: presentEndpoint(row, await endpointCounts(db, orgId, row.id)) };
    },

    async updateWebhookEndpoint(ctx) {
      const { orgId } = ctx.principal();
      const { id } = await ownEndpoint(orgId, ctx.params.id);
      await checkUrl(ctx.body.url);
      const row = await inTransaction(db, async (trx) => {
        // The change is worked out from the row as it is once held: the delivery worker may have
        // disabled the endpoint since it was read (then "isActive: true" is a change, not a no-op).
        const current = await lockEndpointInOrg(trx, orgId, id);
        if (!current) return undefined;
        const patch = endpointPatch(ctx.body, current, new Date());
        const updated = await updateEndpointInOrg(trx, orgId, id, patch);
        if (!updated) return undefined;
        if (patch.is_active === false) await cancelPendingDeliveries(trx, orgId, updated.id, cancelledDeliveryError(MANUAL_DISABLE_REASON));
        if (patch.url !== undefined && patch.url !== current.url) await retargetPendingDeliveries(trx, orgId, updated.id, patch.url);
        return updated;
      });
      if (!row) throw ERRORS.notFound('Webhook endpoint', ctx.params.id);
      return { status: 200, body: presentEndpoint(row, await endpointCounts(db, orgId, row.id)) };
    },

    async deleteWebhookEndpoint(ctx) {
      const deleted = await deleteEndpointInOrg(db, ctx.principal().orgId, endpointId(ctx.params.id));
      if (!deleted) throw ERRORS.notFound('Webhook endpoint', ctx.params.id);
      return { status: 204, body: undefined };
    },

    async rotateWebhookEndpointSecret(ctx) {
      const { orgId } = ctx.principal();
      const row = await updateEndpointInOrg(db, orgId, endpointId(ctx.params.id), { signing_secret: newSigningSecret() });
      if (!row) throw ERRORS.notFound('Webhook endpoint', ctx.params.id);
      return { status: 200, body: presentEndpointWithSecret(row, await endpointCounts(db, orgId, row.id)) };
    },

    async testWebhookEndpoint(ctx) {
      const { orgId } = ctx.principal();
      const row = await queuePing(db, orgId, endpointId(ctx.params.id));
      if (!row) throw ERRORS.notFound('Webhook endpoint', ctx.params.id);
      return { status: 202, body: presentDelivery(row, []) };
    },

    async listWebhookDeliveries(ctx) {
      const { orgId } = ctx.principal();
      const endpoint = await ownEndpoint(orgId, ctx.params.id);
      const limit = ctx.query.limit ?? 50;
      const page = ctx.query.page ?? 1;
      const { rows, total } = await listDeliveries(db, orgId, endpoint.id, { ...(ctx.query.status ? { status: ctx.query.status } : {}), limit, offset: (page - 1) * limit });
      const attempts = await attemptsOf(db, rows.map((r) => r.id));
      return {
        status: 200,
        body: {
          deliveries: rows.map((row) => presentDelivery(row, attempts.get(row.id) ?? [])),
          pagination: { page, limit, total, totalPages: Math.ceil(total / limit) },
        },
      };
    },

    async replayWebhookDelivery(ctx) {
      const { orgId } = ctx.principal();
      const id = endpointId(ctx.params.id);
      const deliveryId = ctx.params.deliveryId;
      if (!DELIVERY_ID.test(deliveryId)) throw ERRORS.notFound('Webhook delivery', deliveryId);
      const original = await findDelivery(db, orgId, id, deliveryId);
      if (!original) throw ERRORS.notFound('Webhook delivery', deliveryId);
      if (original.status === 'pending') throw ERRORS.conflict({ deliveryId: 'is still pending: it is being tried already' });
      const replay = await replayDelivery(db, orgId, id, deliveryId);
      if (!replay) throw ERRORS.conflict({ deliveryId: 'has a replay still pending: its event is being tried already' });
      return { status: 202, body: presentDelivery(replay, []) };
    },
  };
}
