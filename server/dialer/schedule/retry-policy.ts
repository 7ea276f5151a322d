// What happens after a dial that reached nobody (pure): one stored model, a retry rule per outcome
// (no answer, busy, failed, voicemail: how many attempts in all, the first delay, the backoff
// multiplier, or no retry), read from either seed's shape and shown in both:
//   seed 002  { maxAttempts, delayMinutes, retryOnNoAnswer, retryOnBusy, retryOnVoicemail }
//             — one attempt count and delay for every outcome it retries, no backoff; failed
//             calls are retried like unanswered ones;
//   seed 004  { no_answer | busy | failed | voicemail: { maxAttempts, initialDelay (ms), backoffMultiplier } }
//             — per outcome; an update changes only the outcomes and fields it names.
export const RETRY_OUTCOMES = ['no_answer', 'busy', 'failed', 'voicemail'] as const;
export type RetryOutcome = (typeof RETRY_OUTCOMES)[number];

export interface OutcomeRetry {
  /** Attempts in all (the first dial included) after which a lead with this outcome is not retried. */
  maxAttempts: number;
  /** Delay before the first retry, in seconds. */
  initialDelaySec: number;
  /** Each later retry waits this many times longer than the one before (1: the same delay). */
  backoffMultiplier: number;
}

/** null: an outcome that is never retried. */
export type RetryPolicy = Record<RetryOutcome, OutcomeRetry | null>;

export const MAX_ATTEMPTS_LIMIT = 20;
export const MAX_DELAY_SEC = 30 * 24 * 3600;
export const MAX_BACKOFF = 10;

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  no_answer: { maxAttempts: 3, initialDelaySec: 3600, backoffMultiplier: 1 },
  busy: { maxAttempts: 3, initialDelaySec: 3600, backoffMultiplier: 1 },
  failed: { maxAttempts: 3, initialDelaySec: 3600, backoffMultiplier: 1 },
  voicemail: null,
};

export interface Seed002RetryPolicy {
  maxAttempts: number;
  delayMinutes: number;
  retryOnNoAnswer: boolean;
  retryOnBusy: boolean;
  retryOnVoicemail: boolean;
}

export interface Seed004OutcomeRetry {
  maxAttempts?: number;
  /** Milliseconds (seed 004). */
  initialDelay?: number;
  backoffMultiplier?: number;
}
export type Seed004RetryConfig = Partial<Record<RetryOutcome, Seed004OutcomeRetry | null>>;

export function fromSeed002(policy: Seed002RetryPolicy): RetryPolicy {
  const rule: OutcomeRetry = { maxAttempts: policy.maxAttempts, initialDelaySec: policy.delayMinutes * 60, backoffMultiplier: 1 };
  return {
    no_answer: policy.retryOnNoAnswer ? rule : null,
    busy: policy.retryOnBusy ? { ...rule } : null,
    failed: policy.retryOnNoAnswer ? { ...rule } : null,
    voicemail: policy.retryOnVoicemail ? { ...rule } : null,
  };
}

/**
 * Seed 004's shape applied to `base`: each outcome named is changed in the fields given (null:
 * that outcome is no longer retried); the others stay as they were.
 */
export function applySeed004(base: RetryPolicy, update: Seed004RetryConfig): RetryPolicy {
  const next: RetryPolicy = { ...base };
  for (const outcome of RETRY_OUTCOMES) {
    const change = update[outcome];
    if (change === undefined) continue;
    if (change === null) {
      next[outcome] = null;
      continue;
    }
    const current = base[outcome] ?? DEFAULT_RETRY_POLICY[outcome] ?? { maxAttempts: 1, initialDelaySec: 3600, backoffMultiplier: 1 };
    next[outcome] = {
      maxAttempts: change.maxAttempts ?? current.maxAttempts,
      initialDelaySec: change.initialDelay !== undefined ? Math.round(change.initialDelay / 1000) : current.initialDelaySec,
      backoffMultiplier: change.backoffMultiplier ?? current.backoffMultiplier,
    };
  }
  return next;
}

export function toSeed004(policy: RetryPolicy): Record<RetryOutcome, { maxAttempts: number; initialDelay: number; backoffMultiplier: number } | null> {
  const shown = {} as Record<RetryOutcome, { maxAttempts: number; initialDelay: number; backoffMultiplier: number } | null>;
  for (const outcome of RETRY_OUTCOMES) {
    const rule = policy[outcome];
    shown[outcome] = rule ? { maxAttempts: rule.maxAttempts, initialDelay: rule.initialDelaySec * 1000, backoffMultiplier: rule.backoffMultiplier } : null;
  }
  return shown;
}

/** Seed 002's flat view: the no-answer rule's count and delay (or the first rule set), and which outcomes retry. */
export function toSeed002(policy: RetryPolicy): Seed002RetryPolicy {
  const first = policy.no_answer ?? policy.busy ?? policy.voicemail ?? policy.failed;
  return {
    maxAttempts: first?.maxAttempts ?? 1,
    delayMinutes: first ? Math.round(first.initialDelaySec / 60) : 0,
    retryOnNoAnswer: policy.no_answer !== null,
    retryOnBusy: policy.busy !== null,
    retryOnVoicemail: policy.voicemail !== null,
  };
}

/** Which field of a policy is out of bounds (for a 400 naming it), or null. */
export function retryPolicyProblem(policy: RetryPolicy): { field: string; message: string } | null {
  for (const outcome of RETRY_OUTCOMES) {
    const rule = policy[outcome];
    if (rule === null) continue;
    if (!Number.isInteger(rule.maxAttempts) || rule.maxAttempts < 1 || rule.maxAttempts > MAX_ATTEMPTS_LIMIT) {
      return { field: `${outcome}.maxAttempts`, message: `must be a whole number from 1 to ${MAX_ATTEMPTS_LIMIT}` };
    }
    if (!Number.isFinite(rule.initialDelaySec) || rule.initialDelaySec < 0 || rule.initialDelaySec > MAX_DELAY_SEC) {
      return { field: `${outcome}.initialDelay`, message: `must be from 0 to ${MAX_DELAY_SEC * 1000} ms (30 days)` };
    }
    if (!Number.isFinite(rule.backoffMultiplier) || rule.backoffMultiplier < 1 || rule.backoffMultiplier > MAX_BACKOFF) {
      return { field: `${outcome}.backoffMultiplier`, message: `must be from 1 to ${MAX_BACKOFF}` };
    }
  }
  return null;
}

/**
 * When a lead whose attempt number `attemptsMade` (1 = the first dial) ended with `outcome` is
 * dialled again, or null when it is not: the outcome is not retried, or its attempts are used up.
 * The k-th retry waits initialDelay × backoff^(k−1), capped at 30 days.
 */
export function nextRetryAt(policy: RetryPolicy, outcome: RetryOutcome, attemptsMade: number, now: Date): Date | null {
  const rule = policy[outcome];
  if (rule === null || attemptsMade >= rule.maxAttempts) return null;
  const retryIndex = Math.max(0, attemptsMade - 1);
  const delaySec = Math.min(MAX_DELAY_SEC, rule.initialDelaySec * rule.backoffMultiplier ** retryIndex);
  return new Date(now.getTime() + Math.round(delaySec * 1000));
}

/** The most dials any outcome allows (at least 1: a lead is always dialled once). */
export function mostAttempts(policy: RetryPolicy): number {
  return Math.max(1, ...RETRY_OUTCOMES.map((outcome) => policy[outcome]?.maxAttempts ?? 1));
}
