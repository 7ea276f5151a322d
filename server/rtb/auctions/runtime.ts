// The process-wide RTB runtime: one guarded keep-alive dispatcher, one bounded fan-out (p-limit),
// one circuit breaker fed by every live answer. Built once per app, closed with it.
import pLimit, { type LimitFunction } from 'p-limit';
import type { Dispatcher } from 'undici';
import { createGuardedDispatcher } from '../../platform/http/outbound/guarded-client.js';
import type { OutboundPolicy } from '../../platform/http/outbound/types.js';
import { createCircuitBreaker, type CircuitBreaker } from '../engine/circuit-breaker.js';
import { createBidTransport } from '../engine/transport.js';
import type { SendFn } from '../engine/types.js';

export interface RtbRuntime {
  send: SendFn;
  limit: LimitFunction;
  breaker: CircuitBreaker;
  close(): Promise<void>;
}

export function createRtbRuntime(policy: OutboundPolicy, fanoutConcurrency: number): RtbRuntime {
  const dispatcher: Dispatcher = createGuardedDispatcher(policy);
  return {
    send: createBidTransport({ dispatcher, policy }),
    limit: pLimit(fanoutConcurrency),
    breaker: createCircuitBreaker(),
    close: () => dispatcher.close(),
  };
}
