// The start command as a user runs it: `npm start` on a fresh data folder prints the Swagger UI
// and spec URLs, the demo login (created now) and the demo campaign's number; the seed 000 cURL
// flow works; no warning is logged. SIGTERM / SIGINT to the npm process stop the server (port free,
// no process left, the data folder opens again); a restart keeps the data and prints no password,
// not even a DEMO_ADMIN_PASSWORD that changed nothing. A bad configuration stops start-up naming
// every problem.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/connection.js';
import { groupGone, killAll, portIsFree, signalAndWait, startServer } from '../helpers/server-process.js';

let dataDir: string;
let schema: string | null = null;

/** On the pg project, the server gets a schema of its own on the PostgreSQL server. */
function databaseEnv(): Record<string, string> {
  if (process.env.TEST_DB !== 'pg' || !process.env.DATABASE_URL || !schema) return {};
  const url = new URL(process.env.DATABASE_URL);
  // public stays on the path: the pg_trgm extension (lead search) is installed there once per database.
  url.searchParams.set('options', `-c search_path=${schema},public`);
  return { DATABASE_URL: url.toString() };
}

function env(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn', ...databaseEnv(), ...extra };
}

const npmStart = (extra: Record<string, string> = {}) => startServer('npm', ['start', '--silent'], env(extra));

/** The organisations the server stored, read back after it stopped (the data folder opens again). */
async function storedOrganizations(): Promise<string[]> {
  const database = await openDatabase(
    process.env.TEST_DB === 'pg' && schema ? { databaseUrl: process.env.DATABASE_URL!, searchPath: schema, poolSize: 1 } : { dataDir },
  );
  try {
    return (await database.db.selectFrom('organizations').select('name').execute()).map((r) => r.name);
  } finally {
    await database.close();
  }
}

async function login(url: string, email: string, password: string): Promise<Response> {
  return fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'ccp-start-'));
  if (process.env.TEST_DB === 'pg' && process.env.DATABASE_URL) {
    schema = `e2e_${randomBytes(4).toString('hex')}`;
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.end();
  }
});

afterEach(killAll);

afterAll(async () => {
  await killAll();
  await rm(dataDir, { recursive: true, force: true });
  if (schema && process.env.DATABASE_URL) {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA ${schema} CASCADE`);
    await client.end();
  }
});

describe('npm start', () => {
  it('first start: honest banner, working demo login, no warnings; SIGTERM to npm stops it; a restart prints no password; SIGINT stops it too', async () => {
    const first = await npmStart({ DEMO_ADMIN_EMAIL: 'demo@example.com' });
    const banner = first.output();
    expect(banner).toContain(`Swagger UI:    ${first.url}/docs`);
    expect(banner).toContain(`OpenAPI spec:  ${first.url}/docs/json`);
    expect(banner).toMatch(/Demo campaign: \+15005550006/);
    const credentials = /Demo login:\s+(\S+) \/ (\S+) \(created now/.exec(banner);
    expect(credentials).not.toBeNull();
    const [, email, password] = credentials!;
    expect(email).toBe('demo@example.com');
    expect(password).toMatch(/^\S{12,}$/);
    // The simulator's signing token is named by where it is kept, never printed.
    expect(banner).toMatch(/Webhook token: in \S+twilio-webhook\.token/);
    expect(banner).not.toMatch(/[0-9a-f]{32}/);

    expect((await fetch(`${first.url}/docs/`)).status).toBe(200);
    const spec = await fetch(`${first.url}/docs/json`);
    expect(spec.status).toBe(200);
    expect((await spec.json()) as { openapi: string }).toMatchObject({ openapi: expect.stringMatching(/^3\.1/) });

    const loggedIn = await login(first.url, email!, password!);
    expect(loggedIn.status).toBe(200);
    const cookie = loggedIn.headers.getSetCookie()[0]!.split(';')[0]!;
    const me = await fetch(`${first.url}/api/auth/user`, { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ email: 'demo@example.com', role: 'owner', organization: { name: 'Demo Organization' } });

    // Answers under way finish: large responses whose headers have arrived are read only after
    // the stop signal, and every body arrives whole. (Requests arriving after the signal get 503.)
    const underWay = await Promise.all(Array.from({ length: 5 }, () => fetch(`${first.url}/docs/json`)));
    const stopping = signalAndWait(first.child, 'SIGTERM');
    const bodies = await Promise.all(underWay.map(async (r) => [r.status, (await r.text()).length] as const));
    for (const [status, length] of bodies) {
      expect(status).toBe(200);
      expect(length).toBeGreaterThan(100_000);
    }
    expect(await stopping).toEqual({ code: 0, signal: null });
    expect(await groupGone(first.child)).toBe(true);
    expect(await portIsFree(first.port)).toBe(true);
    // A normal start logs no warning (LOG_LEVEL=warn shows any) — e.g. glue's ContentTypeParser ones.
    expect(first.output()).not.toMatch(/"level":(40|50|60)|Warning|warn/i);
    expect(await storedOrganizations()).toEqual(['Demo Organization']);

    // Restart with a DEMO_ADMIN_PASSWORD: it changes nothing, and the banner says so instead of
    // printing a password that does not work.
    const second = await npmStart({ DEMO_ADMIN_EMAIL: 'demo@example.com', DEMO_ADMIN_PASSWORD: 'not-the-password' });
    const again = second.output();
    expect(again).not.toContain('Demo login:');
    expect(again).not.toContain('not-the-password');
    expect(again).not.toContain(password!);
    expect(again).toContain('DEMO_ADMIN_PASSWORD changed nothing');
    expect(again).toMatch(/Demo campaign: \+15005550006/);
    // The session key kept in DATA_DIR still opens the old cookie; the first password still works.
    expect((await fetch(`${second.url}/api/auth/user`, { headers: { cookie } })).status).toBe(200);
    expect((await login(second.url, email!, password!)).status).toBe(200);
    expect((await login(second.url, email!, 'not-the-password')).status).toBe(401);

    expect(await signalAndWait(second.child, 'SIGINT')).toEqual({ code: 0, signal: null });
    expect(await groupGone(second.child)).toBe(true);
    expect(await portIsFree(second.port)).toBe(true);
    expect(await storedOrganizations()).toEqual(['Demo Organization']);
  }, 420_000);

  it('stops with one message naming every configuration problem', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, PORT: 'abc', RATE_LIMITS: 'bogus=1', TELEPHONY: 'twilio', NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(output).toContain('Invalid configuration');
    for (const name of ['PORT', 'RATE_LIMITS', 'TELEPHONY=twilio', 'SESSION_KEY', 'TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN']) expect(output).toContain(name);
  }, 120_000);
});
