// A deleted pool's holdings are kept (found by review on 7 December).
//
// pool_assignments referenced its pool ON DELETE CASCADE: deleting a pool erased its numbers' whole
// holding history. The numbers stay (outside any pool), and the moved-number guard of assign.ts
// ("a number whose last holding was ended while still fresh is not free until half its old pool's
// idle time after that holding was last seen") found no last holding for them. Put into another
// pool of the same campaign, a number could go to a new visitor at once while ultra-fast still
// answered the old session with it from memory (assign-cache.ts): two visitors shown one number,
// and the first one's call attributed to the second.
//
// Now a holding outlives its pool: pool_id is set NULL, and idle_timeout_sec keeps the deleted
// pool's idle time (the window the guard needs). Deleting a pool releases its live holdings and
// records that idle time in the same statement (inbound/number-pools/queries.ts).
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE pool_assignments
      ALTER COLUMN pool_id DROP NOT NULL,
      ADD COLUMN idle_timeout_sec integer,
      DROP CONSTRAINT pool_assignments_org_id_pool_id_fkey,
      ADD CONSTRAINT pool_assignments_org_id_pool_id_fkey FOREIGN KEY (org_id, pool_id) REFERENCES number_pools (org_id, id) ON DELETE SET NULL (pool_id)
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DELETE FROM pool_assignments WHERE pool_id IS NULL;
    ALTER TABLE pool_assignments
      DROP CONSTRAINT pool_assignments_org_id_pool_id_fkey,
      ADD CONSTRAINT pool_assignments_org_id_pool_id_fkey FOREIGN KEY (org_id, pool_id) REFERENCES number_pools (org_id, id) ON DELETE CASCADE,
      DROP COLUMN idle_timeout_sec,
      ALTER COLUMN pool_id SET NOT NULL
  `.execute(db);
}
