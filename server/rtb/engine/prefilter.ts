// The pre-filter: which targets get a bid request, decided without network. The first reason
// that applies is recorded: inactive, caller_id_required (no caller ID, or a withheld one:
// hasCallerId), state_not_allowed, state_excluded,
// zip_not_allowed, zip_excluded, then the caller's precomputed block reason (caps, concurrency,
// circuit breaker, predicted no-bid).
//
// An include list (states / zipCodes) with an unknown caller value does not match: the target
// asked for specific callers and we cannot show this is one. An exclude list with an unknown
// caller value does not exclude. States compare case-insensitively; a ZIP+4 caller zip
// ("90210-1234") matches its five-digit list entry.
import type { AuctionSettings, BlockReason, CallContext, FilterReason, RtbTargetConfig } from './types.js';

/**
 * The numbers Twilio sends as `From` for a caller who withheld their number: ANONYMOUS, UNKNOWN,
 * RESTRICTED and BLOCKED spelt on a keypad. (Other carriers send the words themselves, or a SIP
 * address such as sip:anonymous@anonymous.invalid: no digits at all.)
 */
const WITHHELD_NUMBERS: ReadonlySet<string> = new Set(['+266696687', '+86282452253', '+7378742833', '+2562533']);

/** Does the call carry a caller ID a buyer can use: a number (7 digits or more) the caller did not withhold? (Pure.) */
export function hasCallerId(callerId: string | null): boolean {
  if (callerId === null) return false;
  const value = callerId.trim();
  if (WITHHELD_NUMBERS.has(value)) return false;
  return value.replace(/\D/g, '').length >= 7;
}

export interface PrefilterResult {
  target: RtbTargetConfig;
  reason: FilterReason | null;
}

export function prefilter(
  targets: readonly RtbTargetConfig[],
  context: CallContext,
  settings: AuctionSettings,
  blocked: ReadonlyMap<number, BlockReason>,
): PrefilterResult[] {
  const state = normState(context.callerState);
  const zip = normZip(context.callerZip);
  const withCallerId = hasCallerId(context.callerId);
  return targets.map((target) => ({ target, reason: reasonFor(target, state, zip, withCallerId, settings, blocked) }));
}

function reasonFor(
  target: RtbTargetConfig,
  state: string | null,
  zip: string | null,
  hasCallerId: boolean,
  settings: AuctionSettings,
  blocked: ReadonlyMap<number, BlockReason>,
): FilterReason | null {
  if (!target.isActive) return 'inactive';
  if (settings.callerIdRequired && !hasCallerId) return 'caller_id_required';
  if (target.states.length > 0 && (state === null || !target.states.some((s) => normState(s) === state))) return 'state_not_allowed';
  if (state !== null && target.excludedStates.some((s) => normState(s) === state)) return 'state_excluded';
  if (target.zipCodes.length > 0 && (zip === null || !target.zipCodes.some((z) => zipMatches(z, zip)))) return 'zip_not_allowed';
  if (zip !== null && target.excludedZipCodes.some((z) => zipMatches(z, zip))) return 'zip_excluded';
  return blocked.get(target.id) ?? null;
}

function normState(s: string | null): string | null {
  const t = s?.trim().toUpperCase();
  return t ? t : null;
}

function normZip(z: string | null): string | null {
  const t = z?.trim().toUpperCase();
  return t ? t : null;
}

function zipMatches(listEntry: string, callerZip: string): boolean {
  const entry = normZip(listEntry);
  if (entry === null) return false;
  return entry === callerZip || callerZip.startsWith(`${entry}-`);
}
