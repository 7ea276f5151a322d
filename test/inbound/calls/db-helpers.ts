// Database-level helpers for the call-record tests.
import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { openDatabase } from '../../../db/connection.js';
import type { DB } from '../../../db/types.js';
import type { LegLimits } from '../../../server/inbound/calls/queries/index.js';
import type { TestApp } from '../../helpers/test-app.js';

export const onPostgres = process.env.TEST_DB === 'pg';

export function newCallSid(): string {
  return `CA${randomBytes(16).toString('hex')}`;
}

/** The error's SQLSTATE (errors are matched by code, never by class). */
export async function sqlState(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code ?? `no code: ${String(err)}`;
  }
}

/**
 * A second, independent Kysely instance (its own pg pool) on the same PostgreSQL schema as the
 * test app's: what a second server instance would have. Only on PostgreSQL (a PGlite database is
 * one connection owned by one handle).
 */
export async function openSecondInstance(t: TestApp, poolSize = 10): Promise<{ db: Kysely<DB>; close: () => Promise<void> }> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!onPostgres || !databaseUrl) throw new Error('openSecondInstance needs the pg project');
  const { rows } = await sql<{ schema: string }>`SELECT current_schema() AS schema`.execute(t.db);
  const schema = rows[0]?.schema;
  if (!schema || !/^t_[0-9a-z_]+$/.test(schema)) throw new Error(`unexpected test schema ${String(schema)}`);
  const database = await openDatabase({ databaseUrl, searchPath: schema, poolSize });
  return { db: database.db, close: () => database.close() };
}

export function noLimits(windows: LegLimits['windows']): LegLimits {
  return { maxConcurrent: null, hourlyCap: null, dailyCap: null, monthlyCap: null, windows };
}

/** Windows well inside the past: hour began 10 minutes ago, day 2 hours ago, month 5 days ago. */
export function fixedWindows(now = Date.now()): LegLimits['windows'] {
  return {
    hourStart: new Date(now - 10 * 60_000),
    dayStart: new Date(now - 2 * 3_600_000),
    monthStart: new Date(now - 5 * 86_400_000),
  };
}
