import { type ExpressionBuilder, type Insertable, type Kysely, sql } from 'kysely';
import type { DB, Db, PhoneNumberRow, PhoneNumbersTable } from '../../../db/types.js';

export type { PhoneNumberRow } from '../../../db/types.js';
export type NewPhoneNumber = Insertable<PhoneNumbersTable>;

/** The unique index on phone_numbers.phone_number (one row per number, across organisations). */
export const PHONE_NUMBER_UNIQUE = 'phone_numbers_phone_number_key';

export function listNumbersInOrg(db: Db, orgId: string): Promise<PhoneNumberRow[]> {
  return db.selectFrom('phone_numbers').selectAll().where('org_id', '=', orgId).orderBy('id').execute();
}

export function findNumberInOrg(db: Db, orgId: string, id: number): Promise<PhoneNumberRow | undefined> {
  return db.selectFrom('phone_numbers').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

/**
 * The row holding `phoneNumber`, in any organisation: a number can be bought only once, so the
 * purchase checks the whole table before it spends money. Callers must not show the row itself.
 */
export function findNumberByPhone(
  db: Db,
  phoneNumber: string,
): Promise<Pick<PhoneNumberRow, 'id' | 'org_id' | 'provider_sid' | 'campaign_id' | 'pool_id' | 'ai_agent_id'> | undefined> {
  return db
    .selectFrom('phone_numbers')
    .select(['id', 'org_id', 'provider_sid', 'campaign_id', 'pool_id', 'ai_agent_id'])
    .where('phone_number', '=', phoneNumber)
    .executeTakeFirst();
}

/**
 * A number outside any campaign, pool and AI agent answers for the campaign of its organisation
 * that names it as its own phoneNumber (webhooks/lookup.ts). Pointing it at another campaign,
 * pooling it or giving it an AI agent would take every call from that campaign, so those writes
 * carry this condition: no campaign of the number's organisation but `except` names the number.
 */
export function notNamedByOtherCampaign(eb: ExpressionBuilder<DB, 'phone_numbers'>, except: string | null = null) {
  let naming = eb
    .selectFrom('campaigns')
    .select('campaigns.id')
    .whereRef('campaigns.org_id', '=', 'phone_numbers.org_id')
    .whereRef('campaigns.phone_number', '=', 'phone_numbers.phone_number');
  if (except !== null) naming = naming.where('campaigns.id', '<>', except);
  return eb.not(eb.exists(naming));
}

/**
 * A campaign naming a number as its phoneNumber and a write pointing, pooling or giving that
 * number an agent each check the other's state, so both take the number's row lock first
 * (SELECT ... FOR UPDATE, inside their transaction) and check only after it: the second to come
 * then reads the first's committed change. (An UPDATE alone is not enough: waiting on the row,
 * PostgreSQL re-checks the row but runs its campaigns subquery on the old snapshot.)
 */
export async function lockNumberInOrg(trx: Db, orgId: string, id: number): Promise<void> {
  await trx.selectFrom('phone_numbers').select('id').where('org_id', '=', orgId).where('id', '=', id).forUpdate().execute();
}

/** `write` in a transaction that holds the number's row lock first (lockNumberInOrg). */
export function withNumberLocked<T>(db: Kysely<DB>, orgId: string, id: number, write: (trx: Db) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await lockNumberInOrg(trx, orgId, id);
    return write(trx);
  });
}

/** lockNumberInOrg by the number itself, in whichever organisation holds it (none: nothing to lock). */
export async function lockNumberByPhone(trx: Db, phoneNumber: string): Promise<void> {
  await trx.selectFrom('phone_numbers').select('id').where('phone_number', '=', phoneNumber).forUpdate().execute();
}

/** The campaign of the organisation, other than `except`, whose own phoneNumber is `phoneNumber` (at most one). */
export async function campaignNamingNumber(db: Db, orgId: string, phoneNumber: string, except: string | null = null): Promise<string | undefined> {
  let query = db.selectFrom('campaigns').select('id').where('org_id', '=', orgId).where('phone_number', '=', phoneNumber);
  if (except !== null) query = query.where('id', '<>', except);
  return (await query.executeTakeFirst())?.id;
}

export function insertNumber(db: Db, values: NewPhoneNumber): Promise<PhoneNumberRow> {
  return db.insertInto('phone_numbers').values(values).returningAll().executeTakeFirstOrThrow();
}

/**
 * Point a number at a campaign (or at none). Only a number outside any pool, and (pointed at a
 * campaign) named as phoneNumber by no other campaign, changes: undefined when the number is
 * unknown in the organisation, pooled or another campaign's own number (the caller tells which).
 */
export function setNumberCampaignInOrg(db: Db, orgId: string, id: number, campaignId: string | null): Promise<PhoneNumberRow | undefined> {
  let query = db
    .updateTable('phone_numbers')
    .set({ campaign_id: campaignId, updated_at: sql<Date>`now()` })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('pool_id', 'is', null);
  if (campaignId !== null) query = query.where((eb) => notNamedByOtherCampaign(eb, campaignId));
  return query.returningAll().executeTakeFirst();
}

export async function deleteNumberInOrg(db: Db, orgId: string, id: number): Promise<boolean> {
  const result = await db.deleteFrom('phone_numbers').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Whether `agentId` is one of the organisation's AI agents (not archived). */
export async function isOwnAiAgent(db: Db, orgId: string, agentId: string): Promise<boolean> {
  const row = await db.selectFrom('ai_agents').select('id').where('org_id', '=', orgId).where('id', '=', agentId).where('archived_at', 'is', null).executeTakeFirst();
  return row !== undefined;
}

/**
 * Give a number to an AI agent (or to none), and/or turn it on or off. An agent is set only on a
 * number outside any pool and campaign that no campaign names as its phoneNumber: undefined when
 * the number is unknown in the organisation or taken (the caller tells which).
 */
export function updateNumberInOrg(db: Db, orgId: string, id: number, patch: { ai_agent_id?: string | null; is_active?: boolean }): Promise<PhoneNumberRow | undefined> {
  let query = db
    .updateTable('phone_numbers')
    .set({ ...patch, updated_at: sql<Date>`now()` })
    .where('org_id', '=', orgId)
    .where('id', '=', id);
  if (patch.ai_agent_id != null) query = query.where('campaign_id', 'is', null).where('pool_id', 'is', null).where((eb) => notNamedByOtherCampaign(eb));
  return query.returningAll().executeTakeFirst();
}

/**
 * Whether `phoneNumber` is one of the tracking numbers the organisation holds (Twilio's calls to it
 * reach our voice webhook). A campaign's number it does not hold is not one: only the simulator
 * accepts those, made up (seed 000's +1234567890, which seed 000 also gives a buyer), and no call
 * of a carrier reaches them.
 */
export async function isOwnTrackingNumber(db: Db, orgId: string, phoneNumber: string): Promise<boolean> {
  return (await findNumberByPhone(db, phoneNumber))?.org_id === orgId;
}
