// The AI voice agents' benchmarks (issue 20), one after another, each printing its own table:
//   1. ai-runtime.ts   — runtime overhead with 200 concurrent ConversationRelay conversations
//                        (prompt → our first text token, minus the model's own first-token time;
//                        target p99 ≤ 5 ms)
//   2. ai-knowledge.ts — knowledge-base search over 100,000 passages (target p99 ≤ 30 ms) and
//                        ingestion pages per second
//   3. ai-analytics.ts — seed 004's analytics over 100,000 AI calls (p50 / p99 per request)
// Each runs in a process of its own (as the separate scripts do, with their default flags), so one's
// heap and pools never weigh on the next. Flags after `--` go to every script (e.g. --database-url).
//
//   npx tsx scripts/bench/ai.ts [--only runtime,knowledge,analytics] [-- --database-url URL]
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { forkTsChild } from './load.js';

const SCRIPTS = { runtime: 'ai-runtime.ts', knowledge: 'ai-knowledge.ts', analytics: 'ai-analytics.ts' } as const;
type Part = keyof typeof SCRIPTS;

const { values: args, positionals } = parseArgs({ options: { only: { type: 'string', default: 'runtime,knowledge,analytics' } }, allowPositionals: true });
const parts = args.only.split(',').map((p) => p.trim()) as Part[];
for (const part of parts) {
  if (!(part in SCRIPTS)) throw new Error(`--only: unknown part "${part}" (known: ${Object.keys(SCRIPTS).join(', ')})`);
}

for (const part of parts) {
  console.log(`\n## AI ${part} — scripts/bench/${SCRIPTS[part]}\n`);
  const child = forkTsChild(fileURLToPath(new URL(SCRIPTS[part], import.meta.url)), positionals);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) {
    console.error(`${SCRIPTS[part]} exited with ${code}`);
    process.exit(code ?? 1);
  }
}
