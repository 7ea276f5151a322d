// The bids an RTB answer committed as one copy (bid_responses_pending, migration 0044) become
// bid_responses rows after the answer has left: the writer does it for this server's answers a
// moment later, the sweep for copies a crash left behind, and every reader of an auction's bids
// first flushes what is pending (flushPendingBids). flush_bid_responses() deletes a copy as it
// writes its rows, so each copy is written once whoever flushes it.
import type { FastifyBaseLogger } from 'fastify';
import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../../../db/types.js';
import { drainBatches, startPeriodic } from '../../platform/common/periodic.js';

/** A copy older than this is the sweep's: the writer of a live server has had its chance. */
const SWEEP_AFTER_MS = 2000;
const SWEEP_BATCH = 100;

/**
 * Writes the pending bids of the organisation's auctions. Returns how many auctions' bids were
 * written. Cheap when nothing is pending.
 */
export async function flushPendingBids(db: Db, orgId: string): Promise<number> {
  const { rows } = await sql<{ flushed: number }>`
    SELECT flush_bid_responses(ARRAY(SELECT bid_request_id FROM bid_responses_pending WHERE org_id = ${orgId}::uuid)) AS flushed`.execute(db);
  return rows[0]?.flushed ?? 0;
}

/**
 * The same for the auction a query has just read (`column`: its bid_requests id), as a value of that
 * query: the bids are rows for the caller's next statement, and no round trip is added.
 */
export function flushPendingBidsOf(column: string): RawBuilder<number> {
  return sql<number>`flush_bid_responses(ARRAY[${sql.ref(column)}])`;
}

/**
 * One batch of the copies nobody flushed (older than `olderThanMs`; 0: all), any organisation;
 * a copy another session is flushing is skipped. Returns how many were written.
 */
export async function sweepPendingBids(db: Db, olderThanMs: number = SWEEP_AFTER_MS): Promise<number> {
  const { rows } = await sql<{ flushed: number }>`
    SELECT flush_bid_responses(ARRAY(
      SELECT bid_request_id FROM bid_responses_pending
      WHERE created_at <= now() - make_interval(secs => ${olderThanMs / 1000})
      ORDER BY bid_request_id LIMIT ${SWEEP_BATCH} FOR UPDATE SKIP LOCKED)) AS flushed`.execute(db);
  return rows[0]?.flushed ?? 0;
}

export interface BidRowWriter {
  /** Writes the auction's pending bids once the current answer has been sent; a failure is logged and left to the sweep. */
  schedule(bidRequestId: string): void;
  /** Resolves when every write scheduled so far has ended (the app's close; tests). */
  settled(): Promise<void>;
}

/** Coalesces the auctions answered in one turn of the event loop into one statement. */
export function createBidRowWriter(db: Db, log: FastifyBaseLogger): BidRowWriter {
  let queued: string[] = [];
  const running = new Set<Promise<void>>();
  function writeQueued(): void {
    const ids = queued;
    queued = [];
    const write: Promise<void> = sql`SELECT flush_bid_responses(${ids}::bigint[])`
      .execute(db)
      .then(
        () => undefined,
        (err: unknown) => log.warn({ err, bidRequestIds: ids }, 'Writing the bid rows of an RTB answer failed; the sweep will write them'),
      )
      .finally(() => running.delete(write));
    running.add(write);
  }
  return {
    schedule(bidRequestId) {
      queued.push(bidRequestId);
      // setImmediate: after the answer's reply has been written to its socket (promise callbacks).
      if (queued.length === 1) setImmediate(writeQueued);
    },
    async settled() {
      while (queued.length > 0 || running.size > 0) {
        if (running.size > 0) await Promise.all([...running]);
        else await new Promise((resolve) => setImmediate(resolve));
      }
    },
  };
}

/** Every `intervalMs`: its first pass flushes every copy (a restart's leftovers), later passes those older than a few seconds. */
export function startPendingBidSweep(db: Db, intervalMs: number, log: FastifyBaseLogger): () => Promise<void> {
  let first = true;
  return startPeriodic(
    async (stopping) => {
      const olderThanMs = first ? 0 : SWEEP_AFTER_MS;
      first = false;
      const flushed = await drainBatches(() => sweepPendingBids(db, olderThanMs), SWEEP_BATCH, stopping);
      if (flushed > 0) log.info({ auctions: flushed }, 'Wrote the bid rows of RTB answers a stopped server left unwritten');
    },
    intervalMs,
    (err) => log.warn({ err }, 'Bid row sweep failed'),
  );
}
