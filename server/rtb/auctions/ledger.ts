// The auction ledger: everything needed to re-derive a decision (inputs, settings, target
// configurations without secrets, pre-filter reasons, raw answers). Pure (de)serialisation.
import { authSecrets } from '../engine/adapter.js';
import { redact } from '../engine/audit.js';
import type { AuctionResult, AuctionSettings, CallContext, RawAnswer, RtbTargetConfig } from '../engine/types.js';

export const LEDGER_VERSION = 1;

export interface Ledger {
  version: number;
  context: Omit<CallContext, 'callStartTime'> & { callStartTime: string };
  settings: AuctionSettings;
  targets: RtbTargetConfig[];
  filtered: Array<[number, string]>;
  answers: RawAnswer[];
}

/** Pre-filter reasons as the auction recorded them (an auction without enough bidders marks the rest). */
export function filteredReasons(result: AuctionResult): Map<number, string> {
  const filtered = new Map<number, string>();
  for (const outcome of result.outcomes) {
    if (outcome.status === 'filtered' && outcome.rejectionReason && outcome.rejectionReason !== 'insufficient_bidders') {
      filtered.set(outcome.targetId, outcome.rejectionReason);
    }
  }
  return filtered;
}

export function buildLedger(context: CallContext, settings: AuctionSettings, targets: readonly RtbTargetConfig[], result: AuctionResult): Ledger {
  const targetById = new Map(targets.map((t) => [t.id, t]));
  return {
    version: LEDGER_VERSION,
    context: { ...context, callStartTime: context.callStartTime.toISOString() },
    settings,
    // Secrets never enter the ledger (a replay sends nothing): not the token, not a template or
    // an answer that carries it.
    targets: targets.map((t) => ({ ...t, authToken: null, requestBody: t.requestBody && redact(t.requestBody, authSecrets(t)) })),
    filtered: [...filteredReasons(result)],
    answers: result.answers.map((answer) => {
      const target = targetById.get(answer.targetId);
      return target && answer.body ? { ...answer, body: redact(answer.body, authSecrets(target)) } : answer;
    }),
  };
}

/** `raw`: bid_requests.ledger, JSON text (migration 0044). */
export function readLedger(raw: string): { context: CallContext; settings: AuctionSettings; targets: RtbTargetConfig[]; filtered: Map<number, string>; answers: RawAnswer[] } {
  let ledger: Ledger | null;
  try {
    ledger = JSON.parse(raw) as Ledger | null;
  } catch {
    throw new Error('unreadable ledger');
  }
  if (!ledger || ledger.version !== LEDGER_VERSION) throw new Error('unsupported ledger version');
  return {
    context: { ...ledger.context, callStartTime: new Date(ledger.context.callStartTime) },
    settings: ledger.settings,
    targets: ledger.targets,
    filtered: new Map(ledger.filtered),
    answers: ledger.answers,
  };
}
