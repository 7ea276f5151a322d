// Which test files run the same whatever the database: the pg project leaves them out, since
// they would only repeat the embedded run (start-production alone took a minute in each).
//
// A test reaches PostgreSQL only through DATABASE_URL: the test app and the database helpers pick
// it up when TEST_DB=pg, the scripts through scriptDatabaseUrl(), a config loaded from
// process.env or a child started with it. The server reads no environment outside
// server/platform/config.ts, which reads only what it is given. So a test file is independent of
// the database when neither it nor any test or script module it imports (followed through
// relative imports) names one of those; the others run in both projects. Read at each start of
// vitest, so a new test file is sorted without being listed anywhere.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** What a file that may reach PostgreSQL says somewhere in its text. */
const REACHES_DATABASE = /\bTEST_DB\b|\bDATABASE_URL\b|\bscriptDatabaseUrl\b|loadConfig\(process\.env|\.\.\.process\.env/;
/** Relative module specifiers: static imports and exports, and dynamic import(). */
const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;
/** Imports followed: the tests' own helpers and the scripts (the server reads no environment). */
const FOLLOWED = ['test', 'scripts'];

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(full);
    return entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

/** './x.js' written in TypeScript source names './x.ts' (or './x/index.ts'). */
function resolveModule(from: string, specifier: string): string | null {
  const base = path.resolve(path.dirname(from), specifier);
  const stem = base.replace(/\.(js|ts|mjs|mts)$/, '');
  for (const candidate of [`${stem}.ts`, `${stem}.mts`, base, path.join(base, 'index.ts')]) {
    if (candidate.endsWith('.ts') || candidate.endsWith('.mts')) {
      if (existsSync(candidate)) return candidate;
    }
  }
  return null;
}

/** Test files (relative to `root`, forward slashes) that never reach a PostgreSQL server. */
export function databaseIndependentTests(root: string): string[] {
  const followed = FOLLOWED.map((dir) => path.join(root, dir) + path.sep);
  const modules = new Map<string, { names: boolean; imports: string[] }>();
  const read = (file: string) => {
    let known = modules.get(file);
    if (!known) {
      const source = readFileSync(file, 'utf8');
      const imports = [...source.matchAll(RELATIVE_IMPORT)]
        .map((match) => resolveModule(file, match[1]!))
        .filter((target): target is string => target !== null && followed.some((dir) => target.startsWith(dir)));
      known = { names: REACHES_DATABASE.test(source), imports };
      modules.set(file, known);
    }
    return known;
  };
  /** Every module the file imports, however indirectly (cycles included), searched for a name. */
  const reaches = (file: string): boolean => {
    const seen = new Set([file]);
    const pending = [file];
    while (pending.length > 0) {
      const current = read(pending.pop()!);
      if (current.names) return true;
      for (const target of current.imports) {
        if (!seen.has(target)) {
          seen.add(target);
          pending.push(target);
        }
      }
    }
    return false;
  };

  return testFiles(path.join(root, 'test'))
    .filter((file) => !reaches(file))
    .map((file) => path.relative(root, file).split(path.sep).join('/'))
    .sort();
}
