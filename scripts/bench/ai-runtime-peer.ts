// The other sides of scripts/bench/ai-runtime.ts, each in a process of its own so that none of
// their work shares the runtime's event loop (nor each other's, as a remote model and Twilio
// would not): `--role model`, the scripted OpenAI-compatible model (every request streams a short
// answer after `--delay` ms), sends its base URL over IPC and its first-token times on request;
// `--role callers`, the ConversationRelay callers (real WebSockets, signed handshakes), on
// { type: 'run' } plays the calls it is given — each: setup, the greeting's wait, then `turns` prompts one after another, the callers
// starting together (lockstep) or spread out, with a pause between a caller's turns — and answers with each prompt's time to our first token and the model's own first-token times.
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
  /** Each caller starts within this many ms of the others (0: all at once, in lockstep). */
  spreadMs: number;
  /** Between a caller's turns: listening to the answer and speaking again, on average (± 50 %). */
  pauseMs: number;
}

export interface PeerResult {
  type: 'result';
  /** Per prompt: sent → our first text token received (ms), keyed by the prompt's text. */
  samples: { marker: string; ms: number }[];
  /** Per model request: the last user message and request in → first chunk out (ms). */
  timings: { lastUser: string; firstChunkMs: number }[];
  /** The most conversations open at once. */
  maxOpen: number;
  /** This process (callers and model) during the run: CPU ms, event-loop utilisation (0–1). */
  peerCpuMs: number;
  peerElu: number;
}

const { values } = parseArgs({ options: { delay: { type: 'string', default: '200' }, role: { type: 'string', default: 'model' } } });
/** `model`: the scripted model only (answers { type: 'timings' } with its first-token times); `callers`: the ConversationRelay callers. */
const ROLE = values.role === 'callers' ? 'callers' : 'model';
const model =
  ROLE === 'model'
    ? await startScriptedModel({ kind: 'stream', firstTokenDelayMs: Number(values.delay), chunks: ['We are open ', 'nine to five, ', 'Monday to Friday.'], chunkDelayMs: 5, usage: { prompt_tokens: 80, completion_tokens: 12 } })
    : null;
process.send?.({ type: 'ready', baseUrl: model?.baseUrl ?? '' });

async function play(run: PeerRun): Promise<PeerResult> {
  const target = { url: run.url, config: { publicBaseUrl: run.publicBaseUrl } } as Parameters<typeof connectRelay>[0];
  const samples: PeerResult['samples'] = [];
  let open = 0;
  let maxOpen = 0;
  await Promise.all(
    run.calls.map(async (call) => {
      await new Promise((r) => setTimeout(r, Math.random() * run.spreadMs));
      const relay = await connectRelay(target);
      open += 1;
      maxOpen = Math.max(maxOpen, open);
      relay.send(setupMessage(call.callSid, call.parameters));
      await new Promise((r) => setTimeout(r, run.greetingMs));
      for (let turn = 0; turn < run.turns; turn += 1) {
        if (turn > 0 && run.pauseMs > 0) await new Promise((r) => setTimeout(r, run.pauseMs * (0.5 + Math.random())));
        const marker = `Question ${call.label}-${turn}: when are you open?`;
        const answer = await relay.prompt(marker);
        if (answer.firstAt === null) throw new Error(`no answer to ${marker}: ${answer.text}`);
        samples.push({ marker, ms: answer.firstAt - answer.sentAt });
      }
      await relay.close();
      open -= 1;
    }),
  );
  return { type: 'result', samples, timings: [], maxOpen, peerCpuMs: 0, peerElu: 0 };
}

let modelCpuBefore = process.cpuUsage();
let modelEluBefore = performance.eventLoopUtilization();
process.on('message', (m: PeerRun | { type: 'reset' | 'timings' }) => {
  if (model && m.type === 'reset') {
    model.timings.length = 0;
    modelCpuBefore = process.cpuUsage();
    modelEluBefore = performance.eventLoopUtilization();
    process.send?.({ type: 'reset' });
    return;
  }
  if (model && m.type === 'timings') {
    const cpu = process.cpuUsage(modelCpuBefore);
    process.send?.({ type: 'timings', timings: [...model.timings], cpuMs: (cpu.user + cpu.system) / 1000, elu: performance.eventLoopUtilization(modelEluBefore).utilization });
    return;
  }
  if (m.type !== 'run') return;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const eluBefore = performance.eventLoopUtilization();
  play(m).then(
    (result) => {
      const cpu = process.cpuUsage(cpuBefore);
      const peerElu = performance.eventLoopUtilization(eluBefore).utilization;
      process.send?.({ ...result, peerCpuMs: (cpu.user + cpu.system) / 1000, peerElu, wallMs: performance.now() - started });
    },
    (err: unknown) => process.send?.({ type: 'error', message: String(err) }),
  );
});
process.on('disconnect', () => {
  void (model?.close() ?? Promise.resolve()).then(() => process.exit(0));
});
