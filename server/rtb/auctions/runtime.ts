// The process-wide RTB runtime: one guarded keep-alive dispatcher, one bounded fan-out (p-limit),
// one circuit breaker fed by every live answer. Built once per app, closed with it. Health probes
// and operators' test bids have a small limit of their own (probeLimit): they may wait up to a
// target's timeout (30 s), and in the auctions' limit one organisation probing slow targets would
// hold the slots every organisation's live auctions need before their deadline.
import pLimit, { type LimitFunction } from 'p-limit';
import type { Dispatcher } from 'undici';
import { createGuardedDispatcher } from '../../platform/http/outbound/guarded-client.js';
import type { OutboundPolicy } from '../../platform/http/outbound/types.js';
import { createCircuitBreaker, type CircuitBreaker } from '../engine/circuit-breaker.js';
import { createBidTransport } from '../engine/transport.js';
import type { SendFn } from '../engine/types.js';

/** Concurrent health probes and test bids, process-wide. */
export const PROBE_CONCURRENCY = 16;

export interface RtbRuntime {
  send: SendFn;
  /** Live auctions' fan-out only. */
  limit: LimitFunction;
  /** Health probes and test bids. */
  probeLimit: LimitFunction;
  breaker: CircuitBreaker;
  close(): Promise<void>;
}

export function createRtbRuntime(policy: OutboundPolicy, fanoutConcurrency: number): RtbRuntime {
  const dispatcher: Dispatcher = createGuardedDispatcher(policy);
  return {
    send: createBidTransport({ dispatcher, policy }),
    limit: pLimit(fanoutConcurrency),
    probeLimit: pLimit(PROBE_CONCURRENCY),
    breaker: createCircuitBreaker(),
    close: () => dispatcher.close(),
  };
}
