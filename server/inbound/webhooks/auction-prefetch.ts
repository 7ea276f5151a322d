// What an RTB campaign's first routing needs, started by the voice webhook while it records the
// call, so that one read is all that sits between the webhook's arrival and the auction's fan-out:
//
// - the auction's configuration (the route cache's, or read now);
// - one read: does the caller hold an inbound bid, and is this CallSid already recorded? (The
//   webhook inserts the call only once it has answered, so the read never finds this delivery's
//   own insert: voice.ts.)
// - the auction itself, started as soon as that read says neither — before the call record exists.
//   The routing of the new call takes it (route-call.ts) and records its audit against the call.
//
// A repeated delivery (a Twilio retry, a takeover after a crash) finds its CallSid recorded and
// starts nothing. Two deliveries of one call arriving at the same moment may both start one; the
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
  /** The number the caller dialled. */
  to: string | null;
}

export function prefetchAuction(deps: { db: Kysely<DB>; rtb: RtbRuntime }, campaign: CampaignRow, caller: PrefetchCaller, cached?: AuctionConfig): AuctionPrefetch {
  const { db, rtb } = deps;
  const callerId = caller.from ? normaliseCallerId(caller.from) : null;
  const config = cached ? Promise.resolve(cached) : loadAuctionConfig(db, campaign);
  const facts = auctionPrefetchFacts(db, campaign, callerId, caller.callSid);
  const inboundBidWaiting = facts.then((f) => f.inboundBid);
  const closer = new AbortController();
  const early = facts.then(({ inboundBid, known }) =>
    inboundBid || known
      ? undefined
      : startCampaignAuction(db, rtb, {
          campaign,
          caller: { callerId: callerId ?? caller.from, callerState: caller.callerState, callerZip: caller.callerZip },
          source: 'call',
          dialledNumber: caller.to,
          callId: null,
          callSid: caller.callSid,
          // The routing stores its answer (a synchronous commit) before the TwiML.
          asyncAudit: true,
          config,
          signal: closer.signal,
        }),
  );
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
