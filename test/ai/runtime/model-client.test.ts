// The model client against a scripted chat-completions endpoint: a stream's text deltas, tool
// calls (assembled from their deltas) and usage in order, over one kept-alive connection; an
// error status thrown as the SDK's APIError with its status; an error event mid-stream thrown
// after the text before it; a stream request answered with plain JSON refused; `complete` answers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelClient, type ModelClient, type StreamEvent } from '../../../server/ai/runtime/model-client.js';

let server: Server;
let client: ModelClient;
const connections = new Set<unknown>();
const requests: Record<string, unknown>[] = [];
let answer: (res: ServerResponse) => void = () => undefined;

const sse = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;
const delta = (d: Record<string, unknown>) => sse({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: d, finish_reason: null }] });
const request = { model: 'm', temperature: 0.2, maxTokens: 50, messages: [{ role: 'user' as const, content: 'hours?' }], tools: [] };

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    connections.add(req.socket);
    const parts: Buffer[] = [];
    req.on('data', (p: Buffer) => parts.push(p));
    req.on('end', () => {
      requests.push(JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>);
      answer(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = createModelClient({ aiBaseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, aiApiKey: 'sk-test' })!;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function events(): Promise<StreamEvent[]> {
  const seen: StreamEvent[] = [];
  for await (const e of client.stream(request, new AbortController().signal)) seen.push(e);
  return seen;
}

describe('createModelClient', () => {
  it('streams text, tool calls and usage, over one kept-alive connection', async () => {
    answer = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(delta({ role: 'assistant', content: 'Nine ' }));
      res.write(delta({ content: 'to five.' }));
      res.write(delta({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'end_call', arguments: '{"rea' } }] }));
      res.write(delta({ tool_calls: [{ index: 0, function: { arguments: 'son":"done"}' } }] }));
      res.write(sse({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 } }));
      res.end('data: [DONE]\n\n');
    };
    connections.clear();
    const first = await events();
    const second = await events();
    const expected = [
      { type: 'text', text: 'Nine ' },
      { type: 'text', text: 'to five.' },
      { type: 'toolCallDelta' },
      { type: 'toolCallDelta' },
      { type: 'usage', promptTokens: 12, completionTokens: 7 },
      { type: 'toolCalls', calls: [{ id: 'call_1', name: 'end_call', arguments: '{"reason":"done"}' }] },
    ];
    expect(first).toEqual(expected);
    expect(second).toEqual(expected);
    expect(connections.size).toBe(1);
    expect(requests.at(-1)).toMatchObject({ model: 'm', stream: true, stream_options: { include_usage: true }, max_tokens: 50 });
  });

  it('a provider reporting usage in every chunk (running totals) is counted once, by its last report', async () => {
    answer = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sse({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { role: 'assistant', content: 'Open ' } }], usage: { prompt_tokens: 40, completion_tokens: 1, total_tokens: 41 } }));
      res.write(sse({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: 'at nine.' } }], usage: { prompt_tokens: 40, completion_tokens: 3, total_tokens: 43 } }));
      res.write(sse({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: { prompt_tokens: 40, completion_tokens: 3, total_tokens: 43 } }));
      res.end('data: [DONE]\n\n');
    };
    const seen = await events();
    expect(seen.filter((e) => e.type === 'usage')).toEqual([{ type: 'usage', promptTokens: 40, completionTokens: 3 }]);
    expect(seen.filter((e) => e.type === 'text').map((e) => (e as { text: string }).text).join('')).toBe('Open at nine.');
  });

  it('throws the SDK APIError with the status for an error answer', async () => {
    answer = (res) => res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"message":"overloaded","type":"server_error"}}');
    const failure = await events().then(
      () => null,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(APIError);
    expect((failure as APIError).status).toBe(503);
  });

  it('throws for an error event after the text began, and for a stream request answered with plain JSON', async () => {
    answer = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(delta({ content: 'Let me ' }));
      res.end(sse({ error: { message: 'context length exceeded', type: 'invalid_request_error' } }));
    };
    const seen: StreamEvent[] = [];
    await expect(
      (async () => {
        for await (const e of client.stream(request, new AbortController().signal)) seen.push(e);
      })(),
    ).rejects.toThrow(/context length exceeded/);
    expect(seen).toEqual([{ type: 'text', text: 'Let me ' }]);

    answer = (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"choices":[]}');
    await expect(events()).rejects.toThrow(/without an event stream/);
  });

  it('answers a plain completion with its usage, estimated when the endpoint reports none', async () => {
    const completion = (usage?: Record<string, number>) =>
      JSON.stringify({ id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'A summary.' }, finish_reason: 'stop' }], ...(usage && { usage }) });
    const summarise = () => client.complete({ model: 'm', temperature: 0, maxTokens: 20, messages: [{ role: 'user', content: 'sum up the call' }] }, new AbortController().signal);
    answer = (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(completion({ prompt_tokens: 31, completion_tokens: 7, total_tokens: 38 }));
    expect(await summarise()).toEqual({ text: 'A summary.', usage: { promptTokens: 31, completionTokens: 7 } });
    answer = (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(completion());
    // ≈ 4 characters a token: "sum up the call" (15) → 4, "A summary." (10) → 3.
    expect(await summarise()).toEqual({ text: 'A summary.', usage: { promptTokens: 4, completionTokens: 3 } });
  });
});
