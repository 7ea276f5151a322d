// Sums of summary rows and the shares derived from them (pure): the disposition and outcome
// counts in the API's keys, and ratios rounded as PostgreSQL's round(numeric) does (half away
// from zero; the operands are whole numbers, far below where a double loses a digit).
import type { CallDisposition, CallLogOutcome } from '../../db/types.js';

/** What the call summaries add up for a group of calls. */
export interface CallSums {
  calls: number;
  completed: number;
  converted: number;
  durationSum: number;
  durationN: number;
  talkSum: number;
}

export interface CallSumRow extends CallSums {
  /** The group (agent id, campaign id, bucket number) or null. */
  key: string | number | null;
  disposition: CallDisposition | null;
}

export interface LogSumRow {
  key: string | number | null;
  outcome: CallLogOutcome;
  logs: number;
  durationSum: number;
  durationN: number;
}

export const DISPOSITION_KEYS = {
  answered: 'answered',
  voicemail: 'voicemail',
  no_answer: 'noAnswer',
  busy: 'busy',
  failed: 'failed',
  abandoned: 'abandoned',
  canceled: 'canceled',
} as const satisfies Record<CallDisposition, string>;

export const OUTCOME_KEYS = {
  interested: 'interested',
  not_interested: 'notInterested',
  voicemail: 'voicemail',
  no_answer: 'noAnswer',
  busy: 'busy',
  callback_requested: 'callback',
} as const satisfies Record<CallLogOutcome, string>;

export type DispositionCounts = Record<(typeof DISPOSITION_KEYS)[CallDisposition], number>;
export type OutcomeCounts = Record<(typeof OUTCOME_KEYS)[CallLogOutcome], number>;

export const NO_CALLS: CallSums = { calls: 0, completed: 0, converted: 0, durationSum: 0, durationN: 0, talkSum: 0 };

export function addCallSums(rows: readonly CallSums[]): CallSums {
  const total = { ...NO_CALLS };
  for (const r of rows) {
    total.calls += r.calls;
    total.completed += r.completed;
    total.converted += r.converted;
    total.durationSum += r.durationSum;
    total.durationN += r.durationN;
    total.talkSum += r.talkSum;
  }
  return total;
}

export function dispositionCounts(rows: readonly CallSumRow[]): DispositionCounts {
  const counts: DispositionCounts = { answered: 0, voicemail: 0, noAnswer: 0, busy: 0, failed: 0, abandoned: 0, canceled: 0 };
  for (const r of rows) if (r.disposition !== null) counts[DISPOSITION_KEYS[r.disposition]] += r.calls;
  return counts;
}

export function outcomeCounts(rows: readonly LogSumRow[]): OutcomeCounts {
  const counts: OutcomeCounts = { interested: 0, notInterested: 0, voicemail: 0, noAnswer: 0, busy: 0, callback: 0 };
  for (const r of rows) counts[OUTCOME_KEYS[r.outcome]] += r.logs;
  return counts;
}

/** `num / den` rounded to `decimals` places; null when `den` is 0. */
export function ratio(num: number, den: number, decimals: number): number | null {
  if (den === 0) return null;
  const scale = 10 ** decimals;
  const scaled = (num * scale) / den;
  return (Math.sign(scaled) * Math.round(Math.abs(scaled))) / scale;
}

/** A share (4 decimals) that is 0 rather than null when there is nothing to share. */
export function share(num: number, den: number): number {
  return ratio(num, den, 4) ?? 0;
}

/** The rows whose key is `key`. */
export function rowsOf<T extends { key: string | number | null }>(rows: readonly T[], key: string | number | null): T[] {
  return rows.filter((r) => r.key === key);
}
