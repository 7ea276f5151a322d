// A write held uncommitted while a request runs: the deterministic way to race a request against a
// concurrent transaction on a PostgreSQL server (PGlite has one connection: the request would wait).
import { type Kysely, sql } from 'kysely';
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

/**
 * How many backends wait behind backend `pid` on a PostgreSQL server, directly or behind one that
 * does. Read through `db` outside the locking transaction: pg_stat_activity is a snapshot within one.
 */
export async function waitersBehind(db: Kysely<DB>, pid: number): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    with recursive blocked(pid) as (
      select pid from pg_stat_activity where ${pid}::int = any(pg_blocking_pids(pid))
      union
      select a.pid from pg_stat_activity a join blocked b on b.pid = any(pg_blocking_pids(a.pid))
    ) select count(*)::int as n from blocked`.execute(db);
  return rows[0]!.n;
}
