import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import { databaseIndependentTests } from './test/setup/database-independent.js';

// The same suite on the embedded database always, and on a PostgreSQL server when DATABASE_URL
// is set (CI sets it). The Redis-backed rate-limit store is tested when REDIS_URL is set. The
// browser tests (Swagger UI in headless Chromium) run when Debian's chromium is installed, and
// CI (REQUIRE_BROWSER=1) fails if it is not. The pg project leaves out the test files that never
// reach a PostgreSQL server (test/setup/database-independent.ts): they would repeat the embedded run.
const shared = {
  include: ['test/**/*.test.ts'],
  // *.pg.test.ts need a PostgreSQL server (two instances over LISTEN/NOTIFY): the pg project only.
  exclude: ['test/platform/redis/**', 'test/browser/**', 'test/**/*.pg.test.ts'],
  setupFiles: ['test/setup/contract-guard.ts'],
  testTimeout: 30_000,
  hookTimeout: 60_000,
};
const pglite = { globalSetup: ['test/setup/pglite-template.ts'], env: { TEST_DB: 'pglite' } };

const projects: Array<{ test: Record<string, unknown> }> = [{ test: { ...shared, ...pglite, name: 'pglite' } }];
if (process.env.DATABASE_URL) {
  const sameOnEveryDatabase = databaseIndependentTests(import.meta.dirname);
  projects.push({ test: { ...shared, exclude: ['test/platform/redis/**', 'test/browser/**', ...sameOnEveryDatabase], name: 'pg', env: { TEST_DB: 'pg' } } });
}
if (process.env.REDIS_URL) {
  projects.push({ test: { ...shared, ...pglite, include: ['test/platform/redis/**/*.test.ts'], exclude: [], name: 'redis' } });
}
const hasChromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].some((p) => existsSync(p));
if (hasChromium || process.env.REQUIRE_BROWSER === '1') {
  projects.push({ test: { ...shared, ...pglite, include: ['test/browser/**/*.test.ts'], exclude: [], name: 'browser' } });
}

export default defineConfig({
  test: {
    projects,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
