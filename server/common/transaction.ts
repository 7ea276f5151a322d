// Runs `fn` in the caller's transaction, or in a new one (PGlite is one connection: inside a
// transaction only the transaction object may be used).
import type { Kysely, Transaction } from 'kysely';
import type { Db, DB } from '../../db/types.js';

export async function inTransaction<T>(db: Db, fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db as Transaction<DB>);
  return (db as Kysely<DB>).transaction().execute(fn);
}

