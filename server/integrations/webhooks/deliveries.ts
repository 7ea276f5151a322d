// An endpoint's deliveries: the log (a page, with each delivery's attempts), a replay of one, the
// ping a test queues, and what disabling or moving an endpoint does to its pending ones. Every
// query is scoped by the organisation and the endpoint.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db, WebhookAttemptRow, WebhookDeliveryRow } from '../../../db/types.js';
import { inTransaction } from '../../platform/common/transaction.js';
import { eventEnvelope, eventHeaders } from '../../platform/events/envelope.js';
import { PING_EVENT } from '../../platform/events/types.js';

export type DeliveryStatus = WebhookDeliveryRow['status'];

export interface DeliveryPage {
  rows: WebhookDeliveryRow[];
  total: number;
}

/** One page of the endpoint's log, newest first. */
export async function listDeliveries(db: Db, orgId: string, endpointId: string, filter: { status?: DeliveryStatus; limit: number; offset: number }): Promise<DeliveryPage> {
  let base = db.selectFrom('webhook_deliveries').where('org_id', '=', orgId).where('endpoint_id', '=', endpointId);
  if (filter.status !== undefined) base = base.where('status', '=', filter.status);
  const [rows, counted] = await Promise.all([
    base.selectAll().orderBy('id', 'desc').limit(filter.limit).offset(filter.offset).execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(counted.n) };
}

/** The attempts of these deliveries, by delivery, in order. */
export async function attemptsOf(db: Db, deliveryIds: readonly string[]): Promise<Map<string, WebhookAttemptRow[]>> {
  const byDelivery = new Map<string, WebhookAttemptRow[]>();
  if (deliveryIds.length === 0) return byDelivery;
  const rows = await db.selectFrom('webhook_attempts').selectAll().where('delivery_id', 'in', [...deliveryIds]).orderBy('delivery_id').orderBy('attempt').execute();
  for (const row of rows) {
    const key = String(row.delivery_id);
    byDelivery.set(key, [...(byDelivery.get(key) ?? []), row]);
  }
  return byDelivery;
}

export function findDelivery(db: Db, orgId: string, endpointId: string, id: string): Promise<WebhookDeliveryRow | undefined> {
  return db.selectFrom('webhook_deliveries').selectAll().where('org_id', '=', orgId).where('endpoint_id', '=', endpointId).where('id', '=', id).executeTakeFirst();
}

/**
 * A new delivery of the same event (id, headers, body) to the endpoint's current URL, unless a
 * delivery of that event to the endpoint is still pending (the one replayed, or an earlier replay
 * of it: the event is being tried already). The endpoint's row is held first (the order every
 * change of an endpoint and its deliveries takes), so two replays at once queue the event once.
 */
export async function replayDelivery(db: Db, orgId: string, endpointId: string, id: string): Promise<WebhookDeliveryRow | undefined> {
  return inTransaction(db, async (trx) => {
    await sql`SELECT 1 FROM webhook_endpoints WHERE org_id = ${orgId} AND id = ${endpointId}::uuid FOR NO KEY UPDATE`.execute(trx);
    const { rows } = await sql<WebhookDeliveryRow>`
      INSERT INTO webhook_deliveries (org_id, endpoint_id, event_id, event, url, headers, body, replay_of)
      SELECT d.org_id, d.endpoint_id, d.event_id, d.event, e.url, d.headers, d.body, d.id
        FROM webhook_deliveries d
        JOIN webhook_endpoints e ON e.org_id = d.org_id AND e.id = d.endpoint_id
       WHERE d.org_id = ${orgId} AND d.endpoint_id = ${endpointId}::uuid AND d.id = ${id}::bigint AND d.status <> 'pending'
         AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p WHERE p.endpoint_id = d.endpoint_id AND p.status = 'pending' AND p.event_id = d.event_id)
      RETURNING *`.execute(trx);
    return rows[0];
  });
}

/** Queues a ping to the endpoint, whether it is active or not. */
export async function queuePing(db: Db, orgId: string, endpointId: string): Promise<WebhookDeliveryRow | undefined> {
  const envelope = eventEnvelope({ id: randomUUID(), orgId, type: PING_EVENT, data: { endpointId }, occurredAt: new Date() });
  return db
    .insertInto('webhook_deliveries')
    .columns(['org_id', 'endpoint_id', 'event_id', 'event', 'url', 'headers', 'body'])
    .expression((eb) =>
      eb
        .selectFrom('webhook_endpoints')
        .select([
          'org_id',
          'id',
          sql<string>`${envelope.id}::uuid`.as('event_id'),
          sql<string>`${PING_EVENT}`.as('event'),
          'url',
          sql<string>`${JSON.stringify(eventHeaders(envelope))}::jsonb`.as('headers'),
          sql<string>`${JSON.stringify(envelope)}`.as('body'),
        ])
        .where('org_id', '=', orgId)
        .where('id', '=', endpointId),
    )
    .returningAll()
    .executeTakeFirst();
}

/** Ends the endpoint's pending deliveries (it was disabled); returns how many. */
export async function cancelPendingDeliveries(db: Db, orgId: string, endpointId: string, error: string): Promise<number> {
  const result = await db
    .updateTable('webhook_deliveries')
    .set({ status: 'failed', last_error: error, locked_until: null })
    .where('org_id', '=', orgId)
    .where('endpoint_id', '=', endpointId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Points the endpoint's pending deliveries at its new URL. */
export async function retargetPendingDeliveries(db: Db, orgId: string, endpointId: string, url: string): Promise<void> {
  await db.updateTable('webhook_deliveries').set({ url }).where('org_id', '=', orgId).where('endpoint_id', '=', endpointId).where('status', '=', 'pending').execute();
}
