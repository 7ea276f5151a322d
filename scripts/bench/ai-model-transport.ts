// The model client's transport (issue 20): what the path between our request and the SDK's first
// delta costs with Node 20's built-in fetch and with ours (server/ai/runtime/model-fetch.ts), the
// `openai` package on top of both. The scripted model runs in its own process
// (scripts/bench/ai-runtime-peer.ts --role model); requests go one at a time, with a short random
// pause between them. Overhead per request = (request start → first content delta, here) − (the
// model's own request in → first chunk out). Also this process's event-loop time per request.
//
//   npx tsx scripts/bench/ai-model-transport.ts [--requests 300] [--delay 50]
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import OpenAI from 'openai';
import { modelFetch } from '../../server/ai/runtime/model-fetch.js';
import { firstMessage, forkTsChild, percentile, stopChild } from './load.js';
import { markdownTable } from './markdown-table.js';
import type { PeerResult } from './ai-runtime-peer.js';

const { values: args } = parseArgs({ options: { requests: { type: 'string', default: '300' }, delay: { type: 'string', default: '50' } } });
const REQUESTS = Number(args.requests);
const WARMUP = 30;

const model = forkTsChild(fileURLToPath(new URL('./ai-runtime-peer.ts', import.meta.url)), ['--role', 'model', '--delay', args.delay]);

function modelTimings(): Promise<Map<string, number>> {
  return new Promise((resolve) => {
    const onMessage = (m: { type: string; timings?: PeerResult['timings'] }) => {
      if (m.type !== 'timings') return;
      model.off('message', onMessage);
      resolve(new Map((m.timings ?? []).map((t) => [t.lastUser, t.firstChunkMs])));
    };
    model.on('message', onMessage);
    model.send({ type: 'timings' });
  });
}

async function measure(label: string, client: OpenAI): Promise<string[]> {
  const firsts: { question: string; ms: number }[] = [];
  let loopMs = 0;
  for (let i = 0; i < WARMUP + REQUESTS; i += 1) {
    const question = `${label} ${i}: when are you open?`;
    const elu = performance.eventLoopUtilization();
    const started = performance.now();
    let first = Number.NaN;
    const stream = await client.chat.completions.create({ model: 'scripted', messages: [{ role: 'system', content: 'You are a support line.' }, { role: 'user', content: question }], stream: true, stream_options: { include_usage: true } });
    for await (const chunk of stream) if (chunk.choices[0]?.delta?.content && Number.isNaN(first)) first = performance.now() - started;
    if (i >= WARMUP) {
      firsts.push({ question, ms: first });
      loopMs += performance.eventLoopUtilization(elu).active;
    }
    await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
  }
  const own = await modelTimings();
  const overhead = firsts.map((f) => f.ms - (own.get(f.question) ?? Number.NaN)).filter(Number.isFinite).sort((a, b) => a - b);
  return [label, String(overhead.length), percentile(overhead, 50).toFixed(2), percentile(overhead, 99).toFixed(2), (overhead[overhead.length - 1] ?? Number.NaN).toFixed(2), (loopMs / firsts.length).toFixed(2)];
}

try {
  const { baseUrl } = await firstMessage<{ baseUrl: string }>(model, 'the scripted model');
  const options = { baseURL: baseUrl, apiKey: 'no-key-needed', maxRetries: 0 };
  const rows = [await measure('built-in fetch (undici)', new OpenAI(options)), await measure('modelFetch (node:http)', new OpenAI({ ...options, fetch: modelFetch }))];
  console.log(`\nThe openai package's transport: ${REQUESTS} streamed requests one at a time per row (after ${WARMUP} not counted); the scripted model's first token after ${args.delay} ms, in its own process.\n`);
  console.log(markdownTable(['transport', 'requests', 'overhead p50 ms', 'p99 ms', 'max ms', 'event loop ms per request (SDK, transport, stream)'], rows, (column) => column === 0).join('\n'));
} finally {
  await stopChild(model);
}
