// DATA_DIR holds the embedded database and its keys. It used to be created with the process
// umask (0755/0644: readable by every local user). A fresh start now creates it 0700 with every
// file 0600 (whatever the umask of the shell), and every start refuses a looser folder or file.
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataDirPermissionError, ensurePrivateDataDir, loosePaths, tightenDataDir } from '../../server/platform/common/data-dir.js';

const TSX = path.resolve('node_modules/.bin/tsx');
let parent: string;

beforeAll(async () => {
  parent = await mkdtemp(path.join(tmpdir(), 'ccp-perm-'));
});
afterAll(async () => {
  await rm(parent, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  output: string;
}

/** `npm start` (as tsx server/main.ts) under a permissive shell umask; stopped once it listens. */
function start(dataDir: string): Promise<Run> {
  // The shell's umask is 000 here: only the server's own umask can make the files private.
  const child = spawn('/bin/sh', ['-c', `umask 000 && exec '${TSX}' server/main.ts`], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.includes('Swagger UI:')) child.kill('SIGTERM');
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no answer from the server:\n${output}`));
    }, 240_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

async function modesUnder(dir: string): Promise<Map<string, number>> {
  const modes = new Map<string, number>();
  const pending = [dir];
  while (pending.length > 0) {
    const current = pending.pop()!;
    const stats = await stat(current);
    modes.set(path.relative(dir, current) || '.', stats.mode & 0o777);
    if (stats.isDirectory()) for (const entry of await readdir(current)) pending.push(path.join(current, entry));
  }
  return modes;
}

describe('a fresh DATA_DIR', () => {
  it('is created 0700 with its files 0600, and a looser folder or file stops the next start', async () => {
    const dataDir = path.join(parent, 'fresh');
    const first = await start(dataDir);
    expect(first.output).toContain('Swagger UI:');

    const modes = await modesUnder(dataDir);
    expect(modes.size).toBeGreaterThan(10); // the database's files and the generated keys
    expect(modes.get('.')).toBe(0o700);
    expect(modes.get('session.key')).toBe(0o600);
    expect(modes.get('secrets.key')).toBe(0o600);
    const open = [...modes].filter(([, mode]) => (mode & 0o077) !== 0);
    expect(open).toEqual([]);

    // A restart finds nothing loose (nothing PGlite writes later is open to others) and starts.
    const again = await start(dataDir);
    expect(again.output).toContain('Swagger UI:');
    expect([...(await modesUnder(dataDir))].filter(([, mode]) => (mode & 0o077) !== 0)).toEqual([]);

    // Another local user could read this file: the start refuses, naming it and the fix.
    await chmod(path.join(dataDir, 'secrets.key'), 0o644);
    const refused = await start(dataDir);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain(`DATA_DIR ${dataDir} is readable or writable by other users`);
    expect(refused.output).toContain(`${path.join(dataDir, 'secrets.key')} (mode 644)`);
    expect(refused.output).toContain(`chmod -R go-rwx '${dataDir}'`);
    expect(refused.output).not.toContain('Swagger UI:');
  }, 600_000);
});

describe('ensurePrivateDataDir', () => {
  it('creates a missing folder 0700 and accepts it', async () => {
    const dir = path.join(parent, 'made', 'here');
    await ensurePrivateDataDir(dir);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });

  it('refuses a folder open to the group or others, and a secret file that is; tightens the database files inside a private one', async () => {
    const dir = path.join(parent, 'loose');
    await ensurePrivateDataDir(dir);
    await chmod(dir, 0o755);
    await expect(ensurePrivateDataDir(dir)).rejects.toBeInstanceOf(DataDirPermissionError);
    await chmod(dir, 0o700);
    await writeFile(path.join(dir, 'session.key'), 'x', { mode: 0o600 });
    await chmod(path.join(dir, 'session.key'), 0o640);
    await expect(ensurePrivateDataDir(dir)).rejects.toThrow(/session\.key \(mode 640\)/);
    await chmod(path.join(dir, 'session.key'), 0o600);
    await writeFile(path.join(dir, 'db-file'), 'x', { mode: 0o600 });
    await chmod(path.join(dir, 'db-file'), 0o644);
    expect((await loosePaths(dir)).map((l) => path.basename(l.path))).toEqual(['db-file']);
    await expect(ensurePrivateDataDir(dir)).resolves.toBeUndefined();
    expect((await stat(path.join(dir, 'db-file'))).mode & 0o777).toBe(0o600);
    expect(await tightenDataDir(dir)).toBe(0);
  });
});
