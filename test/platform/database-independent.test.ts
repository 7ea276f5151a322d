// The pg project's split (test/setup/database-independent.ts): a test file is left out of the
// PostgreSQL run only when nothing it imports from test/ or scripts/ can reach DATABASE_URL.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseIndependentTests } from '../setup/database-independent.js';

let root: string;

async function put(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(path.join(root, file)), { recursive: true });
  await writeFile(path.join(root, file), text);
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'ccp-split-'));
  await put('test/helpers/app.ts', "export const url = process.env.TEST_DB === 'pg' ? process.env.DATABASE_URL : undefined;\n");
  await put('test/helpers/middle.ts', "export { url } from './app.js';\n");
  await put('test/helpers/pure-helper.ts', "import { x } from '../../server/config.js';\nexport const y = x;\n");
  await put('test/helpers/cycle-a.ts', "import { b } from './cycle-b.js';\nexport const a = 1 + b;\n");
  await put('test/helpers/cycle-b.ts', "import { a } from './cycle-a.js';\nexport const b = 2;\n");
  // A cycle whose way out reaches the database: entered at either end, it is found.
  await put('test/helpers/loop-a.ts', "import { b } from './loop-b.js';\nimport { url } from './app.js';\n");
  await put('test/helpers/loop-b.ts', "import { a } from './loop-a.js';\n");
  await put('scripts/bench/tool.ts', "import { scriptDatabaseUrl } from '../../server/config.js';\nexport const u = scriptDatabaseUrl();\n");
  await put('server/config.ts', 'export const x = process.env.DATABASE_URL;\n'); // the server is not followed
  await put('test/a/direct.test.ts', "import { url } from '../helpers/app.js';\n");
  await put('test/a/through.test.ts', "import { url } from '../helpers/middle.js';\n");
  await put('test/a/dynamic.test.ts', "const m = await import('../helpers/app.js');\n");
  await put('test/a/script.test.ts', "import { u } from '../../scripts/bench/tool.js';\n");
  await put('test/a/child.test.ts', "spawn('node', [], { env: { ...process.env } });\n");
  await put('test/a/pure.test.ts', "import { y } from '../helpers/pure-helper.js';\nimport { describe } from 'vitest';\n");
  await put('test/a/cycle.test.ts', "import { a } from '../helpers/cycle-a.js';\n");
  await put('test/a/loop-first.test.ts', "import { a } from '../helpers/loop-a.js';\n");
  await put('test/a/loop-second.test.ts', "import { b } from '../helpers/loop-b.js';\n");
  await put('test/a/own.test.ts', "if (process.env.TEST_DB === 'pg') {}\n");
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('databaseIndependentTests', () => {
  it('leaves out only the files that cannot reach DATABASE_URL, through any chain of imports', () => {
    expect(databaseIndependentTests(root)).toEqual(['test/a/cycle.test.ts', 'test/a/pure.test.ts']);
  });

  it('keeps in the PostgreSQL run every test file of this repository that uses the test app', () => {
    const independent = databaseIndependentTests(path.resolve('.'));
    expect(independent).toContain('test/e2e/start-production.test.ts'); // the embedded database, whatever the project
    expect(independent).not.toContain('test/crash/crash-restart.test.ts');
    expect(independent).not.toContain('test/contract/fuzz.test.ts');
    expect(independent.every((file) => !file.endsWith('.pg.test.ts'))).toBe(true);
  });
});
