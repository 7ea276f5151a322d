import { defineConfig } from 'vitest/config';

// The same suite on the embedded database always, and on a PostgreSQL server when DATABASE_URL
// is set (CI sets it). The Redis-backed rate-limit store is tested when REDIS_URL is set.
const shared = {
  include: ['test/**/*.test.ts'],
  exclude: ['test/redis/**'],
  setupFiles: ['test/setup/contract-guard.ts'],
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

const projects = [
  { test: { ...shared, name: 'pglite', globalSetup: ['test/setup/pglite-template.ts'], env: { TEST_DB: 'pglite' } } },
];
if (process.env.DATABASE_URL) {
  projects.push({ test: { ...shared, name: 'pg', globalSetup: [], env: { TEST_DB: 'pg' } } } as never);
}
if (process.env.REDIS_URL) {
  projects.push({ test: { ...shared, include: ['test/redis/**/*.test.ts'], exclude: [], name: 'redis', globalSetup: [], env: { TEST_DB: 'pglite' } } } as never);
}

export default defineConfig({
  test: {
    projects,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    typecheck: { enabled: false },
  },
});
