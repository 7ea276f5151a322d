// The migration runner: history kept in Kysely's table, nothing applied twice, a failing run
// leaves nothing behind, concurrent runners on one schema apply a migration once, and (on
// PostgreSQL) other schemas being dropped meanwhile do not disturb it.
import { randomBytes } from 'node:crypto';
import { type Kysely, type Migration, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../db/connection.js';
import { migrateToLatest, pendingMigrations } from '../../../db/migrate.js';
import { migrations } from '../../../db/migrations/index.js';
import { onPostgres } from '../../inbound/calls/db-helpers.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

async function currentSchema(db: Kysely<any>): Promise<string> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return rows[0]!.schema;
}

async function history(db: Kysely<any>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
  return rows.map((r) => r.name);
}

async function tableExists(db: Kysely<any>, name: string): Promise<boolean> {
  const { rows } = await sql<{ found: string | null }>`select to_regclass(${name}) as found`.execute(db);
  return rows[0]?.found != null;
}

/** The project's migrations plus one more that creates `table` (named to sort after them). */
function withProbe(table: string, extra: Record<string, Migration> = {}): Record<string, Migration> {
  return {
    ...migrations,
    '9000_probe': { up: async (db) => void (await sql`create table ${sql.id(table)} (id int primary key)`.execute(db)) },
    ...extra,
  };
}

describe('pendingMigrations (pure)', () => {
  it('lists the known migrations not yet applied, in name order', () => {
    expect(pendingMigrations(['0003_c', '0001_a', '0002_b'], ['0001_a'])).toEqual(['0002_b', '0003_c']);
    expect(pendingMigrations(['0001_a'], ['0001_a'])).toEqual([]);
    expect(pendingMigrations(['0001_a', '0002_b'], [])).toEqual(['0001_a', '0002_b']);
  });

  it('refuses a database migrated by a version that knows more migrations', () => {
    expect(() => pendingMigrations(['0001_a'], ['0001_a', '0002_new'])).toThrow(/does not know: 0002_new/);
  });

  it('refuses a migration added before the last applied one', () => {
    expect(() => pendingMigrations(['0001_a', '0002_late', '0003_c'], ['0001_a', '0003_c'])).toThrow(/0002_late/);
  });
});

describe('migrateToLatest', () => {
  it('keeps every migration in the history table, and a second run applies nothing', async () => {
    expect(await history(t.db)).toEqual(Object.keys(migrations).sort());
    expect(await migrateToLatest(t.db, await currentSchema(t.db))).toEqual([]);
    expect(await migrateToLatest(t.db)).toEqual([]);
  });

  it('a failing migration undoes the whole run: no table, no history row', async () => {
    const table = `probe_${randomBytes(4).toString('hex')}`;
    const failing = withProbe(table, {
      '9001_fails': { up: async (db) => void (await sql`select * from no_such_table_here`.execute(db)) },
    });
    await expect(migrateToLatest(t.db, undefined, failing)).rejects.toThrow(/migration 9001_fails failed: .*no_such_table_here/);
    expect(await tableExists(t.db, table)).toBe(false);
    expect(await history(t.db)).toEqual(Object.keys(migrations).sort());
  });

  it('applies a new migration once, and records it', async () => {
    const table = `probe_${randomBytes(4).toString('hex')}`;
    const withNew = withProbe(table);
    expect(await migrateToLatest(t.db, undefined, withNew)).toEqual(['9000_probe']);
    expect(await tableExists(t.db, table)).toBe(true);
    expect(await migrateToLatest(t.db, undefined, withNew)).toEqual([]);
    expect(await history(t.db)).toContain('9000_probe');
    await sql`drop table ${sql.id(table)}`.execute(t.db);
    await sql`delete from kysely_migration where name = '9000_probe'`.execute(t.db);
  });
});

describe('migrateToLatest beside other runners and other schemas', () => {
  const databaseUrl = process.env.DATABASE_URL;

  async function admin(query: string): Promise<void> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await client.query(query);
    } finally {
      await client.end();
    }
  }

  // On PostgreSQL two pools on one schema (what two server instances starting at once are); on
  // PGlite one handle, whose single connection serialises the two runs.
  it(`two runners on one schema at once apply the new migration once (${onPostgres ? 'two pg pools' : 'PGlite: one handle'})`, async () => {
    const schema = await currentSchema(t.db);
    const second = onPostgres ? await openDatabase({ databaseUrl: databaseUrl!, searchPath: schema, poolSize: 2 }) : null;
    const table = `probe_${randomBytes(4).toString('hex')}`;
    try {
      const results = await Promise.all([migrateToLatest(t.db, schema, withProbe(table)), migrateToLatest(second?.db ?? t.db, schema, withProbe(table))]);
      expect(results.flat()).toEqual(['9000_probe']);
      expect(await tableExists(t.db, table)).toBe(true);
    } finally {
      await second?.close();
      await sql`drop table if exists ${sql.id(table)}`.execute(t.db);
      await sql`delete from kysely_migration where name = '9000_probe'`.execute(t.db);
    }
  });

  // Only a server has other schemas and other sessions dropping them (Kysely's Migrator failed this
  // 3 runs in 3: its introspection reads every schema).
  if (onPostgres) it('migrates fresh schemas while other schemas are created and dropped', async () => {
    const tag = randomBytes(3).toString('hex');
    let churning = true;
    const churn = (async () => {
      for (let i = 0; churning; i++) {
        const other = `churn_${tag}_${i}`;
        await admin(`create schema ${other}; create table ${other}.a (id serial primary key, v text); create table ${other}.b (id serial primary key, a int references ${other}.a(id))`);
        await admin(`drop schema ${other} cascade`);
      }
    })();
    const fresh = Array.from({ length: 4 }, (_, i) => `mig_${tag}_${i}`);
    try {
      for (const schema of fresh) {
        await admin(`create schema ${schema}`);
        const database = await openDatabase({ databaseUrl, searchPath: schema, poolSize: 1 });
        try {
          expect(await migrateToLatest(database.db, schema)).toEqual(Object.keys(migrations).sort());
        } finally {
          await database.close();
        }
      }
    } finally {
      churning = false;
      await churn;
      for (const schema of fresh) await admin(`drop schema if exists ${schema} cascade`);
    }
  });
});
