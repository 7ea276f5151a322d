// The whole auction decision from plain inputs and raw answers. Pure, so that replaying an
// auction from the ledger (targets, context, settings, filter reasons, raw answers) re-derives
// exactly the same outcomes, winner and price.
import { authSecrets, parseBidResponse, type ParsedBid } from './adapter.js';
import { auditText } from './audit.js';
import { selectWinner, type Candidate } from './select-winner.js';
import type {
  AuctionSettings,
  AuctionStatus,
  CallContext,
  OutcomeStatus,
  RawAnswer,
  RtbTargetConfig,
  TargetOutcome,
  Winner,
} from './types.js';

export interface Decision {
  status: AuctionStatus;
  outcomes: TargetOutcome[];
  winner: Winner | null;
}

/** Transport errors that are not timeouts; together with non-2xx statuses they are `error`. */
const TIMEOUT_REASONS = new Set(['timeout']);

/**
 * @param filtered target id → pre-filter reason, for every target that was not eligible.
 * @param answers one raw answer per eligible target; an eligible target without one is a timeout.
 * @param auditRequests target id → redacted request body, when the caller has it (the ledger
 *   stores the outcomes' audit bodies; a replay may pass them back).
 */
export function decideAuction(
  targets: readonly RtbTargetConfig[],
  context: CallContext,
  settings: AuctionSettings,
  filtered: ReadonlyMap<number, string>,
  answers: readonly RawAnswer[],
  auditRequests: ReadonlyMap<number, string | null> = new Map(),
): Decision {
  const eligible = targets.filter((t) => !filtered.has(t.id));
  if (eligible.length === 0 || eligible.length < settings.minBiddersRequired) {
    const status: AuctionStatus = eligible.length === 0 ? 'no_eligible_targets' : 'insufficient_bidders';
    const outcomes = targets.map((t) => filteredOutcome(t, filtered.get(t.id) ?? 'insufficient_bidders'));
    return { status, outcomes, winner: null };
  }

  const byTarget = new Map<number, RawAnswer>();
  for (const a of answers) if (!byTarget.has(a.targetId)) byTarget.set(a.targetId, a);

  const outcomes: TargetOutcome[] = [];
  const candidates: Candidate[] = [];
  const winnerInfo = new Map<number, { destination: string; currency: string; durationSec: number | null }>();
  for (const target of targets) {
    const reason = filtered.get(target.id);
    if (reason !== undefined) {
      outcomes.push(filteredOutcome(target, reason));
      continue;
    }
    const answer = byTarget.get(target.id);
    const outcome = answeredOutcome(target, answer, auditRequests.get(target.id) ?? null, context.ownNumbers);
    outcomes.push(outcome);
    if (outcome.isValid && outcome.bidAmount !== null && outcome.destination !== null && outcome.currency !== null) {
      candidates.push({
        targetId: target.id,
        bidAmount: outcome.bidAmount,
        priority: target.priority,
        responseTimeMs: outcome.responseTimeMs,
        minBidAmount: target.minBidAmount,
      });
      winnerInfo.set(target.id, { destination: outcome.destination, currency: outcome.currency, durationSec: outcome.durationSec });
    }
  }

  const selection = selectWinner(candidates, settings.auctionType);
  if (selection === null) return { status: 'no_valid_bids', outcomes, winner: null };
  let marked = false;
  for (const o of outcomes) {
    if (!marked && o.targetId === selection.targetId && o.isValid) {
      o.isWinner = true;
      marked = true;
    }
  }
  const info = winnerInfo.get(selection.targetId);
  if (info === undefined) return { status: 'no_valid_bids', outcomes, winner: null }; // unreachable
  return {
    status: 'won',
    outcomes,
    winner: { targetId: selection.targetId, bidAmount: selection.bidAmount, price: selection.price, ...info },
  };
}

function baseOutcome(target: RtbTargetConfig, status: OutcomeStatus, reason: string | null): TargetOutcome {
  return {
    targetId: target.id,
    targetName: target.name,
    status,
    isValid: false,
    isWinner: false,
    rejectionReason: reason,
    httpStatus: null,
    responseTimeMs: null,
    bidAmount: null,
    currency: null,
    destination: null,
    durationSec: null,
    auditRequestBody: null,
    auditResponseBody: null,
  };
}

export function filteredOutcome(target: RtbTargetConfig, reason: string): TargetOutcome {
  return baseOutcome(target, 'filtered', reason);
}

/** How one answer is judged — by the auction and by an operator's test bid alike. */
export function outcomeStatusOf(parsed: ParsedBid, answer: Pick<RawAnswer, 'ok' | 'errorKind'>): OutcomeStatus {
  if (parsed.valid) return 'bid';
  if (TIMEOUT_REASONS.has(parsed.rejectionReason ?? '')) return 'timeout';
  if (answer.errorKind !== null || !answer.ok || parsed.rejectionReason?.startsWith('http_')) return 'error';
  return 'rejected';
}

/** A valid bid whose destination is one of our own numbers would loop the call back into our webhook. */
export const OWN_NUMBER_REASON = 'own_tracking_number';

function answeredOutcome(target: RtbTargetConfig, answer: RawAnswer | undefined, auditRequest: string | null, ownNumbers: readonly string[] = []): TargetOutcome {
  if (answer === undefined) return { ...baseOutcome(target, 'timeout', 'timeout'), auditRequestBody: auditRequest };
  const common = {
    httpStatus: answer.status,
    responseTimeMs: answer.responseTimeMs,
    auditRequestBody: auditRequest,
    auditResponseBody: auditText(answer.body, authSecrets(target)),
  };
  if (answer.late) return { ...baseOutcome(target, 'timeout', 'timeout'), ...common };

  let parsed = parseBidResponse(target, answer);
  if (parsed.valid && parsed.destination !== null && ownNumbers.includes(parsed.destination)) {
    parsed = { ...parsed, valid: false, rejectionReason: OWN_NUMBER_REASON };
  }
  const status = outcomeStatusOf(parsed, answer);
  return {
    ...baseOutcome(target, status, parsed.rejectionReason),
    ...common,
    isValid: parsed.valid,
    bidAmount: parsed.bidAmount,
    currency: parsed.currency,
    destination: parsed.destination,
    durationSec: parsed.durationSec,
  };
}
