// The report summaries as the code describes them (rollup-defs.ts) are the tables migration 0010
// made: same tables, same key (the unique constraint the fold upserts on), same measures.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOURCES } from '../../server/reports/rollup-defs.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

async function columnsOf(table: string): Promise<string[]> {
  const { rows } = await sql<{ column_name: string }>`
    SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ${table} ORDER BY ordinal_position`.execute(t.db);
  return rows.map((r) => r.column_name);
}

async function keyOf(table: string): Promise<string[]> {
  const { rows } = await sql<{ column_name: string }>`
    SELECT a.attname AS column_name
    FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace
    CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, pos)
    JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum = k.attnum
    WHERE n.nspname = current_schema() AND c.conname = ${`${table}_key`} ORDER BY k.pos`.execute(t.db);
  return rows.map((r) => r.column_name);
}

describe('rollup definitions', () => {
  it.each(SOURCES.map((s) => [s.name, s] as const))('%s: summaries and deltas match the database', async (_name, source) => {
    for (const summary of source.summaries) {
      expect(await columnsOf(summary.table), summary.table).toEqual(['org_id', 'at', ...summary.dims, ...source.measures]);
      expect(await keyOf(summary.table), summary.table).toEqual(['org_id', 'at', ...summary.dims]);
    }
    expect(await columnsOf(source.deltas)).toEqual(['id', 'org_id', 'at', ...source.dims, ...source.measures]);
    expect(Object.keys(source.base.measures)).toEqual([...source.measures]);
    expect(Object.keys(source.base.dims)).toEqual([...source.dims]);
  });
});
