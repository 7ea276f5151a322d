// A cache of derived files (the parsed contract, the embedded database template) in
// node_modules/.cache/callcenter-pro: never the source of truth, keyed by what it was derived
// from, rebuilt when missing. Every write is best effort: a read-only tree only loses the speed-up.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PROJECT_ROOT } from './project-root.js';

export const CACHE_DIR: string = fileURLToPath(new URL('node_modules/.cache/callcenter-pro/', PROJECT_ROOT));

export function cachePath(name: string): string {
  return `${CACHE_DIR}${name}`;
}

/** The cached file's bytes, or null when it is not there. */
export function readCache(name: string): Buffer | null {
  try {
    return readFileSync(cachePath(name));
  } catch {
    return null;
  }
}

/**
 * Write a cache file atomically (a temporary file renamed into place, so a reader never sees half
 * of it) and remove older files of the same family (names starting with `family`).
 */
export function writeCache(name: string, data: string | Uint8Array, family?: string): void {
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    const temporary = cachePath(`.${name}.${randomBytes(4).toString('hex')}.tmp`);
    writeFileSync(temporary, data);
    renameSync(temporary, cachePath(name));
    if (family) {
      for (const other of readdirSync(CACHE_DIR)) {
        if (other !== name && other.startsWith(family)) rmSync(cachePath(other), { force: true });
      }
    }
  } catch {
    // Best effort: the next start derives the file again.
  }
}
