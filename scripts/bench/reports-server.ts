// The server of the reports benchmark, run as a separate process (forked by reports.ts): the real
// app (buildApp) on an existing PostgreSQL schema filled by scripts/seed-volume.ts. Sends
// {ready, port} over IPC; exits when the parent disconnects.
//
//   reports-server.ts --database-url URL --schema volume [--pool-size 10]
import { parseArgs } from 'node:util';
import { openDatabase } from '../../db/connection.js';
import { migrateToLatest } from '../../db/migrate.js';
import { startBenchApp } from './bench-app.js';
import { closeOnDisconnect } from './load.js';

const { values: args } = parseArgs({
  options: {
    'database-url': { type: 'string' },
    schema: { type: 'string', default: 'volume' },
    'pool-size': { type: 'string', default: '10' },
  },
});
if (!args['database-url']) throw new Error('--database-url is required');

const database = await openDatabase({ databaseUrl: args['database-url'], searchPath: args.schema, poolSize: Number(args['pool-size']) });
await migrateToLatest(database.db, args.schema);
const { app, store, port } = await startBenchApp(
  database.db,
  { SESSION_KEY: 'c'.repeat(64), PUBLIC_BASE_URL: 'https://bench.example.com' },
  'bench-webhook-token-0123456789abcdef',
);

closeOnDisconnect([() => app.close(), () => store.close(), () => database.close()]);
process.send?.({ ready: true, port });
