// What an RTB campaign's first routing needs, started by the voice webhook while it records the
// call, so that nothing, or at most one read, sits between the webhook's arrival and the auction's
// fan-out:
//
// - the auction's configuration (the route cache's, or read now);
// - one read: does the caller hold an inbound bid, and is this CallSid already recorded?
// - the auction itself, before the call record exists. The routing of the new call takes it
//   (route-call.ts) and records its audit against the call.
//
// When the auction starts (issue 13 item 3: that read cost the answer 1.6 ms at the median and
// 7.7 ms at p99 on the benchmark machine, docs/benchmarks.md "2026-12-06"):
// - `early: true` — the campaign had no inbound bid waiting when the route cache read it (within
//   the last second) and this instance has accepted none on it since: the auction starts at once,
//   beside the read. If the read then finds an inbound bid (accepted by another instance within
//   that second) or the CallSid recorded, the auction is closed as below and nobody takes it;
// - otherwise it starts once the read says neither.
//
// A repeated delivery (a Twilio retry, a takeover after a crash) finds its CallSid recorded and
// takes no early auction (with `early`, its bid requests were sent and are aborted). Two deliveries of one call arriving at the same moment may both start one; the
// one that does not record the call never takes it, and `release()` closes it: requests still in
// flight are aborted, the circuit breaker is not fed, nothing of it is written (as with a losing
// delivery's auction, routing-lease.ts). Its bid requests were sent: those bidders see a ping that
// no call followed, as when a caller hangs up before the transfer.
import type { Kysely } from 'kysely';
import type { CampaignRow, DB } from '../../../db/types.js';
import { normaliseCallerId } from '../../rtb/auctions/inbound.js';
import { type AuctionConfig, loadAuctionConfig, startCampaignAuction, type StartedCampaignAuction } from '../../rtb/auctions/run-campaign-auction.js';
import type { RtbRuntime } from '../../rtb/auctions/runtime.js';
import { auctionPrefetchFacts } from './candidate-queries.js';

export interface AuctionPrefetch {
  config: Promise<AuctionConfig>;
  inboundBidWaiting: Promise<boolean>;
  /**
   * The auction started before the call was recorded, once (later calls answer undefined);
   * undefined also when the caller may hold an inbound bid or the call was already recorded (no
   * auction was started).
   */
  take(): Promise<StartedCampaignAuction | undefined>;
  /** Closes an auction nobody took (no effect once taken). */
  release(): void;
}

export interface PrefetchCaller {
  callSid: string;
  from: string | null;
  callerState: string | null;
  callerZip: string | null;
}

export interface PrefetchOptions {
  /** The configuration as cached (else it is read now). */
  cached?: AuctionConfig | undefined;
  /** Start the auction without waiting for the read (no inbound bid can be waiting, see above). */
  early?: boolean;
}

export function prefetchAuction(deps: { db: Kysely<DB>; rtb: RtbRuntime }, campaign: CampaignRow, caller: PrefetchCaller, options: PrefetchOptions = {}): AuctionPrefetch {
  const { cached } = options;
  const { db, rtb } = deps;
  const callerId = caller.from ? normaliseCallerId(caller.from) : null;
  const config = cached ? Promise.resolve(cached) : loadAuctionConfig(db, campaign);
  const facts = auctionPrefetchFacts(db, campaign, callerId, caller.callSid);
  const inboundBidWaiting = facts.then((f) => f.inboundBid);
  const closer = new AbortController();
  const start = () =>
    startCampaignAuction(db, rtb, {
      campaign,
      caller: { callerId: callerId ?? caller.from, callerState: caller.callerState, callerZip: caller.callerZip },
      source: 'call',
      callId: null,
      callSid: caller.callSid,
      // The routing stores its answer (a synchronous commit) before the TwiML.
      asyncAudit: true,
      config,
      signal: closer.signal,
    });
  const usable = facts.then(({ inboundBid, known }) => !inboundBid && !known);
  let early: Promise<StartedCampaignAuction | undefined>;
  if (options.early === true) {
    const started = start();
    // The read found a reason not to hold this auction: its requests are aborted at once.
    usable.then((ok) => (ok ? undefined : closer.abort()), () => closer.abort());
    early = Promise.all([usable, started]).then(([ok, auction]) => (ok ? auction : undefined));
  } else {
    early = usable.then((ok) => (ok ? start() : undefined));
  }
  // Awaited by the routing that uses them; unused when another delivery routes the call.
  config.catch(() => {});
  inboundBidWaiting.catch(() => {});
  early.catch(() => {});
  let taken = false;
  return {
    config,
    inboundBidWaiting,
    take() {
      if (taken) return Promise.resolve(undefined);
      taken = true;
      return early;
    },
    release() {
      if (!taken) closer.abort();
      taken = true;
    },
  };
}
