// The answer of an RTB call in ONE statement (issue 13 item 3): the auction's audit (its
// bid_requests row, and its bids as one unparsed copy that becomes bid_responses rows after the
// answer — rtb/auctions/pending-bids.ts, migration 0044), the winner's leg, and the call's answer
// pointing at the audit, committed together with one synchronous commit — one call of
// answer_rtb_call(), whose inner statements keep their plans per session.
//
// Measured (docs/benchmarks.md, "RTB overhead"): after the auction the webhook used to wait for the
// audit and the reservation (two statements on two connections), then for the answer (a third);
// each round trip costs this machine 1–3 ms of wake-ups beyond PostgreSQL's own 0.3–0.6 ms. Here
// it waits for one. Used only when nothing can refuse the winner for a reason worth counting: a
// fresh voice routing (its answer is stored with the call, not a flow's routing log) whose first
// candidate is an RTB target without limits. The leg is inserted only if the attempt is free and the
// target still belongs to the organisation; otherwise the audit is still written (and returned), no
// answer is stored, and the caller reserves as usual (reserve_leg() names the reason).
//
// Durability: one transaction, committed synchronously before the TwiML is sent: a crash before the
// answer loses the audit with the answer nobody received; a crash after it loses nothing (the bids'
// copy is committed with the answer; the caller schedules its rows, a sweep writes what a crash left).
import { sql } from 'kysely';
import { preparedMark } from '../../../db/prepared.js';
import type { Db } from '../../../db/types.js';
import type { AuditPayload } from '../../rtb/auctions/audit-write.js';

export interface RtbAnswerInput {
  orgId: string;
  callId: number;
  attempt: number;
  targetId: number;
  destination: string;
  payout: string;
  minDurationSec: number;
  audit: AuditPayload;
  twiml: string;
  /** The routing plan as stored; its auction.bidRequestId is set to the audit's id by the statement. */
  plan: unknown;
}

export interface RtbAnswerResult {
  /** The audit's bid_requests id (written in every case; its bids are pending until flushed). */
  bidRequestId: string;
  /** The winner's leg was inserted (and the call points at the target). */
  reserved: boolean;
  /** The answer was stored (false: a concurrent delivery stored its answer first). */
  stored: boolean;
}

export async function answerRtbCall(db: Db, input: RtbAnswerInput): Promise<RtbAnswerResult> {
  const { rows } = await sql<{ audit_id: string | null; reserved: boolean; stored: boolean }>`${preparedMark}
    SELECT o_audit_id::text AS audit_id, o_reserved AS reserved, o_stored AS stored
    FROM answer_rtb_call(${input.orgId}::uuid, ${input.callId}::integer, ${input.attempt}::integer, ${input.targetId}::integer,
      ${input.destination}::text, ${input.payout}::numeric, ${input.minDurationSec}::integer, ${input.audit.request}::jsonb,
      ${input.audit.ledger}::text, ${input.audit.responses}::text, ${input.twiml}::text, ${JSON.stringify(input.plan)}::jsonb)`.execute(db);
  const row = rows[0];
  if (row === undefined || row.audit_id === null) throw new Error('answerRtbCall: the audit was not written');
  return { bidRequestId: row.audit_id, reserved: row.reserved, stored: row.stored };
}
