// One read-only snapshot for all the queries of an answer, so its figures agree with each other.
// JIT compilation is off: a report's queries read a few thousand summary rows, and PostgreSQL's
// JIT (chosen on estimates of the union) cost more than the query itself (~75 ms measured on the
// 1,000,000-call benchmark).
import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../../db/types.js';

export function snapshot<T>(db: Kysely<DB>, fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      await sql`SET LOCAL jit = off`.execute(trx);
      return fn(trx);
    });
}
