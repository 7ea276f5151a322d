// The pre-filter: which targets get a bid request, decided without network. The first reason
// that applies is recorded: inactive, caller_id_required, state_not_allowed, state_excluded,
// zip_not_allowed, zip_excluded, then the caller's precomputed block reason (caps, concurrency,
// circuit breaker, predicted no-bid).
//
// An include list (states / zipCodes) with an unknown caller value does not match: the target
// asked for specific callers and we cannot show this is one. An exclude list with an unknown
// caller value does not exclude. States compare case-insensitively; a ZIP+4 caller zip
// ("90210-1234") matches its five-digit list entry.
import type { AuctionSettings, BlockReason, CallContext, FilterReason, RtbTargetConfig } from './types.js';

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
  const hasCallerId = context.callerId !== null && context.callerId.trim() !== '';
  return targets.map((target) => ({ target, reason: reasonFor(target, state, zip, hasCallerId, settings, blocked) }));
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
