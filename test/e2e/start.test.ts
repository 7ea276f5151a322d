// The start command as a user runs it: `tsx server/main.ts` on a fresh data folder prints the
// Swagger UI URL and the demo login; the seed 000 cURL flow works; a restart keeps the data;
// SIGTERM shuts down cleanly; a bad configuration stops start-up naming every problem.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TSX = path.resolve('node_modules/.bin/tsx');
let dataDir: string;
let schema: string | null = null;

/** On the pg project, the server gets a schema of its own on the PostgreSQL server. */
function databaseEnv(): Record<string, string> {
  if (process.env.TEST_DB !== 'pg' || !process.env.DATABASE_URL || !schema) return {};
  const url = new URL(process.env.DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { DATABASE_URL: url.toString() };
}

interface Started {
  child: ChildProcess;
  output: () => string;
  url: string;
  email: string;
  password: string;
}

function start(env: Record<string, string>): Promise<Started> {
  const child = spawn(TSX, ['server/main.ts'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn', ...databaseEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 45_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
    const poll = setInterval(() => {
      const docs = /Swagger UI:\s+(\S+)\/docs/.exec(output);
      const login = /Demo login:\s+(\S+) \/ (.+)/.exec(output);
      if (docs && login) {
        clearInterval(poll);
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ child, output: () => output, url: docs[1]!, email: login[1]!, password: login[2]!.trim() });
      }
    }, 50);
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
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

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
  if (schema && process.env.DATABASE_URL) {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA ${schema} CASCADE`);
    await client.end();
  }
});

describe('npm start', () => {
  it('serves /docs and the printed demo login works with the seed 000 cURL flow; data survives a restart', async () => {
    const first = await start({ DEMO_ADMIN_EMAIL: 'demo@example.com' });
    expect(first.email).toBe('demo@example.com');
    expect(first.password).toMatch(/^\S{12,}$/);
    expect((await fetch(`${first.url}/docs/`)).status).toBe(200);

    const login = await fetch(`${first.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: first.email, password: first.password }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    const me = await fetch(`${first.url}/api/auth/user`, { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ email: 'demo@example.com', role: 'owner', organization: { name: 'Demo Organization' } });
    expect(await stop(first.child)).toBe(0);

    // Second start on the same data: nothing re-seeded, the same password still works, and the
    // session key kept in DATA_DIR still opens the old cookie.
    const second = await start({ DEMO_ADMIN_EMAIL: 'demo@example.com' });
    expect(second.output()).toContain('set at first start');
    const again = await fetch(`${second.url}/api/auth/user`, { headers: { cookie } });
    expect(again.status).toBe(200);
    const relogin = await fetch(`${second.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: first.email, password: first.password }),
    });
    expect(relogin.status).toBe(200);
    expect(await stop(second.child)).toBe(0);
  }, 120_000);

  it('stops with one message naming every configuration problem', async () => {
    const child = spawn(TSX, ['server/main.ts'], {
      env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, PORT: 'abc', RATE_LIMITS: 'bogus=1', TELEPHONY: 'twilio', NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(output).toContain('Invalid configuration');
    for (const name of ['PORT', 'RATE_LIMITS', 'TELEPHONY=twilio', 'SESSION_KEY']) expect(output).toContain(name);
  }, 60_000);
});
