// Audio rows. The metadata queries never select `data`; the bytes are read in slices
// (substring on an EXTERNAL bytea reads only the TOAST chunks of the slice).
import { sql } from 'kysely';
import type { AudioFilesTable, Db } from '../../../db/types.js';
import type { Selectable, Insertable } from 'kysely';

export type AudioRow = Omit<Selectable<AudioFilesTable>, 'data'>;
export type NewAudio = Insertable<AudioFilesTable>;

const META = ['id', 'org_id', 'name', 'category', 'description', 'file_name', 'format', 'content_type', 'size_bytes', 'duration_seconds', 'sha256', 'created_by', 'created_at'] as const;

export function insertAudio(db: Db, values: NewAudio): Promise<AudioRow> {
  return db.insertInto('audio_files').values(values).returning(META).executeTakeFirstOrThrow();
}

export function findAudioInOrg(db: Db, orgId: string, id: string): Promise<AudioRow | undefined> {
  return db.selectFrom('audio_files').select(META).where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

/** For the signed URL (its signature names the file; no organisation is known). */
export function findAudioById(db: Db, id: string): Promise<AudioRow | undefined> {
  return db.selectFrom('audio_files').select(META).where('id', '=', id).executeTakeFirst();
}

export interface AudioPage {
  rows: AudioRow[];
  total: number;
}

export async function listAudioInOrg(db: Db, orgId: string, opts: { category?: string | undefined; limit: number; offset: number }): Promise<AudioPage> {
  let query = db.selectFrom('audio_files').where('org_id', '=', orgId);
  if (opts.category !== undefined) query = query.where('category', '=', opts.category);
  const [rows, count] = await Promise.all([
    query.select(META).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(opts.limit).offset(opts.offset).execute(),
    query.select((eb) => eb.fn.countAll<string>().as('total')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.total) };
}

/** `length` bytes from `start` (0-based); fewer (or none) when the file is shorter or gone. */
export async function readAudioSlice(db: Db, id: string, start: number, length: number): Promise<Buffer | null> {
  const row = await db
    .selectFrom('audio_files')
    .select(sql<Buffer>`substring(data from ${start + 1} for ${length})`.as('chunk'))
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? row.chunk : null;
}

/** The campaigns whose fallback or voicemail drop plays the audio (ids), and the active flows with a Play node naming it. */
export async function audioUsers(db: Db, orgId: string, id: string): Promise<{ campaigns: string[]; flows: number[] }> {
  const [campaigns, flows] = await Promise.all([
    db
      .selectFrom('campaigns')
      .select('id')
      .where('org_id', '=', orgId)
      .where((eb) => eb.or([eb('fallback_audio_id', '=', id), eb(sql<string>`voicemail_drop->>'audioId'`, '=', id)]))
      .orderBy('id')
      .execute(),
    db
      .selectFrom('call_flows')
      .select('id')
      .where('org_id', '=', orgId)
      .where('status', '=', 'active')
      .where(sql<boolean>`flow_definition @> ${JSON.stringify({ nodes: [{ type: 'Play', config: { audioId: id } }] })}::jsonb`)
      .orderBy('id')
      .execute(),
  ]);
  return { campaigns: campaigns.map((c) => c.id), flows: flows.map((f) => f.id) };
}

/** Lock the audio's row against writes naming it (missingAudioIds) until the transaction ends; false when it is gone. */
export async function lockAudioInOrg(trx: Db, orgId: string, id: string): Promise<boolean> {
  const row = await trx.selectFrom('audio_files').select('id').where('org_id', '=', orgId).where('id', '=', id).forUpdate().executeTakeFirst();
  return row !== undefined;
}

export async function deleteAudioInOrg(db: Db, orgId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('audio_files').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/**
 * Which of `ids` are not audio of the organisation (for flows and campaigns naming them; a UUID in
 * any case). The ones found are locked (FOR KEY SHARE) until the caller's transaction ends: a
 * deletion (deleteAudio, which locks the row before it looks for users) then waits and sees the
 * write naming them, or has committed and they are reported missing here.
 */
export async function missingAudioIds(db: Db, orgId: string, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const found = await db.selectFrom('audio_files').select('id').where('org_id', '=', orgId).where('id', 'in', [...ids]).forKeyShare().execute();
  const known = new Set(found.map((r) => r.id));
  return ids.filter((id) => !known.has(id.toLowerCase()));
}
