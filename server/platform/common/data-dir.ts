// DATA_DIR holds the embedded database and the generated keys: only the server's own user may
// read it. main sets the umask to 077 before anything is written (folders 0700, files 0600), and
// every start checks the folder and the secret files in it, refusing to run over a looser one.
// PGlite writes some files with modes of its own whatever the umask, so every start, and main once
// the database is open, tighten the database's files (tightenDataDir).
import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';

const GROUP_OR_OTHER = 0o077;
const LISTED = 5;

export class DataDirPermissionError extends Error {
  constructor(
    readonly dataDir: string,
    readonly loose: ReadonlyArray<{ path: string; mode: number }>,
  ) {
    const shown = loose.slice(0, LISTED).map((l) => `    ${l.path} (mode ${(l.mode & 0o777).toString(8).padStart(3, '0')})`);
    const more = loose.length > LISTED ? [`    ... and ${loose.length - LISTED} more`] : [];
    super(
      [
        `DATA_DIR ${dataDir} is readable or writable by other users (it holds the database and its keys):`,
        ...shown,
        ...more,
        `  Fix it with: chmod -R go-rwx '${dataDir}'`,
      ].join('\n'),
    );
    this.name = 'DataDirPermissionError';
  }
}

/**
 * Every path under `dir` (itself included) whose mode gives the group or others any access. The
 * entries of a folder are looked at concurrently (a database folder holds a few thousand files;
 * one lstat after another made this a third of a second of every start).
 */
export async function loosePaths(dir: string): Promise<Array<{ path: string; mode: number }>> {
  const loose: Array<{ path: string; mode: number }> = [];
  async function visit(current: string): Promise<void> {
    const stats = await lstat(current);
    if (stats.isSymbolicLink()) return;
    if ((stats.mode & GROUP_OR_OTHER) !== 0) loose.push({ path: current, mode: stats.mode });
    if (stats.isDirectory()) await Promise.all((await readdir(current)).map((entry) => visit(path.join(current, entry))));
  }
  await visit(dir);
  return loose.sort((a, b) => a.path.localeCompare(b.path));
}

/** The files of ours in DATA_DIR that hold secrets (written by server/platform/secrets.ts). */
export const SECRET_FILES = ['session.key', 'secrets.key', 'twilio-webhook.token'] as const;

/**
 * Create DATA_DIR (0700) when missing. Throw DataDirPermissionError when the folder itself, or one
 * of our secret files in it, gives the group or others any access: that is what a user (or a copy
 * made carelessly) must fix. The database's own files inside a private folder cannot be reached by
 * anyone else whatever their modes, and PGlite writes some of them with modes of its own (0666 at
 * initdb, 0644 for a cache file it rewrites at run time): those are tightened here, silently.
 */
export async function ensurePrivateDataDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (process.platform === 'win32') return; // POSIX modes only
  const loose = await loosePaths(dir);
  const exposed = loose.filter((l) => l.path === dir || (SECRET_FILES as readonly string[]).includes(path.relative(dir, l.path)));
  if (exposed.length > 0) throw new DataDirPermissionError(dir, exposed);
  await tighten(loose);
}

/** Take the group's and others' bits off everything under `dir` (what PGlite's initdb left open). */
export async function tightenDataDir(dir: string): Promise<number> {
  if (process.platform === 'win32') return 0;
  const loose = await loosePaths(dir);
  await tighten(loose);
  return loose.length;
}

async function tighten(loose: ReadonlyArray<{ path: string; mode: number }>): Promise<void> {
  await Promise.all(loose.map((entry) => chmod(entry.path, entry.mode & 0o7777 & ~GROUP_OR_OTHER)));
}
