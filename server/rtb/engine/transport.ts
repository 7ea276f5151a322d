// The RTB module's only I/O: one bid request through the guarded outbound client (SSRF guard,
// no redirects, capped body, time bound) over the shared keep-alive dispatcher.
import type { Dispatcher } from 'undici';
import { guardedRequest } from '../../platform/http/outbound/guarded-client.js';
import type { OutboundPolicy } from '../../platform/http/outbound/types.js';
import type { BidRequest, SendAnswer, SendFn } from './types.js';

export const DEFAULT_MAX_BID_BODY_BYTES = 65_536;

export interface BidTransportOptions {
  /** The process-wide keep-alive dispatcher from createGuardedDispatcher. */
  dispatcher: Dispatcher;
  policy: OutboundPolicy;
  maxBodyBytes?: number;
}

export function createBidTransport(options: BidTransportOptions): SendFn {
  const { dispatcher, policy } = options;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BID_BODY_BYTES;
  return async (request: BidRequest, { timeoutMs, signal }): Promise<SendAnswer> => {
    try {
      const res = await guardedRequest(dispatcher, {
        url: request.url,
        method: request.method,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        timeoutMs,
        maxBodyBytes,
        signal,
        policy,
      });
      if (res.ok) return { ok: true, status: res.status, body: res.body, errorKind: null, responseTimeMs: res.durationMs };
      return { ok: false, status: res.status ?? null, body: null, errorKind: res.kind, responseTimeMs: res.durationMs };
    } catch {
      // guardedRequest reports failures as results; this is a last line, never expected.
      return { ok: false, status: null, body: null, errorKind: 'transport_error', responseTimeMs: null };
    }
  };
}
