// Tracking pixel rows, every query scoped by the organisation.
import { sql, type Insertable, type Updateable } from 'kysely';
import type { Db, PixelEvent, TrackingPixelRow, TrackingPixelsTable } from '../../../db/types.js';
import { deliveryCounts, type DeliveryCounts } from '../../platform/deliveries/queries.js';
import { PIXEL_QUEUE } from './worker.js';

export { NO_DELIVERIES, type DeliveryCounts } from '../../platform/deliveries/queries.js';

export type NewPixel = Insertable<TrackingPixelsTable>;
export type PixelPatch = Updateable<TrackingPixelsTable>;

export function listPixelsInOrg(db: Db, orgId: string): Promise<TrackingPixelRow[]> {
  return db.selectFrom('tracking_pixels').selectAll().where('org_id', '=', orgId).orderBy('id').execute();
}

export function findPixelInOrg(db: Db, orgId: string, id: number): Promise<TrackingPixelRow | undefined> {
  return db.selectFrom('tracking_pixels').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export function insertPixel(db: Db, values: NewPixel): Promise<TrackingPixelRow> {
  return db.insertInto('tracking_pixels').values(values).returningAll().executeTakeFirstOrThrow();
}

export function updatePixelInOrg(db: Db, orgId: string, id: number, patch: PixelPatch): Promise<TrackingPixelRow | undefined> {
  return db
    .updateTable('tracking_pixels')
    .set({ ...patch, updated_at: sql<Date>`now()` })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Deletes the pixel; its deliveries and their attempts go with it (ON DELETE CASCADE). */
export async function deletePixelInOrg(db: Db, orgId: string, id: number): Promise<boolean> {
  const result = await db.deleteFrom('tracking_pixels').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Deliveries per pixel and status (pixels without any are absent from the map). */
export function pixelDeliveryCounts(db: Db, orgId: string, pixelIds: readonly number[]): Promise<Map<number, DeliveryCounts>> {
  return deliveryCounts(db, PIXEL_QUEUE, orgId, pixelIds);
}

/** Whether the organisation has an active pixel that fires on `event`. */
export async function hasActivePixels(db: Db, orgId: string, event: PixelEvent): Promise<boolean> {
  const row = await db
    .selectFrom('tracking_pixels')
    .select('id')
    .where('org_id', '=', orgId)
    .where('is_active', '=', true)
    .where(sql<boolean>`fire_on @> ${JSON.stringify([event])}::jsonb`)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
