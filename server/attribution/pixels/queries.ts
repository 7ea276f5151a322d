// Tracking pixel rows, every query scoped by the organisation.
import { sql, type Insertable, type Updateable } from 'kysely';
import type { Db, PixelEvent, TrackingPixelRow, TrackingPixelsTable } from '../../../db/types.js';

export type NewPixel = Insertable<TrackingPixelsTable>;
export type PixelPatch = Updateable<TrackingPixelsTable>;

export interface DeliveryCounts {
  pending: number;
  delivered: number;
  failed: number;
}

export const NO_DELIVERIES: DeliveryCounts = Object.freeze({ pending: 0, delivered: 0, failed: 0 });

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
export async function deliveryCounts(db: Db, orgId: string, pixelIds: readonly number[]): Promise<Map<number, DeliveryCounts>> {
  const counts = new Map<number, DeliveryCounts>();
  if (pixelIds.length === 0) return counts;
  const rows = await db
    .selectFrom('pixel_deliveries')
    .select(['pixel_id', 'status', (eb) => eb.fn.countAll<string>().as('n')])
    .where('org_id', '=', orgId)
    .where('pixel_id', 'in', [...pixelIds])
    .groupBy(['pixel_id', 'status'])
    .execute();
  for (const row of rows) {
    const entry = counts.get(row.pixel_id) ?? { ...NO_DELIVERIES };
    entry[row.status] = Number(row.n);
    counts.set(row.pixel_id, entry);
  }
  return counts;
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
