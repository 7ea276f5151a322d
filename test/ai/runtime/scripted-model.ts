// A scripted OpenAI-compatible chat-completions server for the runtime's tests and benchmark:
// each request takes the next script from the queue (or `fallback`) — a stream of content chunks
// after a first-token delay (with tool calls, usage, or cut off mid-way), an HTTP error, or a
// plain JSON answer (the non-streamed summary request). Every request body is kept.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

export type ModelScript =
  | {
      kind: 'stream';
      firstTokenDelayMs?: number;
      chunks?: string[];
      chunkDelayMs?: number;
      toolCalls?: { name: string; arguments: Record<string, unknown> }[];
      /** The tool calls' arguments sent in this many pieces, this long apart (a model writing them token by token). */
      toolArgumentPieces?: { count: number; delayMs: number };
      usage?: { prompt_tokens: number; completion_tokens: number };
      /** Destroy the connection after this many content chunks (a stream cut mid-way). */
      cutAfter?: number;
    }
  | { kind: 'error'; status: number }
  | { kind: 'json'; content: string };

export interface ScriptedModel {
  baseUrl: string;
  requests: Record<string, unknown>[];
  /** Per streamed request: the last user message and the model's own first-token time (request in → first chunk out, ms). */
  timings: { lastUser: string; firstChunkMs: number }[];
  queue: ModelScript[];
  fallback: ModelScript;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function chunk(delta: Record<string, unknown>, finish: string | null = null): string {
  return `data: ${JSON.stringify({ id: 'chatcmpl-test', object: 'chat.completion.chunk', created: 1, model: 'scripted', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>;
}

type Timing = (firstChunkMs: number) => void;

async function play(script: ModelScript, body: Record<string, unknown>, res: ServerResponse, arrived: number, timing: Timing): Promise<void> {
  if (script.kind === 'error') {
    res.writeHead(script.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'scripted failure', type: 'server_error' } }));
    return;
  }
  if (script.kind === 'json' || body.stream !== true) {
    const content = script.kind === 'json' ? script.content : (script.chunks ?? []).join('');
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({ id: 'chatcmpl-test', object: 'chat.completion', created: 1, model: 'scripted', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } }),
    );
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.flushHeaders();
  // Headers are out at once (as a real server's are); the first token comes after the delay.
  if (script.firstTokenDelayMs) await sleep(script.firstTokenDelayMs);
  if (res.destroyed) return;
  let sent = 0;
  for (const text of script.chunks ?? []) {
    if (script.cutAfter !== undefined && sent >= script.cutAfter) {
      res.destroy();
      return;
    }
    res.write(chunk({ content: text }));
    if (sent === 0) timing(performance.now() - arrived);
    sent += 1;
    if (script.chunkDelayMs) await sleep(script.chunkDelayMs);
    if (res.destroyed) return;
  }
  for (const [index, call] of (script.toolCalls ?? []).entries()) {
    res.write(chunk({ tool_calls: [{ index, id: `call_${index}_${call.name}`, type: 'function', function: { name: call.name, arguments: '' } }] }));
    const text = JSON.stringify(call.arguments);
    const pieces = script.toolArgumentPieces ?? { count: 1, delayMs: 0 };
    const size = Math.ceil(text.length / pieces.count);
    for (let at = 0; at < text.length; at += size) {
      if (at > 0 && pieces.delayMs) await sleep(pieces.delayMs);
      if (res.destroyed) return;
      res.write(chunk({ tool_calls: [{ index, function: { arguments: text.slice(at, at + size) } }] }));
    }
  }
  res.write(chunk({}, script.toolCalls?.length ? 'tool_calls' : 'stop'));
  if (script.usage) res.write(`data: ${JSON.stringify({ id: 'chatcmpl-test', object: 'chat.completion.chunk', created: 1, model: 'scripted', choices: [], usage: { ...script.usage, total_tokens: script.usage.prompt_tokens + script.usage.completion_tokens } })}\n\n`);
  res.end('data: [DONE]\n\n');
}

export async function startScriptedModel(fallback: ModelScript = { kind: 'stream', chunks: ['OK.'] }): Promise<ScriptedModel> {
  const model: Omit<ScriptedModel, 'baseUrl' | 'close'> = { requests: [], timings: [], queue: [], fallback };
  const server: Server = createServer((req, res) => {
    const arrived = performance.now();
    readBody(req)
      .then((body) => {
        model.requests.push(body);
        const messages = Array.isArray(body.messages) ? (body.messages as { role?: string; content?: unknown }[]) : [];
        const lastUser = String([...messages].reverse().find((m) => m.role === 'user')?.content ?? '');
        return play(model.queue.shift() ?? model.fallback, body, res, arrived, (firstChunkMs) => model.timings.push({ lastUser, firstChunkMs }));
      })
      .catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(model as ScriptedModel, {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
