// A fresh embedded database starts from a copy of an initialised one. PGlite's initdb costs about
// 5 s of CPU (it boots PostgreSQL twice and builds every catalog); copying an initialised data
// folder and opening it costs what a restart costs. The template is an empty, cleanly closed
// PGlite data folder, one per PGlite version (its on-disk format), prepared at install time
// (`npm ci` runs scripts/prepare-start.ts) or by the first start that needs it.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, cp, mkdir, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';

/** The installed PGlite version: a template made by another version is never used. */
export function pgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  let dir = path.dirname(entry);
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the package.json of @electric-sql/pglite');
    dir = parent;
  }
  return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The template folder's name inside a cache folder. */
export function templateName(): string {
  return `pglite-${pgliteVersion()}`;
}

/** Whether a folder holds an embedded database already. */
export function hasDatabase(dataDir: string): boolean {
  return existsSync(path.join(dataDir, 'PG_VERSION'));
}

/**
 * Create the template when it is missing: initdb into a temporary folder, close it cleanly, then
 * rename it into place (a reader never sees half a template; a concurrent creator's copy wins).
 */
export async function ensureTemplate(templateDir: string): Promise<void> {
  if (hasDatabase(templateDir)) return;
  const temporary = `${templateDir}.${randomBytes(4).toString('hex')}.tmp`;
  await mkdir(temporary, { recursive: true });
  try {
    const lite = await PGlite.create({ dataDir: temporary });
    await lite.close();
    await rename(temporary, templateDir);
  } catch (err) {
    if (!hasDatabase(templateDir)) throw err;
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
}

/**
 * Give a data folder without a database a copy of the template (made first when missing). Returns
 * false, changing nothing, when the folder has a database already or no template can be made (a
 * read-only cache): PGlite then runs initdb itself, only slower.
 */
export async function copyTemplateIfEmpty(dataDir: string, templateDir: string): Promise<boolean> {
  if (hasDatabase(dataDir)) return false;
  try {
    await ensureTemplate(templateDir);
  } catch {
    return false;
  }
  await mkdir(dataDir, { recursive: true });
  // PG_VERSION last: a copy cut short leaves a folder without it, which the next start copies
  // over again (force) instead of opening half a database.
  const marker = path.join(templateDir, 'PG_VERSION');
  await cp(templateDir, dataDir, { recursive: true, force: true, filter: (source) => source !== marker });
  await copyFile(marker, path.join(dataDir, 'PG_VERSION'));
  return true;
}
