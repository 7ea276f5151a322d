// The RTB answer's bid rows check two keys instead of three (issue 13 item 3).
//
// bid_responses had three foreign keys: org_id → organizations, bid_request_id → bid_requests and
// rtb_target_id → rtb_targets. Each is checked by a trigger per inserted row, so an auction of 100
// bidders ran 300 key look-ups inside the answer's one synchronous statement (answer_rtb_call(),
// migration 0038). Measured in a loop of that function on the benchmark machine
// (docs/benchmarks.md, "2026-12-06"): 5.5–6.8 ms per call of 100 bidders with the three keys,
// 4.3–4.4 ms with the two below; 1.0 against 0.9 ms with 10 bidders.
//
// The bid's organisation and auction are now one key, (org_id, bid_request_id) → bid_requests
// (org_id, id) (its unique key since migration 0005): a bid can no longer name another tenant's
// auction, and its organisation exists because the auction's does (bid_requests.org_id →
// organizations, ON DELETE CASCADE, which still reaches the bids through this key). The target's
// key stays (ON DELETE SET NULL keeps the bids of a deleted target).
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE bid_responses
      DROP CONSTRAINT bid_responses_org_id_fkey,
      DROP CONSTRAINT bid_responses_bid_request_id_fkey,
      ADD CONSTRAINT bid_responses_org_request_fkey FOREIGN KEY (org_id, bid_request_id)
        REFERENCES bid_requests (org_id, id) ON DELETE CASCADE;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE bid_responses
      DROP CONSTRAINT bid_responses_org_request_fkey,
      ADD CONSTRAINT bid_responses_org_id_fkey FOREIGN KEY (org_id) REFERENCES organizations (id) ON DELETE CASCADE,
      ADD CONSTRAINT bid_responses_bid_request_id_fkey FOREIGN KEY (bid_request_id) REFERENCES bid_requests (id) ON DELETE CASCADE;
  `.execute(db);
}
