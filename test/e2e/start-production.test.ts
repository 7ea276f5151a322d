// NODE_ENV=production refuses demo settings: a missing secret stops start-up naming the variable;
// the simulator runs only when TELEPHONY=simulator says so, with a warning on every start; no demo
// seed, no password, registration closed; and nothing the start-up log prints is a secret. The
// compiled entry (`npm run build`, then `node dist/server/main.js`) starts and stops like npm start.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/connection.js';
import { groupAlive, killAll, portIsFree, signalAndWait, spawnServer, startServer } from '../helpers/server-process.js';

const SESSION_KEY = randomBytes(32).toString('hex');
const SECRETS_KEY = randomBytes(32).toString('hex');
const TWILIO_AUTH_TOKEN = `tok_${randomBytes(16).toString('hex')}`;
const DEMO_ADMIN_PASSWORD = `demo-${randomBytes(8).toString('hex')}`;
let dataDir: string;
let buildDir: string | null = null;

function env(extra: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dataDir, PORT: '0', NODE_ENV: 'production', SECRETS_KEY, ...extra };
}

async function exitOf(command: string, args: string[], environment: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const { child, output } = spawnServer(command, args, environment);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, output: output() };
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'ccp-prod-'));
});

afterEach(killAll);

afterAll(async () => {
  await killAll();
  await rm(dataDir, { recursive: true, force: true });
  if (buildDir) await rm(buildDir, { recursive: true, force: true });
});

describe('NODE_ENV=production', () => {
  it('refuses to start without SESSION_KEY, and without the Twilio credentials Twilio (its default) needs, naming them', async () => {
    const bare = await exitOf(process.execPath, ['--import', 'tsx', 'server/main.ts'], env({}));
    expect(bare.code).toBe(1);
    expect(bare.output).toContain('SESSION_KEY is required when NODE_ENV=production');
    expect(bare.output).toContain('missing: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN');
    expect(bare.output).not.toContain('listening on');

    const noToken = await exitOf(process.execPath, ['--import', 'tsx', 'server/main.ts'], env({
      SESSION_KEY,
      TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
      PUBLIC_BASE_URL: 'https://calls.example.com',
    }));
    expect(noToken.code).toBe(1);
    expect(noToken.output).toContain('(missing: TWILIO_AUTH_TOKEN)');
    expect(noToken.output).not.toContain('SESSION_KEY');
    expect(noToken.output).not.toContain('PUBLIC_BASE_URL');

    // Twilio fully configured but no public URL: numbers would be bought pointing at 127.0.0.1.
    const noPublicUrl = await exitOf(process.execPath, ['--import', 'tsx', 'server/main.ts'], env({
      SESSION_KEY,
      TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
      TWILIO_AUTH_TOKEN: 'twilio-token',
    }));
    expect(noPublicUrl.code).toBe(1);
    expect(noPublicUrl.output).toContain('PUBLIC_BASE_URL is required when NODE_ENV=production and TELEPHONY=twilio');
    expect(noPublicUrl.output).not.toContain('listening on');
  }, 120_000);

  it('runs the simulator only when asked, warns about it, seeds nothing, closes registration, and prints no secret', async () => {
    const server = await startServer(process.execPath, ['--import', 'tsx', 'server/main.ts'], env({
      SESSION_KEY,
      TELEPHONY: 'simulator',
      TWILIO_AUTH_TOKEN,
      DEMO_ADMIN_PASSWORD,
      LOG_LEVEL: 'debug',
    }));
    const register = await fetch(`${server.url}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ organizationName: 'Acme', email: 'owner@acme.example', password: 'a-long-password-1' }),
    });
    expect(register.status).toBe(403);
    expect(await signalAndWait(server.child, 'SIGTERM')).toEqual({ code: 0, signal: null });

    const log = server.output();
    expect(log).toMatch(/"level":40,.*TELEPHONY=simulator with NODE_ENV=production/);
    expect(log).toMatch(/"level":40,.*DEMO_ADMIN_PASSWORD is ignored with NODE_ENV=production/);
    expect(log).toContain('telephony: simulator');
    expect(log).not.toContain('Demo login');
    expect(log).not.toContain('Demo campaign');
    expect(log).not.toContain('Webhook token');
    for (const secret of [SESSION_KEY, SECRETS_KEY, TWILIO_AUTH_TOKEN, DEMO_ADMIN_PASSWORD, 'a-long-password-1']) expect(log).not.toContain(secret);
    // No long hex string (a key or token of any kind) at all.
    expect(log).not.toMatch(/[0-9a-f]{32}/i);

    const database = await openDatabase({ dataDir });
    try {
      expect(await database.db.selectFrom('organizations').select('id').execute()).toEqual([]);
    } finally {
      await database.close();
    }
  }, 300_000);

  it('without TWILIO_AUTH_TOKEN the simulator signs with a generated token that stays in DATA_DIR, unprinted, warning on every start', async () => {
    for (let start = 0; start < 2; start += 1) {
      const server = await startServer(process.execPath, ['--import', 'tsx', 'server/main.ts'], env({ SESSION_KEY, TELEPHONY: 'simulator', LOG_LEVEL: 'info' }));
      expect(await signalAndWait(server.child, 'SIGINT')).toEqual({ code: 0, signal: null });
      const token = (await readFile(path.join(dataDir, 'twilio-webhook.token'), 'utf8')).trim();
      expect(token).toMatch(/^[0-9a-f]{32}$/);
      expect(server.output()).not.toContain(token);
      expect(server.output()).toMatch(/"level":40,.*TELEPHONY=simulator with NODE_ENV=production/);
    }
  }, 300_000);

  it('the compiled entry (npm run build → node dist/server/main.js) starts, answers and stops cleanly on SIGTERM', async () => {
    // A build of our own, as deep as the real one (dist/e2e-*/dist/server/main.js finds
    // package.json and openapi.yaml in the nearest folder above it that has them, walking one
    // folder at a time: a walk two at a time passed here and failed for dist/server/main.js).
    buildDir = path.resolve(`dist/e2e-${randomBytes(4).toString('hex')}`);
    const outDir = path.join(buildDir, 'dist');
    await promisify(execFile)(process.execPath, [path.resolve('node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir], {
      timeout: 240_000,
    });
    const server = await startServer(process.execPath, [path.join(outDir, 'server/main.js')], env({ SESSION_KEY, TELEPHONY: 'simulator', LOG_LEVEL: 'warn' }));
    expect((await fetch(`${server.url}/health/ready`)).status).toBe(200);
    expect(await signalAndWait(server.child, 'SIGTERM')).toEqual({ code: 0, signal: null });
    expect(groupAlive(server.child)).toBe(false);
    expect(await portIsFree(server.port)).toBe(true);
    const database = await openDatabase({ dataDir });
    await database.close();
  }, 420_000);
});
