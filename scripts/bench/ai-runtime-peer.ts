// The other side of scripts/bench/ai-runtime.ts, in a process of its own so that none of its work
// shares the runtime's event loop: the scripted OpenAI-compatible model (every request streams a
// short answer after `--delay` ms) and the ConversationRelay callers (real WebSockets, signed
// handshakes). Sends its model's base URL over IPC; on { type: 'run' } plays the calls it is
// given — all at once, each: setup, the greeting's wait, then `turns` prompts one after another —
// and answers with each prompt's time to our first token and the model's own first-token times.
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startScriptedModel } from '../../test/ai/runtime/scripted-model.js';
import { connectRelay, setupMessage } from '../../test/ai/runtime/relay-client.js';

export interface PeerRun {
  type: 'run';
  url: string;
  publicBaseUrl: string;
  calls: { label: string; callSid: string; parameters: Record<string, string> }[];
  turns: number;
  greetingMs: number;
}

export interface PeerResult {
  type: 'result';
  /** Per prompt: sent → our first text token received (ms), keyed by the prompt's text. */
  samples: { marker: string; ms: number }[];
  /** Per model request: the last user message and request in → first chunk out (ms). */
  timings: { lastUser: string; firstChunkMs: number }[];
}

const { values } = parseArgs({ options: { delay: { type: 'string', default: '200' } } });
const model = await startScriptedModel({ kind: 'stream', firstTokenDelayMs: Number(values.delay), chunks: ['We are open ', 'nine to five, ', 'Monday to Friday.'], chunkDelayMs: 5, usage: { prompt_tokens: 80, completion_tokens: 12 } });
process.send?.({ type: 'ready', baseUrl: model.baseUrl });

async function play(run: PeerRun): Promise<PeerResult> {
  const target = { url: run.url, config: { publicBaseUrl: run.publicBaseUrl } } as Parameters<typeof connectRelay>[0];
  const samples: PeerResult['samples'] = [];
  model.timings.length = 0;
  await Promise.all(
    run.calls.map(async (call) => {
      const relay = await connectRelay(target);
      relay.send(setupMessage(call.callSid, call.parameters));
      await new Promise((r) => setTimeout(r, run.greetingMs));
      for (let turn = 0; turn < run.turns; turn += 1) {
        const marker = `Question ${call.label}-${turn}: when are you open?`;
        const answer = await relay.prompt(marker);
        if (answer.firstAt === null) throw new Error(`no answer to ${marker}: ${answer.text}`);
        samples.push({ marker, ms: answer.firstAt - answer.sentAt });
      }
      await relay.close();
    }),
  );
  return { type: 'result', samples, timings: [...model.timings] };
}

process.on('message', (m: PeerRun) => {
  if (m.type !== 'run') return;
  const started = performance.now();
  play(m).then(
    (result) => process.send?.({ ...result, wallMs: performance.now() - started }),
    (err: unknown) => process.send?.({ type: 'error', message: String(err) }),
  );
});
process.on('disconnect', () => {
  void model.close().then(() => process.exit(0));
});
