// RedTrack reports in the database: stored as received (once per fingerprint), the visitor sessions
// they name, and what applying one to a session writes. Functions take `db` or a transaction first.
import { sql } from 'kysely';
import type { Db, RedtrackKind } from '../../../db/types.js';
import { MAX_CLICK_IDS } from '../dni/sessions.js';
import { redtrackDataPatch, reportEvent, sessionFill, type RedtrackReport } from './report.js';

/** How many sessions one report is applied to at most (a click id is one visitor; this bounds abuse). */
export const MAX_SESSIONS_PER_REPORT = 10;
/** A report waits this long for a session with its click id to appear. */
export const WAITING_DAYS = 7;

export interface StoredReport {
  id: string;
  linkedSessions: number;
  created: boolean;
}

/** The report stored, or (created: false) the identical one stored before. */
export async function storeReport(
  db: Db,
  input: { kind: RedtrackKind; report: RedtrackReport; fingerprint: string; orgId: string | null; now: Date },
): Promise<StoredReport> {
  const { kind, report } = input;
  const inserted = await db
    .insertInto('redtrack_events')
    .values({
      kind,
      clickid: report.clickid ?? null,
      session_id: report.sessionId ?? null,
      org_id: input.orgId,
      payload: JSON.stringify(report),
      fingerprint: input.fingerprint,
      received_at: input.now,
    })
    .onConflict((oc) => oc.column('fingerprint').doNothing())
    .returning(['id', 'linked_sessions'])
    .executeTakeFirst();
  if (inserted) return { id: String(inserted.id), linkedSessions: inserted.linked_sessions, created: true };
  const existing = await db.selectFrom('redtrack_events').select(['id', 'linked_sessions']).where('fingerprint', '=', input.fingerprint).executeTakeFirstOrThrow();
  return { id: String(existing.id), linkedSessions: existing.linked_sessions, created: false };
}

export interface SessionRef {
  id: string;
  orgId: string;
}

/**
 * Holds, until the transaction ends, the organisation's lock on one RedTrack click id (a
 * transaction-level advisory lock on a hash of both; a collision only serialises two unrelated ids).
 */
export async function lockClickid(db: Db, orgId: string, clickid: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`redtrack:${orgId}:${clickid}`}, 0))`.execute(db);
}

/**
 * The organisation's visitor sessions a report names: by `sessionId` when given (and found), else
 * by RedTrack click id. Most recently seen first.
 */
export async function findReportSessions(db: Db, target: { orgId: string; sessionId?: string | undefined; clickid?: string | undefined }): Promise<SessionRef[]> {
  const lookup = async (by: 'session' | 'clickid', value: string) => {
    let query = db.selectFrom('visitor_sessions').select(['id', 'org_id']);
    query = query.where('org_id', '=', target.orgId);
    query = by === 'session' ? query.where('session_id', '=', value) : query.where(sql<boolean>`click_ids ? 'clickid' AND click_ids->>'clickid' = ${value}`);
    const rows = await query.orderBy('last_seen_at', 'desc').orderBy('id', 'desc').limit(MAX_SESSIONS_PER_REPORT).execute();
    return rows.map((r) => ({ id: String(r.id), orgId: r.org_id }));
  };
  if (target.sessionId !== undefined) {
    const bySession = await lookup('session', target.sessionId);
    if (bySession.length > 0 || target.clickid === undefined) return bySession;
  }
  return target.clickid === undefined ? [] : lookup('clickid', target.clickid);
}

/**
 * Of the sessions one report names (one visitor's, sharing a click id), the one its conversion
 * belongs to — a report is one conversion, recorded once: the session of the call the report names
 * (callSid), else the one with the latest call, else the most recently seen (`sessions` come in that
 * order).
 */
export async function conversionSessionOf(db: Db, sessions: readonly SessionRef[], callSid: string | undefined): Promise<SessionRef | undefined> {
  const [latest] = sessions;
  if (latest === undefined || sessions.length === 1) return latest;
  const { rows } = await sql<{ session_id: string }>`
    SELECT visitor_session_id::text AS session_id FROM calls
    WHERE org_id = ${latest.orgId} AND visitor_session_id IN (${sql.join(sessions.map((s) => sql`${s.id}::bigint`))})
    ORDER BY COALESCE(call_sid = ${callSid ?? null}::text, false) DESC, id DESC LIMIT 1`.execute(db);
  const withCall = rows[0]?.session_id;
  return sessions.find((s) => s.id === withCall) ?? latest;
}

/**
 * Applies a report to one session: RedTrack's fields on the session (its click id among the
 * session's while they stay within MAX_CLICK_IDS), and — when `recordConversion`
 * (the one session its conversion belongs to) — its conversion event.
 */
export async function applyReportToSession(
  db: Db,
  session: SessionRef,
  kind: RedtrackKind,
  report: RedtrackReport,
  eventId: string,
  recordConversion = true,
): Promise<void> {
  const patch = JSON.stringify(redtrackDataPatch(kind, report));
  const fill = kind === 'session' ? sessionFill(report) : { utmSource: null, utmMedium: null, landingUrl: null, referrer: null, userAgent: null };
  const clickIds = JSON.stringify(report.clickid === undefined ? {} : { clickid: report.clickid });
  await sql`
    UPDATE visitor_sessions SET
      redtrack_data = COALESCE(redtrack_data, '{}'::jsonb) || ${patch}::jsonb,
      -- The session's own click id wins; RedTrack's is added only while the session has room for it.
      click_ids = CASE WHEN (SELECT count(*) FROM jsonb_object_keys(${clickIds}::jsonb || click_ids)) <= ${MAX_CLICK_IDS}
                       THEN ${clickIds}::jsonb || click_ids ELSE click_ids END,
      utm_source = COALESCE(utm_source, ${fill.utmSource}),
      utm_medium = COALESCE(utm_medium, ${fill.utmMedium}),
      landing_url = COALESCE(landing_url, ${fill.landingUrl}),
      referrer = COALESCE(referrer, ${fill.referrer}),
      user_agent = COALESCE(user_agent, ${fill.userAgent})
    WHERE id = ${session.id} AND org_id = ${session.orgId}`.execute(db);

  const event = recordConversion ? reportEvent(kind, report, eventId) : null;
  if (!event) return;
  // The call: the one named by callSid when it is this session's, else the session's latest.
  const named = report.callSid === undefined ? sql`NULL::integer` : sql`(SELECT id FROM calls WHERE call_sid = ${report.callSid} AND org_id = ${session.orgId} AND visitor_session_id = ${session.id})`;
  await sql`
    INSERT INTO conversion_events (org_id, visitor_session_id, call_id, event_type, event_value, phone_number, metadata, source)
    VALUES (${session.orgId}, ${session.id},
      COALESCE(${named}, (SELECT id FROM calls WHERE org_id = ${session.orgId} AND visitor_session_id = ${session.id} ORDER BY id DESC LIMIT 1)),
      ${event.eventType}, ${event.eventValue}::numeric, ${event.phoneNumber}, ${JSON.stringify(event.metadata)}::jsonb, 'redtrack')`.execute(db);
}

export async function addLinkedSessions(db: Db, eventId: string, count: number): Promise<number> {
  const row = await db
    .updateTable('redtrack_events')
    .set((eb) => ({ linked_sessions: eb('linked_sessions', '+', count) }))
    .where('id', '=', eventId)
    .returning('linked_sessions')
    .executeTakeFirstOrThrow();
  return row.linked_sessions;
}

export interface WaitingReport {
  id: string;
  kind: RedtrackKind;
  payload: RedtrackReport;
}

/**
 * Claims the reports still waiting for a session with this click id (received in the last
 * WAITING_DAYS, posted for this organisation's tags): marked linked in the same statement, so two
 * requests of the session never apply one report twice. A report that named no tag is never
 * claimed.
 */
export async function claimWaitingReports(db: Db, orgId: string, clickid: string, now: Date): Promise<WaitingReport[]> {
  const since = new Date(now.getTime() - WAITING_DAYS * 86_400_000);
  const { rows } = await sql<{ id: string; kind: RedtrackKind; payload: RedtrackReport }>`
    UPDATE redtrack_events SET linked_sessions = 1
    WHERE id IN (
      SELECT id FROM redtrack_events
      WHERE org_id = ${orgId} AND clickid = ${clickid} AND linked_sessions = 0 AND received_at > ${since}
      ORDER BY id LIMIT 50
      FOR UPDATE SKIP LOCKED)
      AND linked_sessions = 0
    RETURNING id, kind, payload`.execute(db);
  return rows.map((r) => ({ id: String(r.id), kind: r.kind, payload: r.payload })).sort((a, b) => Number(a.id) - Number(b.id));
}
