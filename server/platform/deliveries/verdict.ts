// What a try's outcome means for its delivery (pure): delivered, retried after a backoff, or failed
// for good. Permanent failures end a delivery at once: the guard refused the address or the URL,
// or the receiver answered a 4xx other than 408 / 429 (retrying the same request cannot change its
// mind). Otherwise the n-th failed try is retried after retryBaseMs × 2^(n-1), up to maxAttempts
// (later when a 429 / 503 asks so in Retry-After, up to the longest of those backoffs).
// The receiver's answer is its status line: a body too large to read, or one that stalls or breaks
// off after the status line (answerOf), changes nothing: its headers (Retry-After) still count.
import type { OutboundResult } from '../http/outbound/guarded-client.js';

/**
 * A try's result as the worker judges it: once the status line has arrived it is the receiver's
 * answer (the worker never needs the body) — a 2xx whose page is larger than the client reads, or
 * that stalls past the time-out or breaks off, is delivered, not a failure to send again.
 */
export function answerOf(result: OutboundResult): OutboundResult {
  if (result.ok || result.status === undefined) return result;
  return { ok: true, status: result.status, headers: result.headers ?? {}, body: '', durationMs: result.durationMs };
}

export type AttemptVerdict = { kind: 'delivered' } | { kind: 'retry'; delayMs: number } | { kind: 'failed' };

/** Whether an answer or failure is worth another try. */
export function isPermanentFailure(result: OutboundResult): boolean {
  if (!result.ok) return result.kind === 'blocked' || result.kind === 'invalid_url';
  return result.status >= 400 && result.status < 500 && result.status !== 408 && result.status !== 429;
}

/**
 * How long a 429 or 503 asks to be left alone (`Retry-After`: seconds or an HTTP date, relative to
 * `now`), in ms; undefined when it does not say (or says something unreadable or past).
 */
export function retryAfterMs(result: OutboundResult, now: number): number | undefined {
  if (!result.ok || (result.status !== 429 && result.status !== 503)) return undefined;
  const value = result.headers['retry-after']?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) && at > now ? at - now : undefined;
}

/**
 * What happens to a delivery after its `attempt`-th try. A retry waits retryBaseMs × 2^(attempt-1),
 * or longer when a 429 / 503 says so in `Retry-After` — at most the schedule's longest backoff
 * (the one before the last try), so a receiver cannot park a delivery for days.
 */
export function verdictOf(result: OutboundResult, attempt: number, options: { maxAttempts: number; retryBaseMs: number }, now = Date.now()): AttemptVerdict {
  if (result.ok && result.status >= 200 && result.status < 300) return { kind: 'delivered' };
  if (isPermanentFailure(result) || attempt >= options.maxAttempts) return { kind: 'failed' };
  const backoffMs = options.retryBaseMs * 2 ** (attempt - 1);
  const asked = retryAfterMs(result, now);
  if (asked === undefined) return { kind: 'retry', delayMs: backoffMs };
  const longestBackoffMs = options.retryBaseMs * 2 ** Math.max(0, options.maxAttempts - 2);
  return { kind: 'retry', delayMs: Math.max(backoffMs, Math.min(asked, longestBackoffMs)) };
}

/** A short description of a failed try, for last_error and the attempt row (no headers, no body). */
export function failureText(result: OutboundResult): string | null {
  if (result.ok) return result.status >= 200 && result.status < 300 ? null : `HTTP ${result.status}`;
  return `${result.kind}: ${result.message}`;
}
