// A write held uncommitted while a request runs: the deterministic way to race a request against a
// concurrent transaction on a PostgreSQL server (PGlite has one connection: the request would wait).
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';

/** Run `write` in a transaction of `db` left open until the returned commit() is called. */
export async function heldOpen(db: Kysely<DB>, write: (trx: Kysely<DB>) => Promise<void>): Promise<{ commit: () => Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let written!: () => void;
  const done = new Promise<void>((resolve) => (written = resolve));
  const tx = db.transaction().execute(async (trx) => {
    await write(trx);
    written();
    await released;
  });
  await done;
  return {
    commit: async () => {
      release();
      await tx;
    },
  };
}
