// npm's postinstall: run scripts/prepare-start.ts when tsx is installed (a development install).
// A production install (`npm ci --omit=dev`) has no tsx: the first start prepares the same files
// itself. Never fails the install — the files are only a speed-up.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let hasTsx = true;
try {
  require.resolve('tsx');
} catch {
  hasTsx = false;
}
if (hasTsx) {
  const started = Date.now();
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/prepare-start.ts'], { stdio: 'inherit' });
  if (result.status === 0) console.log(`callcenter-pro: embedded database template and contract cache ready (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  else console.warn('callcenter-pro: could not prepare the start-up cache; the first `npm start` will do it');
}
