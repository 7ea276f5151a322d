// Call outcomes in our spelling or seed 003's, and the seed's words for people to read (pure).
import type { CallLogOutcome } from '../../../db/types.js';

/** Seed 003's spelling of each outcome (what a summary shows). */
export const OUTCOME_LABELS: Record<CallLogOutcome, string> = {
  interested: 'Interested',
  not_interested: 'Not Interested',
  voicemail: 'Voicemail',
  no_answer: 'No Answer',
  busy: 'Busy',
  callback_requested: 'Callback Requested',
};

const OUTCOMES = new Set<string>(Object.keys(OUTCOME_LABELS));

/** An outcome from any accepted spelling (`Not Interested`, `not_interested`, `no-answer`, ...); null when it is none. */
export function parseOutcome(value: string): CallLogOutcome | null {
  const key = value.trim().toLowerCase().replace(/[\s-]+/g, '_');
  return OUTCOMES.has(key) ? (key as CallLogOutcome) : null;
}
