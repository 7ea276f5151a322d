// Lead queries. Every one is scoped by organisation, and for an agent by assignment (`scope`).
import { type Expression, type SqlBool, sql, type Transaction } from 'kysely';
import type { DB, Db, LeadDialStatus, LeadPatch, LeadRow, LeadStage, NewLead } from '../../../db/types.js';
import { inTransaction } from '../../platform/common/transaction.js';
import { leadDncColumns, lockDncList } from '../dnc/queries.js';
import { escapeLike, type SearchPlan } from './search.js';
import { recordStageChange } from './stage-changes.js';

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
export const WORD_SIMILARITY_THRESHOLD = 0.6;

export function findLead(db: Db, scope: LeadScope, id: string): Promise<LeadRow | undefined> {
  let query = db.selectFrom('leads').selectAll().where('org_id', '=', scope.orgId).where('id', '=', id);
  if (scope.assignedTo !== null) query = query.where('assigned_to', '=', scope.assignedTo);
  return query.executeTakeFirst();
}

/**
 * The lead (in scope), its row locked until the transaction `trx` ends: what changes a lead's
 * stage or its follow-ups takes this first, so that concurrent changes of one lead run one after
 * the other and each reads what the one before wrote.
 */
export function lockLead(trx: Transaction<DB>, scope: LeadScope, id: string): Promise<LeadRow | undefined> {
  let query = trx.selectFrom('leads').selectAll().where('org_id', '=', scope.orgId).where('id', '=', id);
  if (scope.assignedTo !== null) query = query.where('assigned_to', '=', scope.assignedTo);
  return query.forUpdate().executeTakeFirst();
}

export function insertLead(db: Db, values: NewLead): Promise<LeadRow> {
  return db.insertInto('leads').values(values).returningAll().executeTakeFirstOrThrow();
}

/** What runs in the transaction of a lead's change, with the lead before and after it. */
export type LeadChangeHook = (trx: Transaction<DB>, before: LeadRow, after: LeadRow) => Promise<void>;

/**
 * Change a lead (in scope), in one transaction: the lead's row locked first (so the stage it moved
 * from is the one it had), a change of stage recorded in lead_stage_changes by `userId`, then
 * `onChange` (the lead's events).
 */
export function updateLead(db: Db, scope: LeadScope, id: string, patch: LeadPatch, userId: number | null, onChange?: LeadChangeHook): Promise<LeadRow | undefined> {
  return inTransaction(db, async (trx) => {
    // A new number's do-not-call columns as the list stands, under its lock (lockDncList).
    if (patch.phone_e164 !== undefined) await lockDncList(trx, scope.orgId, 'share');
    const before = await lockLead(trx, scope, id);
    if (!before) return undefined;
    const dnc = patch.phone_e164 === undefined ? {} : await leadDncColumns(trx, scope.orgId, patch.phone_e164, before);
    const row = await trx
      .updateTable('leads')
      .set({ ...patch, ...dnc, updated_at: sql<Date>`now()` })
      .where('org_id', '=', scope.orgId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    if (!row) return undefined;
    if (before.stage !== row.stage) {
      await recordStageChange(trx, { org_id: row.org_id, lead_id: row.id, user_id: userId, from_stage: before.stage, to_stage: row.stage });
    }
    await onChange?.(trx, before, row);
    return row;
  });
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

/** The campaign's time zone (the one the dialer calls its leads without a zone in); null without one. */
export async function campaignTimeZoneFor(db: Db, orgId: string, campaignId: string | null): Promise<string | null> {
  if (!campaignId) return null;
  const campaign = await db.selectFrom('campaigns').select('time_zone').where('org_id', '=', orgId).where('id', '=', campaignId).executeTakeFirst();
  return campaign?.time_zone ?? null;
}

export async function isUserOfOrg(db: Db, orgId: string, userId: number): Promise<boolean> {
  return (await db.selectFrom('users').select('id').where('org_id', '=', orgId).where('id', '=', userId).executeTakeFirst()) !== undefined;
}

interface SearchStep {
  condition: Expression<SqlBool>;
  typos: boolean;
  /** Order the matches by how close they are (trigram word similarity): not for word matches. */
  byCloseness: boolean;
}

/** The conditions a search tries in turn: the first that finds anything answers. */
function searchSteps(plan: SearchPlan): SearchStep[] {
  if (plan.kind === 'phone') {
    const likes = plan.fragments.map((f) => sql<SqlBool>`phone_digits LIKE ${`%${escapeLike(f)}%`}`);
    return [{ condition: sql<SqlBool>`(${sql.join(likes, sql` OR `)})`, typos: false, byCloseness: false }];
  }
  const steps: SearchStep[] = [];
  // 1. Whole words and word prefixes of names and companies, in any order (full-text index).
  //    Every match holds every word: exact ones first, then the newest (closeness, a trigram
  //    computation per match, would cost more than the index look-up on common words).
  if (plan.prefixQuery) steps.push({ condition: sql<SqlBool>`search_tsv @@ to_tsquery('simple', ${plan.prefixQuery})`, typos: false, byCloseness: false });
  // 2. The text anywhere in the name, company or e-mail (trigram index): e-mails, parts of words.
  steps.push({ condition: sql<SqlBool>`search_doc LIKE ${`%${escapeLike(plan.text)}%`}`, typos: false, byCloseness: true });
  // 3. Typos: a stretch of the name, company or e-mail close to the text (trigram word similarity).
  steps.push({ condition: sql<SqlBool>`${plan.text} <% search_doc`, typos: true, byCloseness: true });
  return steps;
}

/** Exact matches first, then (for substrings and typos) the closest; newest among equals. */
function searchRank(plan: SearchPlan, byCloseness: boolean) {
  if (plan.kind === 'phone') {
    const exact = plan.fragments.map((f) => sql`phone_digits = ${f} OR phone_digits LIKE ${`${escapeLike(f)}%`}`);
    return [sql`(${sql.join(exact, sql` OR `)}) DESC`];
  }
  return [
    // coalesce: a missing company or email must not make the comparison NULL (NULLs sort first in DESC).
    sql`coalesce(lower(name) = ${plan.text} OR lower(company) = ${plan.text} OR lower(email) = ${plan.text}, false) DESC`,
    ...(byCloseness ? [sql`word_similarity(${plan.text}, search_doc) DESC`] : []),
  ];
}

type Page = { rows: LeadRow[]; total: number };

/**
 * One page of leads and how many match in all. A text search tries what was typed as words, then
 * as a substring, and only when neither finds anything looks for typos: each step is cheaper than
 * the next, and near matches never crowd out exact ones. A search's total is counted in the same
 * scan as its page (a window count); a plain list counts separately (only past its first page).
 */
export async function listLeads(db: Db, scope: LeadScope, filters: LeadFilters): Promise<Page> {
  const run = async (trx: Db, step: SearchStep | null): Promise<Page> => {
    const search = step?.condition ?? null;
    let base = trx.selectFrom('leads').where('org_id', '=', scope.orgId);
    if (scope.assignedTo !== null) base = base.where('assigned_to', '=', scope.assignedTo);
    if (filters.assignedTo !== undefined) base = base.where('assigned_to', '=', filters.assignedTo);
    if (filters.campaignId !== undefined) base = base.where('campaign_id', '=', filters.campaignId);
    if (filters.stage !== undefined) base = base.where('stage', '=', filters.stage);
    if (filters.dialStatus !== undefined) base = base.where('dial_status', '=', filters.dialStatus);
    if (search) base = base.where(search);
    let page = base.selectAll().select(search ? sql<string | null>`count(*) OVER ()`.as('total_count') : sql<string | null>`NULL`.as('total_count'));
    for (const rank of filters.search && step ? searchRank(filters.search, step.byCloseness) : []) page = page.orderBy(rank);
    const found = await page.orderBy('created_at', 'desc').orderBy('id').limit(filters.limit).offset(filters.offset).execute();
    const rows = found.map(({ total_count: _count, ...row }) => row as LeadRow);
    const counted = found[0]?.total_count;
    const total =
      counted !== undefined && counted !== null
        ? Number(counted)
        : filters.offset === 0 && rows.length < filters.limit
          ? rows.length
          : Number((await base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
    return { rows, total };
  };
  const plan = filters.search;
  if (!plan) return run(db, null);
  let last: Page = { rows: [], total: 0 };
  for (const step of searchSteps(plan)) {
    if (!step.typos) {
      last = await run(db, step);
    } else {
      // The typo threshold of `<%` is a setting: set for this transaction only.
      const typos = async (trx: Db) => {
        await sql`SELECT set_config('pg_trgm.word_similarity_threshold', ${String(WORD_SIMILARITY_THRESHOLD)}, true)`.execute(trx);
        return run(trx, step);
      };
      last = db.isTransaction ? await typos(db) : await db.transaction().execute(typos);
    }
    if (last.total > 0) return last;
  }
  return last;
}
