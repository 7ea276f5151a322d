// The model client's transport (issue 20): what the path between our request and the first
// delta costs with Node 20's built-in fetch and with ours (server/ai/runtime/model-fetch.ts), the
// `openai` package's stream on top of both; and the model client as the runtime uses it (the SDK
// sends the request, the raw event stream is read by server/ai/runtime/event-stream.ts). The
// scripted model runs in its own process (scripts/bench/ai-runtime-peer.ts --role model); requests
// go one at a time, with a short random pause between them. Overhead per request = (request start
// → first content delta, here) − (the model's own request in → first chunk out). Also this
// process's event-loop time per request.
//
//   npx tsx scripts/bench/ai-model-transport.ts [--requests 300] [--delay 50]
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import OpenAI from 'openai';
import { createModelClient } from '../../server/ai/runtime/model-client.js';
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

/** Streams one answer to `question`; resolves with ms from the start to the first content delta. */
type FirstDelta = (question: string) => Promise<number>;

function throughSdkStream(client: OpenAI): FirstDelta {
  return async (question) => {
    const started = performance.now();
    let first = Number.NaN;
    const stream = await client.chat.completions.create({ model: 'scripted', messages: [{ role: 'system', content: 'You are a support line.' }, { role: 'user', content: question }], stream: true, stream_options: { include_usage: true } });
    for await (const chunk of stream) if (chunk.choices[0]?.delta?.content && Number.isNaN(first)) first = performance.now() - started;
    return first;
  };
}

function throughModelClient(baseUrl: string): FirstDelta {
  const client = createModelClient({ aiBaseUrl: baseUrl, aiApiKey: undefined })!;
  return async (question) => {
    const started = performance.now();
    let first = Number.NaN;
    const request = { model: 'scripted', temperature: 0.2, maxTokens: 200, messages: [{ role: 'system' as const, content: 'You are a support line.' }, { role: 'user' as const, content: question }], tools: [] };
    for await (const event of client.stream(request, new AbortController().signal)) if (event.type === 'text' && Number.isNaN(first)) first = performance.now() - started;
    return first;
  };
}

async function measure(label: string, firstDelta: FirstDelta): Promise<string[]> {
  const firsts: { question: string; ms: number }[] = [];
  let loopMs = 0;
  for (let i = 0; i < WARMUP + REQUESTS; i += 1) {
    const question = `${label} ${i}: when are you open?`;
    const elu = performance.eventLoopUtilization();
    const first = await firstDelta(question);
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
  const rows = [
    await measure('SDK stream, built-in fetch (undici)', throughSdkStream(new OpenAI(options))),
    await measure('SDK stream, modelFetch (node:http)', throughSdkStream(new OpenAI({ ...options, fetch: modelFetch }))),
    await measure('the model client (SDK request, raw event stream)', throughModelClient(baseUrl)),
  ];
  console.log(`\nThe openai package's transport: ${REQUESTS} streamed requests one at a time per row (after ${WARMUP} not counted); the scripted model's first token after ${args.delay} ms, in its own process.\n`);
  console.log(markdownTable(['transport', 'requests', 'overhead p50 ms', 'p99 ms', 'max ms', 'event loop ms per request (SDK, transport, stream)'], rows, (column) => column === 0).join('\n'));
} finally {
  await stopChild(model);
}
