// The do-not-call list. `isDoNotCall` is what the dialer asks just before every dial (and what
// lead create and import ask); adding a number marks the organisation's leads with it at once,
// removing it unmarks them.
import { sql } from 'kysely';
import type { Db, DncNumberRow, LeadRow, LeadSource } from '../../../db/types.js';

/**
 * The lock that orders lead writes and list changes of one organisation. A lead write reads the
 * list and a list change marks the leads it sees; under READ COMMITTED neither sees the other's
 * uncommitted row, so both hold this lock until they commit: lead writes share it (they never wait
 * for each other), a list change takes it alone. Must be called inside the write's transaction.
 */
export async function lockDncList(trx: Db, orgId: string, mode: 'share' | 'exclusive'): Promise<void> {
  const key = sql`hashtextextended(${`dnc:${orgId}`}, 0)`;
  await (mode === 'share' ? sql`SELECT pg_advisory_xact_lock_shared(${key})` : sql`SELECT pg_advisory_xact_lock(${key})`).execute(trx);
}

/**
 * A lead's do-not-call columns for this number as the list stands: a listed number is marked (dial
 * status `dnc`, unless the dialer is calling it now), an unlisted one unmarked (`dnc` → `pending`).
 * Call inside the lead write's transaction after lockDncList(…, 'share').
 */
export async function leadDncColumns(trx: Db, orgId: string, phoneE164: string, current: Pick<LeadRow, 'dial_status'> | null): Promise<Pick<LeadRow, 'do_not_call'> & Partial<Pick<LeadRow, 'dial_status'>>> {
  if (await isDoNotCall(trx, orgId, phoneE164)) return { do_not_call: true, dial_status: current?.dial_status === 'calling' ? 'calling' : 'dnc' };
  return { do_not_call: false, ...(current?.dial_status === 'dnc' ? { dial_status: 'pending' as const } : {}) };
}

/** Whether the organisation's do-not-call list holds this E.164 number. */
export async function isDoNotCall(db: Db, orgId: string, phoneE164: string): Promise<boolean> {
  const row = await db.selectFrom('dnc_numbers').select('id').where('org_id', '=', orgId).where('phone_e164', '=', phoneE164).executeTakeFirst();
  return row !== undefined;
}

/** Which of these E.164 numbers the organisation's do-not-call list holds (one query for a batch). */
export async function doNotCallAmong(db: Db, orgId: string, phonesE164: readonly string[]): Promise<Set<string>> {
  if (phonesE164.length === 0) return new Set();
  const rows = await db.selectFrom('dnc_numbers').select('phone_e164').where('org_id', '=', orgId).where('phone_e164', 'in', [...phonesE164]).execute();
  return new Set(rows.map((r) => r.phone_e164));
}

/** The list, newest first; with `digits`, only the numbers holding one of these digit strings. */
export async function listDncNumbers(db: Db, orgId: string, digits: readonly string[] | null, limit: number, offset: number): Promise<{ rows: DncNumberRow[]; total: number }> {
  let base = db.selectFrom('dnc_numbers').where('org_id', '=', orgId);
  if (digits && digits.length > 0) base = base.where(sql<boolean>`(${sql.join(digits.map((d) => sql`strpos(phone_e164, ${d}) > 0`), sql` OR `)})`);
  const rows = await base.selectAll().orderBy('created_at', 'desc').orderBy('id').limit(limit).offset(offset).execute();
  const total = Number((await base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  return { rows, total };
}

export interface NewDncNumber {
  phoneE164: string;
  reason: string | null;
}

/**
 * Add numbers (those already listed are left as they are) and mark the organisation's leads with
 * them: `do_not_call`, and dial status `dnc` unless the dialer is calling them right now. Returns
 * the rows added and how many leads were newly marked. Inside a transaction (see lockDncList).
 */
export async function addDncNumbers(
  db: Db,
  orgId: string,
  numbers: NewDncNumber[],
  source: LeadSource,
  userId: number | null,
): Promise<{ added: DncNumberRow[]; leadsMarked: number }> {
  if (numbers.length === 0) return { added: [], leadsMarked: 0 };
  await lockDncList(db, orgId, 'exclusive');
  const added = await db
    .insertInto('dnc_numbers')
    .values(numbers.map((n) => ({ org_id: orgId, phone_e164: n.phoneE164, reason: n.reason, source, created_by_user_id: userId })))
    .onConflict((oc) => oc.columns(['org_id', 'phone_e164']).doNothing())
    .returningAll()
    .execute();
  if (added.length === 0) return { added, leadsMarked: 0 };
  const marked = await db
    .updateTable('leads')
    .set({
      do_not_call: true,
      dial_status: sql`CASE WHEN dial_status = 'calling' THEN dial_status ELSE 'dnc' END`,
      updated_at: sql<Date>`now()`,
    })
    .where('org_id', '=', orgId)
    .where(
      'phone_e164',
      'in',
      added.map((r) => r.phone_e164),
    )
    .where('do_not_call', '=', false)
    .executeTakeFirst();
  return { added, leadsMarked: Number(marked.numUpdatedRows) };
}

/** Take a number off the list and unmark its leads (dial status dnc -> pending). False when it is not the organisation's. */
export async function removeDncNumber(db: Db, orgId: string, id: string): Promise<boolean> {
  await lockDncList(db, orgId, 'exclusive');
  const removed = await db.deleteFrom('dnc_numbers').where('org_id', '=', orgId).where('id', '=', id).returning('phone_e164').executeTakeFirst();
  if (!removed) return false;
  await db
    .updateTable('leads')
    .set({ do_not_call: false, dial_status: sql`CASE WHEN dial_status = 'dnc' THEN 'pending' ELSE dial_status END`, updated_at: sql<Date>`now()` })
    .where('org_id', '=', orgId)
    .where('phone_e164', '=', removed.phone_e164)
    .execute();
  return true;
}
