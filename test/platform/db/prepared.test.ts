// Marked statements (db/prepared.ts) run as named prepared statements on the connection that
// sends them, on both databases; unmarked ones stay unnamed; a prepared statement keeps working
// after the table under it changes.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PREPARED_MARK, preparedMark } from '../../../db/prepared.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

describe('prepareMarkedStatements', () => {
  it('prepares a marked statement once per connection and runs it with each call’s values', async () => {
    await t.rawDb.connection().execute(async (conn) => {
      const results: number[] = [];
      for (const n of [1, 2, 40]) {
        const { rows } = await sql<{ n: number }>`${sql.raw(PREPARED_MARK)} SELECT ${n}::integer + 1 AS n`.execute(conn);
        results.push(rows[0]!.n);
      }
      await sql`SELECT ${5}::integer + 2 AS unmarked`.execute(conn);
      const { rows } = await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements`.execute(conn);
      const statements = rows.map((r) => r.statement);
      expect(results).toEqual([2, 3, 41]);
      expect(statements.filter((s) => s.startsWith(PREPARED_MARK))).toHaveLength(1);
      expect(statements.some((s) => s.includes('unmarked'))).toBe(false);
    });
  });

  it('prepares a query builder’s statement that ends with the mark (modifyEnd)', async () => {
    await t.rawDb.connection().execute(async (conn) => {
      const read = (n: number) =>
        conn
          .selectNoFrom(() => [sql<number>`${n}::integer`.as('n')])
          .modifyEnd(preparedMark)
          .executeTakeFirstOrThrow();
      expect([await read(7), await read(8)]).toEqual([{ n: 7 }, { n: 8 }]);
      const { rows } = await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements`.execute(conn);
      expect(rows.filter((r) => r.statement.endsWith(PREPARED_MARK))).toHaveLength(1);
    });
  });

  it('refuses to prepare a statement that returns * (a column added later would break it on every connection)', async () => {
    await t.rawDb.connection().execute(async (conn) => {
      await expect(sql`${preparedMark} SELECT * FROM organizations LIMIT ${1}::integer`.execute(conn)).rejects.toThrow(/must name the columns it returns/);
      await expect(conn.selectFrom('organizations').selectAll().limit(1).modifyEnd(preparedMark).execute()).rejects.toThrow(/must name the columns/);
      await expect(conn.selectFrom('organizations as o').selectAll('o').limit(1).modifyEnd(preparedMark).execute()).rejects.toThrow(/must name the columns/);
      const { rows } = await sql<{ n: number }>`${preparedMark} SELECT count(*)::integer * ${2}::integer AS n FROM organizations WHERE false`.execute(conn);
      expect(rows).toEqual([{ n: 0 }]);
    });
  });

  it('keeps working when the table it reads changes', async () => {
    await t.rawDb.connection().execute(async (conn) => {
      await sql`CREATE TABLE prepared_probe (id integer PRIMARY KEY, label text)`.execute(conn);
      await sql`INSERT INTO prepared_probe VALUES (1, 'one')`.execute(conn);
      const read = async () => (await sql<{ label: string }>`${sql.raw(PREPARED_MARK)} SELECT label FROM prepared_probe WHERE id = ${1}::integer`.execute(conn)).rows;
      expect(await read()).toEqual([{ label: 'one' }]);
      await sql`ALTER TABLE prepared_probe ADD COLUMN extra integer`.execute(conn);
      await sql`CREATE INDEX prepared_probe_label ON prepared_probe (label)`.execute(conn);
      expect(await read()).toEqual([{ label: 'one' }]);
      await sql`DROP TABLE prepared_probe`.execute(conn);
    });
  });

  it('reports a failing marked statement as the error it is, and the connection goes on', async () => {
    await t.rawDb.connection().execute(async (conn) => {
      await expect(sql`${sql.raw(PREPARED_MARK)} SELECT 1 / ${0}::integer AS boom`.execute(conn)).rejects.toThrow(/division by zero/);
      const { rows } = await sql<{ n: number }>`${sql.raw(PREPARED_MARK)} SELECT ${6}::integer * 7 AS n`.execute(conn);
      expect(rows).toEqual([{ n: 42 }]);
    });
  });
});
