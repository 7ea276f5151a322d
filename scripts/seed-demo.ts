// Seed the demo organisation into the configured database (DATABASE_URL, or the embedded one in
// DATA_DIR) without starting the server. `npm start` does the same on an empty database.
import { openDatabase } from '../db/connection.js';
import { migrateToLatest } from '../db/migrate.js';
import { loadConfig } from '../server/platform/config.js';
import { seedDemo } from '../server/demo/seed-demo.js';

const config = loadConfig();
const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
try {
  await migrateToLatest(database.db);
  const demo = await seedDemo(database.db, config.demoAdminEmail, config.demoAdminPassword);
  console.log(demo.created ? `Demo organisation created. Login: ${demo.email} / ${demo.password}` : 'The database is not empty; nothing seeded.');
} finally {
  await database.close();
}
