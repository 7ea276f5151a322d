// Lead queries. Every one is scoped by organisation, and for an agent by assignment (`scope`).
import { type Expression, type SqlBool, sql } from 'kysely';
import type { Db, LeadDialStatus, LeadPatch, LeadRow, LeadStage, NewLead } from '../../../db/types.js';
import { escapeLike, type SearchPlan } from './search.js';

/** Whose leads a caller may see: all of the organisation's, or (an agent) only those assigned to it. */
export interface LeadScope {
  orgId: string;
  assignedTo: number | null;
}

export interface LeadFilters {
  search: SearchPlan | null;
  campaignId?: string;
  stage?: LeadStage;
  dialStatus?: LeadDialStatus;
  assignedTo?: number;
  limit: number;
  offset: number;
}

/** How close a word of a name, company or email must be to count as a typo of the search (0..1). */
export const WORD_SIMILARITY_THRESHOLD = 0.5;

export function findLead(db: Db, scope: LeadScope, id: string): Promise<LeadRow | undefined> {
  let query = db.selectFrom('leads').selectAll().where('org_id', '=', scope.orgId).where('id', '=', id);
  if (scope.assignedTo !== null) query = query.where('assigned_to', '=', scope.assignedTo);
  return query.executeTakeFirst();
}

export function insertLead(db: Db, values: NewLead): Promise<LeadRow> {
  return db.insertInto('leads').values(values).returningAll().executeTakeFirstOrThrow();
}

export function updateLead(db: Db, scope: LeadScope, id: string, patch: LeadPatch): Promise<LeadRow | undefined> {
  let query = db
    .updateTable('leads')
    .set({ ...patch, updated_at: sql<Date>`now()` })
    .where('org_id', '=', scope.orgId)
    .where('id', '=', id);
  if (scope.assignedTo !== null) query = query.where('assigned_to', '=', scope.assignedTo);
  return query.returningAll().executeTakeFirst();
}

export async function deleteLead(db: Db, orgId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('leads').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** The organisation's country for national numbers, and the campaign's when it has one. */
export async function defaultCountryFor(db: Db, orgId: string, campaignId: string | null): Promise<string> {
  if (campaignId) {
    const campaign = await db.selectFrom('campaigns').select('default_country').where('org_id', '=', orgId).where('id', '=', campaignId).executeTakeFirst();
    if (campaign?.default_country) return campaign.default_country;
  }
  const org = await db.selectFrom('organizations').select('default_country').where('id', '=', orgId).executeTakeFirst();
  return org?.default_country ?? 'US';
}

export async function isUserOfOrg(db: Db, orgId: string, userId: number): Promise<boolean> {
  return (await db.selectFrom('users').select('id').where('org_id', '=', orgId).where('id', '=', userId).executeTakeFirst()) !== undefined;
}

function searchCondition(plan: SearchPlan): Expression<SqlBool> {
  if (plan.kind === 'phone') {
    const likes = plan.fragments.map((f) => sql<SqlBool>`phone_digits LIKE ${`%${escapeLike(f)}%`}`);
    return sql<SqlBool>`(${sql.join(likes, sql` OR `)})`;
  }
  const like = `%${escapeLike(plan.text)}%`;
  const fullText = plan.prefixQuery ? sql<SqlBool>` OR search_tsv @@ to_tsquery('simple', ${plan.prefixQuery})` : sql``;
  return sql<SqlBool>`(search_doc LIKE ${like} OR ${plan.text} <% search_doc${fullText})`;
}

/** Exact matches first, then matches of whole words / substrings, then the closest typos; newest among equals. */
function searchRank(plan: SearchPlan) {
  if (plan.kind === 'phone') {
    const exact = plan.fragments.map((f) => sql`phone_digits = ${f} OR phone_digits LIKE ${`${escapeLike(f)}%`}`);
    return [sql`(${sql.join(exact, sql` OR `)}) DESC`];
  }
  const like = `%${escapeLike(plan.text)}%`;
  return [
    // coalesce: a missing company or email must not make the comparison NULL (NULLs sort first in DESC).
    sql`coalesce(lower(name) = ${plan.text} OR lower(company) = ${plan.text} OR lower(email) = ${plan.text}, false) DESC`,
    sql`(search_doc LIKE ${like}) DESC`,
    sql`word_similarity(${plan.text}, search_doc) DESC`,
  ];
}

/** One page of leads and how many match in all. */
export async function listLeads(db: Db, scope: LeadScope, filters: LeadFilters): Promise<{ rows: LeadRow[]; total: number }> {
  const run = async (trx: Db) => {
    let base = trx.selectFrom('leads').where('org_id', '=', scope.orgId);
    if (scope.assignedTo !== null) base = base.where('assigned_to', '=', scope.assignedTo);
    if (filters.assignedTo !== undefined) base = base.where('assigned_to', '=', filters.assignedTo);
    if (filters.campaignId !== undefined) base = base.where('campaign_id', '=', filters.campaignId);
    if (filters.stage !== undefined) base = base.where('stage', '=', filters.stage);
    if (filters.dialStatus !== undefined) base = base.where('dial_status', '=', filters.dialStatus);
    if (filters.search) base = base.where(searchCondition(filters.search));
    let page = base.selectAll();
    for (const rank of filters.search ? searchRank(filters.search) : []) page = page.orderBy(rank);
    const rows = await page.orderBy('created_at', 'desc').orderBy('id').limit(filters.limit).offset(filters.offset).execute();
    // A short first page is the whole answer: no count needed.
    const total =
      filters.offset === 0 && rows.length < filters.limit
        ? rows.length
        : Number((await base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
    return { rows, total };
  };
  if (!filters.search || filters.search.kind !== 'text') return run(db);
  // The typo threshold of `<%` is a setting: set for this transaction only.
  const inTransaction = async (trx: Db) => {
    await sql`SELECT set_config('pg_trgm.word_similarity_threshold', ${String(WORD_SIMILARITY_THRESHOLD)}, true)`.execute(trx);
    return run(trx);
  };
  return db.isTransaction ? inTransaction(db) : db.transaction().execute(inTransaction);
}
