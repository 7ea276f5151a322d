// Visitor sessions: one per (organisation, session id), upserted on every DNI request.
import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { components } from '../../../client/schema.js';
import type { DB } from '../../../db/types.js';
import { isForeignKeyViolation } from '../../platform/common/pg-errors.js';

/** What a landing page tells us of its visitor: the contract's VisitorFields. */
export type VisitorInput = components['schemas']['VisitorFields'];

/** A new session id when the page has none yet. */
export function newSessionId(): string {
  return `s_${randomBytes(12).toString('hex')}`;
}

/**
 * The most click ids a session keeps (as many as one request may name): repeats naming new ones
 * would otherwise grow a session (and every call's snapshot of it) without end.
 */
export const MAX_CLICK_IDS = 10;

/**
 * Create or refresh the session: last_seen_at, the UTM and page fields given now (kept when
 * absent), click ids merged (new values win; when the merge would pass MAX_CLICK_IDS, the
 * request's own replace them). The IP address is kept from the first sight. A tag deleted since the
 * request read it (the foreign key refuses it) is left out: the visit is recorded without it.
 * Returns the session row id (bigint, as a string).
 */
export async function upsertVisitorSession(
  db: Kysely<DB>,
  input: { orgId: string; sessionId: string; tagId: number | null; ip: string | null; visitor: VisitorInput; now: Date },
): Promise<string> {
  try {
    return await upsertOnce(db, input);
  } catch (err) {
    if (input.tagId === null || !isForeignKeyViolation(err, SESSION_TAG_FK)) throw err;
    return upsertOnce(db, { ...input, tagId: null });
  }
}

/** The visitor_sessions (org_id, tag_id) foreign key (PostgreSQL's default naming). */
const SESSION_TAG_FK = 'visitor_sessions_org_id_tag_id_fkey';

async function upsertOnce(
  db: Kysely<DB>,
  input: { orgId: string; sessionId: string; tagId: number | null; ip: string | null; visitor: VisitorInput; now: Date },
): Promise<string> {
  const v = input.visitor;
  const clickIds = JSON.stringify(v.clickIds ?? {});
  const redtrack = v.clickIds?.clickid ? JSON.stringify({ clickid: v.clickIds.clickid }) : null;
  const { rows } = await sql<{ id: string }>`
    INSERT INTO visitor_sessions (org_id, session_id, tag_id, ip_address, user_agent, landing_url, referrer, domain,
      utm_source, utm_medium, utm_campaign, utm_term, utm_content, click_ids, redtrack_data, created_at, last_seen_at)
    VALUES (${input.orgId}, ${input.sessionId}, ${input.tagId}, ${input.ip}, ${v.userAgent ?? null}, ${v.url ?? null},
      ${v.referrer ?? null}, ${v.domain ?? null}, ${v.utmSource ?? null}, ${v.utmMedium ?? null}, ${v.utmCampaign ?? null},
      ${v.utmTerm ?? null}, ${v.utmContent ?? null}, ${clickIds}::jsonb, ${redtrack}::jsonb, ${input.now}, ${input.now})
    ON CONFLICT (org_id, session_id) DO UPDATE SET
      last_seen_at = GREATEST(visitor_sessions.last_seen_at, excluded.last_seen_at),
      tag_id = COALESCE(excluded.tag_id, visitor_sessions.tag_id),
      ip_address = COALESCE(visitor_sessions.ip_address, excluded.ip_address),
      user_agent = COALESCE(excluded.user_agent, visitor_sessions.user_agent),
      landing_url = COALESCE(visitor_sessions.landing_url, excluded.landing_url),
      referrer = COALESCE(visitor_sessions.referrer, excluded.referrer),
      domain = COALESCE(excluded.domain, visitor_sessions.domain),
      utm_source = COALESCE(excluded.utm_source, visitor_sessions.utm_source),
      utm_medium = COALESCE(excluded.utm_medium, visitor_sessions.utm_medium),
      utm_campaign = COALESCE(excluded.utm_campaign, visitor_sessions.utm_campaign),
      utm_term = COALESCE(excluded.utm_term, visitor_sessions.utm_term),
      utm_content = COALESCE(excluded.utm_content, visitor_sessions.utm_content),
      click_ids = CASE WHEN (SELECT count(*) FROM jsonb_object_keys(visitor_sessions.click_ids || excluded.click_ids)) <= ${MAX_CLICK_IDS}
                       THEN visitor_sessions.click_ids || excluded.click_ids ELSE excluded.click_ids END,
      redtrack_data = CASE WHEN excluded.redtrack_data IS NULL THEN visitor_sessions.redtrack_data
                           ELSE COALESCE(visitor_sessions.redtrack_data, '{}'::jsonb) || excluded.redtrack_data END
    RETURNING id`.execute(db);
  const row = rows[0];
  if (!row) throw new Error('visitor session upsert returned no row');
  return String(row.id);
}

/** `192.168.1.123` → `192.***.***.123`; IPv6 keeps its first and last groups. */
export function maskIp(ip: string | null): string | null {
  if (ip === null || ip === '') return null;
  const v4 = /^(?:::ffff:)?(\d{1,3})\.\d{1,3}\.\d{1,3}\.(\d{1,3})$/i.exec(ip);
  if (v4) return `${v4[1]}.***.***.${v4[2]}`;
  const groups = ip.split(':').filter(Boolean);
  if (groups.length >= 2) return `${groups[0]}:***:${groups[groups.length - 1]}`;
  return '***';
}
