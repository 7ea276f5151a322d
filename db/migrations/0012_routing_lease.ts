// A crash never strands a call (issue 13 item 7): the delivery of the voice webhook that routes a
// call holds a lease on it. Until `routing_lease_until` another delivery of the same CallSid is
// told to pause and redirect; after it, a retry takes the claim (a conditional UPDATE: exactly one
// wins) and routes the call itself. `routing_claims` counts the deliveries that held the claim (1
// for a call routed by its first delivery; 0 for calls that never needed one: the fast path, manual
// calls, calls recorded before this migration). NULL lease: no live claim (claimable at once).
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE calls ADD COLUMN routing_lease_until timestamptz;
    ALTER TABLE calls ADD COLUMN routing_claims smallint NOT NULL DEFAULT 0;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE calls DROP COLUMN routing_claims;
    ALTER TABLE calls DROP COLUMN routing_lease_until;
  `.execute(db);
}
