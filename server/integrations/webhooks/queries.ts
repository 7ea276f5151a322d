// Webhook endpoint rows, every query scoped by the organisation.
import { sql } from 'kysely';
import type { Db, NewWebhookEndpoint, WebhookEndpointPatch, WebhookEndpointRow } from '../../../db/types.js';
import { type DeliveryCounts, deliveryCounts, NO_DELIVERIES } from '../../platform/deliveries/queries.js';
import { WEBHOOK_QUEUE } from './queue.js';

export function listEndpointsInOrg(db: Db, orgId: string): Promise<WebhookEndpointRow[]> {
  return db.selectFrom('webhook_endpoints').selectAll().where('org_id', '=', orgId).orderBy('created_at').orderBy('id').execute();
}

export function findEndpointInOrg(db: Db, orgId: string, id: string): Promise<WebhookEndpointRow | undefined> {
  return db.selectFrom('webhook_endpoints').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

/** The endpoint held for a change (in a transaction): the delivery worker's disable waits, or is seen. */
export function lockEndpointInOrg(trx: Db, orgId: string, id: string): Promise<WebhookEndpointRow | undefined> {
  return trx.selectFrom('webhook_endpoints').selectAll().where('org_id', '=', orgId).where('id', '=', id).forUpdate().executeTakeFirst();
}

export function insertEndpoint(db: Db, values: NewWebhookEndpoint): Promise<WebhookEndpointRow> {
  return db.insertInto('webhook_endpoints').values(values).returningAll().executeTakeFirstOrThrow();
}

export function updateEndpointInOrg(db: Db, orgId: string, id: string, patch: WebhookEndpointPatch): Promise<WebhookEndpointRow | undefined> {
  return db
    .updateTable('webhook_endpoints')
    .set({ ...patch, updated_at: sql<Date>`now()` })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Deletes the endpoint; its deliveries and their attempts go with it (ON DELETE CASCADE). */
export async function deleteEndpointInOrg(db: Db, orgId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('webhook_endpoints').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Deliveries per endpoint and status. */
export function endpointDeliveryCounts(db: Db, orgId: string, ids: readonly string[]): Promise<Map<string, DeliveryCounts>> {
  return deliveryCounts(db, WEBHOOK_QUEUE, orgId, ids);
}

export async function endpointCounts(db: Db, orgId: string, id: string): Promise<DeliveryCounts> {
  return (await endpointDeliveryCounts(db, orgId, [id])).get(id) ?? NO_DELIVERIES;
}
