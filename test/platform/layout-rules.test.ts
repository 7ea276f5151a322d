// The import rules of .dependency-cruiser.cjs can fail: a scratch project with the repository's
// rules and an introduced cycle and forbidden direction is refused, naming each rule; the real
// tree passes (CI also runs `npm run lint:deps`).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../..');
const depcruise = path.join(repo, 'node_modules', '.bin', 'depcruise');
const scratch = mkdtempSync(path.join(tmpdir(), 'layout-rules-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function write(file: string, text: string): void {
  mkdirSync(path.dirname(path.join(scratch, file)), { recursive: true });
  writeFileSync(path.join(scratch, file), text);
}

function cruise(cwd: string): { status: number | null; output: string } {
  const result = spawnSync(depcruise, ['server', 'db', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], { cwd, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('layout rules (dependency-cruiser)', () => {
  it('refuses an introduced import cycle and a forbidden direction, naming the rules', () => {
    copyFileSync(path.join(repo, '.dependency-cruiser.cjs'), path.join(scratch, '.dependency-cruiser.cjs'));
    write('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }));
    write('package.json', JSON.stringify({ type: 'module' }));
    write('server/inbound/calls/a.ts', "import { b } from './b.js';\nexport const a = () => b;\n");
    write('server/inbound/calls/b.ts', "import { a } from './a.js';\nexport const b = () => a;\n");
    write('server/platform/errors.ts', "import { a } from '../inbound/calls/a.js';\nexport const e = a;\n");
    write('server/attribution/calls/events.ts', 'export const events = 1;\n');
    write('server/rtb/auctions/run.ts', "import { events } from '../../attribution/calls/events.js';\nexport const run = events;\n");
    write('db/types.ts', "import { e } from '../server/platform/errors.js';\nexport const t = e;\n");
    const { status, output } = cruise(scratch);
    expect(status).not.toBe(0);
    expect(output).toContain('no-circular');
    expect(output).toContain('server/inbound/calls/a.ts');
    expect(output).toContain('platform-stands-alone');
    expect(output).toContain('db-below-server');
    expect(output).toContain('rtb-and-attribution-apart');
  });

  it('passes on the repository itself', () => {
    const { status, output } = cruise(repo);
    expect(output).toContain('no dependency violations');
    expect(status).toBe(0);
  }, 60_000);
});
