// A scripted ConversationRelay client over a real WebSocket, as Twilio connects: the handshake
// signed (X-Twilio-Signature over the wss URL), `setup` with the TwiML's custom parameters, then
// prompts, keys and interrupts; every message the server sends is kept.
import { performance } from 'node:perf_hooks';
import twilio from 'twilio';
import WebSocket from 'ws';
import { RELAY_PATH, relayUrl } from '../../../server/ai/runtime/answer.js';
import { TEST_WEBHOOK_TOKEN, type TestApp } from '../../helpers/test-app.js';

export interface RelayMessage {
  type: string;
  token?: string;
  last?: boolean;
  handoffData?: string;
  /** `play`: the recording's URL. */
  source?: string;
  /** `sendDigits`: the keys. */
  digits?: string;
  /** performance.now() when it arrived. */
  at: number;
}

export interface RelayClient {
  ws: WebSocket;
  messages: RelayMessage[];
  send(message: Record<string, unknown>): void;
  /** Say something; resolves with the answer's text when its `last` token (or an `end`) arrives. */
  prompt(text: string): Promise<{ text: string; sentAt: number; firstAt: number | null; end: RelayMessage | null }>;
  waitFor(predicate: (m: RelayMessage) => boolean, timeoutMs?: number): Promise<RelayMessage>;
  close(): Promise<void>;
}

export function relaySignature(t: Pick<TestApp, 'config'>, token = TEST_WEBHOOK_TOKEN): string {
  return twilio.getExpectedTwilioSignature(token, relayUrl(t.config.publicBaseUrl), {});
}

/** Open the socket (rejects with the HTTP status when the upgrade is refused). */
export async function connectRelay(t: Pick<TestApp, 'url' | 'config'>, signature: string | null = relaySignature(t)): Promise<RelayClient> {
  const ws = new WebSocket(`${t.url.replace(/^http/, 'ws')}${RELAY_PATH}`, { headers: signature === null ? {} : { 'x-twilio-signature': signature } });
  const messages: RelayMessage[] = [];
  const waiters = new Set<{ predicate: (m: RelayMessage) => boolean; from: number; resolve: (m: RelayMessage) => void }>();
  ws.on('message', (data) => {
    const message = { ...(JSON.parse(data.toString()) as Omit<RelayMessage, 'at'>), at: performance.now() };
    messages.push(message);
    for (const w of [...waiters]) {
      if (w.predicate(message)) {
        waiters.delete(w);
        w.resolve(message);
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })));
    ws.once('error', reject);
  });
  const waitFor = (predicate: (m: RelayMessage) => boolean, timeoutMs = 10_000, from = messages.length) =>
    new Promise<RelayMessage>((resolve, reject) => {
      const seen = messages.slice(from).find(predicate);
      if (seen) return resolve(seen);
      const waiter = { predicate, from, resolve: (m: RelayMessage) => (clearTimeout(timer), resolve(m)) };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error('relay: no such message in time'));
      }, timeoutMs);
      waiters.add(waiter);
    });
  const send = (message: Record<string, unknown>) => ws.send(JSON.stringify(message));
  return {
    ws,
    messages,
    send,
    waitFor: (predicate, timeoutMs) => waitFor(predicate, timeoutMs, 0),
    async prompt(text) {
      const from = messages.length;
      const sentAt = performance.now();
      send({ type: 'prompt', voicePrompt: text, lang: 'en-US', last: true });
      const done = await waitFor((m) => (m.type === 'text' && m.last === true) || m.type === 'end', 10_000, from);
      const answer = messages.slice(from, messages.indexOf(done) + 1);
      const first = answer.find((m) => m.type === 'text' && m.token);
      return { text: answer.map((m) => m.token ?? '').join(''), sentAt, firstAt: first?.at ?? null, end: answer.find((m) => m.type === 'end') ?? null };
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close();
      }),
  };
}

export function setupMessage(callSid: string, parameters: Record<string, string>, from = '+13105550123', to = '+12125550100'): Record<string, unknown> {
  return { type: 'setup', sessionId: `VX${callSid.slice(2)}`, accountSid: 'AC00000000000000000000000000000000', callSid, from, to, direction: 'inbound', callType: 'PSTN', callStatus: 'RINGING', customParameters: parameters };
}
