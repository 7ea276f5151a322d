// The scripted OpenAI-compatible model of scripts/bench/ai-runtime.ts, in a process of its own
// (so its work does not share the runtime's event loop): every request streams a short answer
// after `--delay` ms. Sends its base URL over IPC; on { type: 'report' } sends its per-request
// first-token times; exits on disconnect.
import { parseArgs } from 'node:util';
import { startScriptedModel } from '../../test/ai/runtime/scripted-model.js';

const { values } = parseArgs({ options: { delay: { type: 'string', default: '200' } } });
const model = await startScriptedModel({ kind: 'stream', firstTokenDelayMs: Number(values.delay), chunks: ['We are open ', 'nine to five, ', 'Monday to Friday.'], chunkDelayMs: 5, usage: { prompt_tokens: 80, completion_tokens: 12 } });
process.send?.({ type: 'ready', baseUrl: model.baseUrl });
process.on('message', (m: { type?: string }) => {
  if (m.type === 'report') process.send?.({ type: 'report', timings: model.timings });
});
process.on('disconnect', () => {
  void model.close().then(() => process.exit(0));
});
