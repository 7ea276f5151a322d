import { type Insertable, type Updateable, sql } from 'kysely';
import type { Db, TrackingTagsTable } from '../../../db/types.js';
import type { Selectable } from 'kysely';

export type TrackingTagRow = Selectable<TrackingTagsTable>;
export type NewTrackingTag = Insertable<TrackingTagsTable>;
export type TrackingTagPatch = Updateable<TrackingTagsTable>;

/** The UNIQUE (tag_code) constraint's name (PostgreSQL's default naming). */
export const TAG_CODE_UNIQUE = 'tracking_tags_tag_code_key';

export function listTagsInOrg(db: Db, orgId: string): Promise<TrackingTagRow[]> {
  return db.selectFrom('tracking_tags').selectAll().where('org_id', '=', orgId).orderBy('id').execute();
}

export function findTagInOrg(db: Db, orgId: string, id: number): Promise<TrackingTagRow | undefined> {
  return db.selectFrom('tracking_tags').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

/** What the public snippet needs of a tag (any organisation: the code is public and unique). */
export function findTagForSnippet(db: Db, tagCode: string): Promise<Pick<TrackingTagRow, 'tag_code' | 'number_selector' | 'is_active'> | undefined> {
  return db.selectFrom('tracking_tags').select(['tag_code', 'number_selector', 'is_active']).where('tag_code', '=', tagCode).executeTakeFirst();
}

/** The organisation of a tag by its public code (RedTrack reports may name one), or undefined. */
export async function findTagOrgByCode(db: Db, tagCode: string): Promise<string | undefined> {
  const tag = await db.selectFrom('tracking_tags').select('org_id').where('tag_code', '=', tagCode).executeTakeFirst();
  return tag?.org_id;
}

export function insertTag(db: Db, values: NewTrackingTag): Promise<TrackingTagRow> {
  return db.insertInto('tracking_tags').values(values).returningAll().executeTakeFirstOrThrow();
}

export function updateTagInOrg(db: Db, orgId: string, id: number, patch: TrackingTagPatch): Promise<TrackingTagRow | undefined> {
  return db
    .updateTable('tracking_tags')
    .set({ ...patch, updated_at: sql<Date>`now()` })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Visitor sessions keep their history (FK: ON DELETE SET NULL (tag_id)). */
export async function deleteTagInOrg(db: Db, orgId: string, id: number): Promise<boolean> {
  const result = await db.deleteFrom('tracking_tags').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
