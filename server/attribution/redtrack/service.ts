// Receiving a RedTrack report (stored, then applied to the sessions it names, in one transaction),
// and applying the reports that waited for a session once that session appears (DNI).
import { createHash } from 'node:crypto';
import type { Db, RedtrackKind } from '../../../db/types.js';
import { inTransaction } from '../../platform/common/transaction.js';
import { addLinkedSessions, applyReportToSession, claimWaitingReports, conversionSessionOf, findReportSessions, lockClickid, storeReport } from './queries.js';
import { reportFingerprint, type RedtrackReport } from './report.js';

export interface Receipt {
  eventId: number;
  duplicate: boolean;
  linkedSessions: number;
}

/**
 * `orgId`: the organisation of the tag the report named. null: none named — the report is stored,
 * and applied to no session (a click id alone does not say whose visitor it was).
 */
export async function receiveReport(
  db: Db,
  kind: RedtrackKind,
  report: RedtrackReport,
  orgId: string | null,
  now: Date = new Date(),
  options: { unverified?: boolean } = {},
): Promise<Receipt> {
  // An unverified report has a fingerprint of its own: a forged copy never blocks the real one.
  const fingerprint = options.unverified ? createHash('sha256').update(`unverified\n${reportFingerprint(kind, report)}`).digest('hex') : reportFingerprint(kind, report);
  return inTransaction(db, async (trx) => {
    // Serialised with a session of this click id appearing (applyWaitingReports): one of the two
    // sees the other, so a report and its session never miss each other.
    if (orgId !== null && report.clickid !== undefined) await lockClickid(trx, orgId, report.clickid);
    const stored = await storeReport(trx, { kind, report, fingerprint, orgId, now });
    if (!stored.created) return { eventId: Number(stored.id), duplicate: true, linkedSessions: stored.linkedSessions };
    if (orgId === null) return { eventId: Number(stored.id), duplicate: false, linkedSessions: 0 };
    const sessions = await findReportSessions(trx, { orgId, sessionId: report.sessionId, clickid: report.clickid });
    const converted = await conversionSessionOf(trx, sessions, report.callSid);
    for (const session of sessions) await applyReportToSession(trx, session, kind, report, stored.id, session === converted);
    const linkedSessions = sessions.length === 0 ? 0 : await addLinkedSessions(trx, stored.id, sessions.length);
    return { eventId: Number(stored.id), duplicate: false, linkedSessions };
  });
}

/** A session with a RedTrack click id was recorded: apply the reports that waited for it. Returns how many. */
export async function applyWaitingReports(db: Db, session: { id: string; orgId: string }, clickid: string, now: Date = new Date()): Promise<number> {
  return inTransaction(db, async (trx) => {
    await lockClickid(trx, session.orgId, clickid);
    const waiting = await claimWaitingReports(trx, session.orgId, clickid, now);
    for (const report of waiting) await applyReportToSession(trx, session, report.kind, report.payload, report.id);
    return waiting.length;
  });
}
