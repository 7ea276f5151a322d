// The ceiling of scripts/bench/ai-runtime.ts: the least any ConversationRelay runtime on this
// machine must do between a caller's `prompt` and its first `text` token — a bare WebSocket server
// (the `ws` package, as ours) that sends each prompt to the same scripted model over node:http
// with a keep-alive agent (as our model transport) and forwards every content delta as a `text`
// token. No signature check, no database, no SDK, no history, no tools: what is left of the
// overhead measured against it is the machine (the processes' wake-ups on shared cores), not a
// runtime. Used by the benchmark only.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { RELAY_PATH } from '../../server/ai/runtime/answer.js';

export interface CeilingRelay {
  port: number;
  close(): Promise<void>;
}

const agent = new http.Agent({ keepAlive: true });

/** The content deltas in a block of server-sent events (`data: {...}` lines). */
function contentDeltas(block: string): string[] {
  const tokens: string[] = [];
  for (const line of block.split('\n')) {
    if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
    const chunk = JSON.parse(line.slice(6)) as { choices?: { delta?: { content?: string } }[] };
    const content = chunk.choices?.[0]?.delta?.content;
    if (content) tokens.push(content);
  }
  return tokens;
}

function answer(socket: WebSocket, modelUrl: URL, prompt: string): void {
  const body = JSON.stringify({ model: 'scripted', stream: true, messages: [{ role: 'user', content: prompt }] });
  const request = http.request(modelUrl, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (response) => {
    let pending = '';
    response.setEncoding('utf8');
    response.on('data', (text: string) => {
      pending += text;
      const end = pending.lastIndexOf('\n\n');
      if (end < 0) return;
      for (const token of contentDeltas(pending.slice(0, end))) socket.send(JSON.stringify({ type: 'text', token, last: false }));
      pending = pending.slice(end + 2);
    });
    response.on('end', () => socket.send(JSON.stringify({ type: 'text', token: '', last: true })));
  });
  request.on('error', () => socket.close());
  request.end(body);
}

export async function startCeilingRelay(modelBaseUrl: string): Promise<CeilingRelay> {
  const modelUrl = new URL(`${modelBaseUrl.replace(/\/$/, '')}/chat/completions`);
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ server, path: RELAY_PATH });
  wss.on('connection', (socket) => {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { type?: string; voicePrompt?: string };
      if (message.type === 'prompt') answer(socket, modelUrl, String(message.voicePrompt ?? ''));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
      }),
  };
}
