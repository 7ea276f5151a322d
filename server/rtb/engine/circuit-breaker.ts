// Per-target health in memory, with an injected clock (every method takes `now` in ms).
// - Circuit breaker: `failureThreshold` consecutive failures (timeout, connect error, 5xx) open
//   the circuit for `coolDownMs`; then it is half-open: `isOpen` lets exactly one probe through
//   (and keeps the rest out) until that probe is recorded — success closes the circuit, failure
//   opens it for another cool-down. A probe that is never recorded frees its slot after a
//   further cool-down.
// - Bid rate: the last `bidRateWindow` outcomes (valid bid or not); `predictsNoBid` is true once
//   at least `noBidMinPings` of them are there and none was a valid bid. `blockReasons` still lets
//   such a target through every `noBidProbeEvery`-th time it would be skipped, so that it can
//   recover.
import type { BlockReason, TargetOutcome } from './types.js';

export interface CircuitBreakerOptions {
  failureThreshold?: number;
  coolDownMs?: number;
  bidRateWindow?: number;
  noBidMinPings?: number;
  noBidProbeEvery?: number;
}

export type CircuitState = 'closed' | 'open' | 'half_open';

interface Entry {
  state: CircuitState;
  failures: number;
  openedAt: number;
  probeAt: number | null;
  bids: boolean[];
  noBidSkips: number;
}

export interface CircuitBreaker {
  isOpen(targetId: number, now: number): boolean;
  state(targetId: number, now: number): CircuitState;
  record(targetId: number, success: boolean, now: number): void;
  recordBid(targetId: number, validBid: boolean): void;
  predictsNoBid(targetId: number): boolean;
  /**
   * Feeds an auction's outcomes (filtered targets are ignored). With `timeoutMsOf` (each target's
   * own timeout), a timeout that came before it — the auction's deadline cut the target short,
   * after its wait in the fan-out or under a shorter biddingTimeoutMs — is not the target's doing:
   * it counts neither as a failure nor as a ping without a bid.
   */
  observe(outcomes: readonly TargetOutcome[], now: number, timeoutMsOf?: ReadonlyMap<number, number>): void;
  /** The `blocked` map for the next auction: circuit_open, or predicted_no_bid. */
  blockReasons(targetIds: readonly number[], now: number): Map<number, BlockReason>;
}

/** A failure for the breaker: timeout, connection error, or a 5xx answer. */
export function isBreakerFailure(outcome: Pick<TargetOutcome, 'rejectionReason' | 'httpStatus'>): boolean {
  const r = outcome.rejectionReason;
  if (r === 'timeout' || r === 'connect_error') return true;
  return r !== null && r.startsWith('http_') && outcome.httpStatus !== null && outcome.httpStatus >= 500 && outcome.httpStatus <= 599;
}

/** Waited less than its own timeout (1 ms of slack for the rounding of response times). */
function cutShort(responseTimeMs: number, ownTimeoutMs: number | undefined): boolean {
  return ownTimeoutMs !== undefined && responseTimeMs < ownTimeoutMs - 1;
}

export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  const threshold = options.failureThreshold ?? 5;
  const coolDownMs = options.coolDownMs ?? 30_000;
  const window = options.bidRateWindow ?? 20;
  const minPings = options.noBidMinPings ?? 10;
  const probeEvery = options.noBidProbeEvery ?? 10;
  const entries = new Map<number, Entry>();

  const entry = (id: number): Entry => {
    let e = entries.get(id);
    if (e === undefined) {
      e = { state: 'closed', failures: 0, openedAt: 0, probeAt: null, bids: [], noBidSkips: 0 };
      entries.set(id, e);
    }
    return e;
  };

  const state = (id: number, now: number): CircuitState => {
    const e = entries.get(id);
    if (e === undefined) return 'closed';
    if (e.state === 'open' && now - e.openedAt >= coolDownMs) return 'half_open';
    return e.state;
  };

  const isOpen = (id: number, now: number): boolean => {
    const e = entries.get(id);
    if (e === undefined || e.state === 'closed') return false;
    if (e.state === 'open') {
      if (now - e.openedAt < coolDownMs) return true;
      e.state = 'half_open';
      e.probeAt = now;
      return false; // this caller is the probe
    }
    // half_open: one probe at a time; a probe that never reported frees the slot after a cool-down.
    if (e.probeAt !== null && now - e.probeAt < coolDownMs) return true;
    e.probeAt = now;
    return false;
  };

  const record = (id: number, success: boolean, now: number): void => {
    const e = entry(id);
    if (success) {
      e.state = 'closed';
      e.failures = 0;
      e.probeAt = null;
      return;
    }
    e.failures++;
    if (e.state === 'half_open' || e.failures >= threshold) {
      e.state = 'open';
      e.openedAt = now;
      e.probeAt = null;
    }
  };

  const recordBid = (id: number, validBid: boolean): void => {
    const e = entry(id);
    e.bids.push(validBid);
    if (e.bids.length > window) e.bids.shift();
    if (validBid) e.noBidSkips = 0;
  };

  const predictsNoBid = (id: number): boolean => {
    const e = entries.get(id);
    return e !== undefined && e.bids.length >= minPings && !e.bids.includes(true);
  };

  return {
    isOpen,
    state,
    record,
    recordBid,
    predictsNoBid,
    observe(outcomes, now, timeoutMsOf) {
      for (const o of outcomes) {
        if (o.status === 'filtered') continue;
        // A target that was never reached (queued past the deadline), or was given less than its
        // own timeout, says nothing about its health.
        if (o.rejectionReason === 'timeout' && (o.responseTimeMs === null || cutShort(o.responseTimeMs, timeoutMsOf?.get(o.targetId)))) continue;
        record(o.targetId, !isBreakerFailure(o), now);
        recordBid(o.targetId, o.isValid);
      }
    },
    blockReasons(targetIds, now) {
      const blocked = new Map<number, BlockReason>();
      for (const id of targetIds) {
        const before = state(id, now);
        if (isOpen(id, now)) {
          blocked.set(id, 'circuit_open');
        } else if (before === 'closed' && predictsNoBid(id)) {
          // (A half-open probe is never spent on a skip.)
          const e = entry(id);
          e.noBidSkips++;
          if (e.noBidSkips % probeEvery !== 0) blocked.set(id, 'predicted_no_bid');
        }
      }
      return blocked;
    },
  };
}
