// Runs `fn` in the caller's transaction, or in a new one (PGlite is one connection: inside a
// transaction only the transaction object may be used).
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Db, DB } from '../../../db/types.js';

export async function inTransaction<T>(db: Db, fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db as Transaction<DB>);
  return (db as Kysely<DB>).transaction().execute(fn);
}

let savepointSeq = 0;

/**
 * Runs `fn` inside the caller's transaction behind a savepoint: when it fails, only its own writes
 * are rolled back (the transaction stays usable) and `onError` gets the error. For work that must
 * commit with the transaction's main write when it succeeds, but must never undo that write.
 */
export async function withSavepoint(trx: Transaction<DB>, fn: () => Promise<void>, onError: (err: unknown) => void): Promise<void> {
  savepointSeq = (savepointSeq + 1) % 1_000_000;
  const name = sql.raw(`sp_${savepointSeq}`);
  await sql`SAVEPOINT ${name}`.execute(trx);
  try {
    await fn();
  } catch (err) {
    await sql`ROLLBACK TO SAVEPOINT ${name}`.execute(trx);
    onError(err);
  }
}
