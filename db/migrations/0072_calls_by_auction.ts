// calls by the auction that routed them. A call routed by a publisher's inbound bid links that
// auction (calls.bid_request_id) while the auction, run before the call existed, has no call_id:
// the audit finds the call through this link (server/rtb/audit/queries.ts). The index also serves
// the foreign key's ON DELETE SET NULL when an auction is deleted (a discarded duplicate, a
// deleted organisation), which otherwise scanned the organisation's calls. Partial: most calls
// have no auction.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX calls_bid_request_idx ON calls (org_id, bid_request_id) WHERE bid_request_id IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX calls_bid_request_idx`.execute(db);
}
