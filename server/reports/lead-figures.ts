// Leads for the analytics and the lead conversion report: the funnel of the leads created in a
// window (their stage now, and the furthest stage each has reached — leads.furthest_stage, kept by
// a trigger, migration 0026), per campaign, per source or in total, read from one range of the
// covering index (org_id, created_at); and the leads each user moved to Converted in a window,
// from the partial index of those stage changes.
import { type RawBuilder, sql } from 'kysely';
import type { Db, LeadStage } from '../../db/types.js';
import { uuidArray } from './disposition-figures.js';
import type { LogWindow } from './call-log-figures.js';

export type LeadKey = 'none' | 'campaign' | 'source';

export interface LeadScopeFilters {
  /** Leads assigned to these users; null: every lead. */
  userIds: readonly number[] | null;
  campaignIds: readonly string[] | null;
}

/** The funnel's stages in order (their index is leads.furthest_stage's rank); `lost` is off the funnel. */
export const FUNNEL: readonly LeadStage[] = ['new', 'contacted', 'follow_up', 'qualified', 'converted'];

export interface LeadFunnelRow {
  key: string | null;
  leads: number;
  /** Leads now at each stage. */
  stages: Record<LeadStage, number>;
  /** Leads that reached each stage after `new`, or a later one. */
  reached: Record<Exclude<LeadStage, 'new' | 'lost'>, number>;
}

function leadConditions(w: LogWindow, f: LeadScopeFilters): RawBuilder<unknown> {
  const where: RawBuilder<unknown>[] = [sql`l.org_id = ${w.orgId}`, sql`l.created_at >= ${w.from}`, sql`l.created_at < ${w.to}`];
  if (f.userIds !== null) where.push(sql`l.assigned_to = ANY(${`{${f.userIds.join(',')}}`}::int[])`);
  if (f.campaignIds !== null) where.push(sql`l.campaign_id = ANY(${uuidArray(f.campaignIds)})`);
  return sql.join(where, sql` AND `);
}

interface FunnelRow {
  g: string | null;
  leads: string;
  [column: string]: string | null;
}

export async function leadFunnel(db: Db, w: LogWindow, key: LeadKey, f: LeadScopeFilters): Promise<LeadFunnelRow[]> {
  const g = key === 'campaign' ? sql`l.campaign_id::text` : key === 'source' ? sql`l.source` : sql`NULL::text`;
  const stages: LeadStage[] = [...FUNNEL, 'lost'];
  const { rows } = await sql<FunnelRow>`
    SELECT ${g} AS g, count(*) AS leads,
      ${sql.join(stages.map((s) => sql`count(*) FILTER (WHERE l.stage = ${s}) AS ${sql.ref(`at_${s}`)}`))},
      ${sql.join(FUNNEL.slice(1).map((s, i) => sql`count(*) FILTER (WHERE l.furthest_stage >= ${sql.lit(i + 1)}) AS ${sql.ref(`reached_${s}`)}`))}
    FROM leads l
    WHERE ${leadConditions(w, f)}
    GROUP BY 1`.execute(db);
  return rows.map((r) => ({
    key: r.g,
    leads: Number(r.leads),
    stages: Object.fromEntries(stages.map((s) => [s, Number(r[`at_${s}`])])) as Record<LeadStage, number>,
    reached: {
      contacted: Number(r.reached_contacted),
      follow_up: Number(r.reached_follow_up),
      qualified: Number(r.reached_qualified),
      converted: Number(r.reached_converted),
    },
  }));
}

/** How many distinct leads each user moved to Converted in the window (of the campaigns, when named). */
export async function conversionsByUser(db: Db, w: LogWindow, f: LeadScopeFilters): Promise<Map<number, number>> {
  const where: RawBuilder<unknown>[] = [
    sql`s.org_id = ${w.orgId}`,
    sql`s.to_stage = 'converted'`,
    sql`s.changed_at >= ${w.from}`,
    sql`s.changed_at < ${w.to}`,
    sql`s.user_id IS NOT NULL`,
  ];
  if (f.userIds !== null) where.push(sql`s.user_id = ANY(${`{${f.userIds.join(',')}}`}::int[])`);
  if (f.campaignIds !== null) where.push(sql`l.campaign_id = ANY(${uuidArray(f.campaignIds)})`);
  const { rows } = await sql<{ user_id: number; n: string }>`
    SELECT s.user_id, count(DISTINCT s.lead_id) AS n
    FROM lead_stage_changes s ${f.campaignIds !== null ? sql`JOIN leads l ON l.id = s.lead_id` : sql``}
    WHERE ${sql.join(where, sql` AND `)}
    GROUP BY 1`.execute(db);
  return new Map(rows.map((r) => [Number(r.user_id), Number(r.n)]));
}
