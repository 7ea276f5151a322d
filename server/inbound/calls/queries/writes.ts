// Call records written by hand (POST /api/calls) and corrections (PUT /api/calls/{id}) in the
// database. Functions take `db` or a transaction first; the callers run the multi-statement ones
// in a transaction and use only `trx` inside it (PGlite is one connection).
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { CallCorrectionRow, CallCorrectionsTable, CallRow, Db } from '../../../../db/types.js';
import type { CallPatch, FieldChange } from '../correction.js';
import { type CallStatus, callStatusRank, isFinalCallStatus } from '../status.js';

export interface ManualCallInput {
  orgId: string;
  campaignId: string | null;
  callerNumber: string;
  status: CallStatus;
  durationSec: number | null;
  /** Counted when recorded (numeric text): no call path will ever count a manual record. */
  revenue: string | null;
  /** Attempt 1, when a buyer or a destination is given. */
  leg: { buyerId: number | null; destination: string } | null;
}

/** A manual call's sid: `MC` and 32 random hex digits (never a Twilio `CA…` sid). */
function manualCallSid(): string {
  return `MC${randomBytes(16).toString('hex')}`;
}

/**
 * Inserts a manual call record and its leg; answers the call's id. The leg is recorded ended:
 * nobody dialled it, so it never holds one of the buyer's concurrency slots.
 */
export async function insertManualCall(trx: Db, input: ManualCallInput): Promise<number> {
  const { id } = await trx
    .insertInto('calls')
    .values({
      org_id: input.orgId,
      call_sid: manualCallSid(),
      direction: 'inbound',
      source: 'manual',
      campaign_id: input.campaignId,
      buyer_id: input.leg?.buyerId ?? null,
      from_number: input.callerNumber,
      routing_method: 'none',
      status: input.status,
      status_rank: callStatusRank(input.status),
      duration_sec: input.durationSec,
      revenue: input.revenue,
      revenue_qualified_at: input.revenue === null ? null : sql<Date>`now()`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (input.leg) {
    await trx
      .insertInto('call_legs')
      .values({ call_id: id, attempt: 1, org_id: input.orgId, buyer_id: input.leg.buyerId, destination: input.leg.destination, ended_at: sql<Date>`now()` })
      .execute();
  }
  return id;
}

/** The call, locked until the transaction ends (corrections of one call run one after another). */
export function lockCallInOrg(trx: Db, orgId: string, id: number): Promise<CallRow | undefined> {
  return trx.selectFrom('calls').selectAll().where('org_id', '=', orgId).where('id', '=', id).forUpdate().executeTakeFirst();
}

export interface CorrectionAuthor {
  orgId: string;
  callId: number;
  userId: CallCorrectionsTable['user_id'];
  reason: string | null;
}

/**
 * Writes the changed columns and one history row per change (nothing when nothing changed). A
 * status made final here ends the call as its final callback would (that callback changes nothing
 * afterwards): its open legs end (the buyers' slots are free) and its completion events wait for
 * any <Dial> outcome, else the sweep (completion-sweep.ts) — except on a manual record, which never
 * records them.
 */
export async function applyCorrection(trx: Db, author: CorrectionAuthor, patch: CallPatch, changes: readonly FieldChange[]): Promise<void> {
  if (changes.length === 0) return;
  const ends = patch.status !== undefined && isFinalCallStatus(patch.status);
  await trx
    .updateTable('calls')
    .set({
      ...(patch.status !== undefined ? { status: patch.status, status_rank: callStatusRank(patch.status) } : {}),
      ...(ends ? { ended_at: sql<Date>`COALESCE(ended_at, now())`, completion_pending: sql<boolean>`source <> 'manual'` } : {}),
      ...(patch.durationSec !== undefined ? { duration_sec: patch.durationSec } : {}),
      ...(patch.revenueOverride !== undefined ? { revenue_override: patch.revenueOverride } : {}),
      updated_at: sql<Date>`now()`,
    })
    .where('org_id', '=', author.orgId)
    .where('id', '=', author.callId)
    .execute();
  if (ends) {
    await trx.updateTable('call_legs').set({ ended_at: sql<Date>`now()` }).where('org_id', '=', author.orgId).where('call_id', '=', author.callId).where('ended_at', 'is', null).execute();
  }
  await trx
    .insertInto('call_corrections')
    .values(
      changes.map((change) => ({
        org_id: author.orgId,
        call_id: author.callId,
        user_id: author.userId,
        field: change.field,
        old_value: change.oldValue,
        new_value: change.newValue,
        reason: author.reason,
      })),
    )
    .execute();
}

/** A call's corrections, oldest first. */
export function listCallCorrections(db: Db, orgId: string, callId: number): Promise<CallCorrectionRow[]> {
  return db.selectFrom('call_corrections').selectAll().where('org_id', '=', orgId).where('call_id', '=', callId).orderBy('id').execute();
}
