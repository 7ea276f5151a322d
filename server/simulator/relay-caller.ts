// The simulated carrier's part of <Connect><ConversationRelay> (a labelled simulator feature):
// like Twilio it opens the WebSocket named by the TwiML — on this server's own listening address,
// the handshake signed over the URL as written (X-Twilio-Signature) — sends `setup` with the
// TwiML's <Parameter>s, then plays a scripted caller: each utterance of the script as a final
// `prompt`, waiting for the agent's answer (its `last` text token) before the next, until the
// script ends (the caller hangs up: the socket closes) or the agent sends `end` (its handoffData
// is kept for the action URL). Nothing is spoken: tokens are only read.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import WebSocket from 'ws';
import type { RelayCall, RelayPlay } from './carrier.js';
import { SIMULATOR_ACCOUNT_SID } from './carrier.js';

/** What the simulated caller says, one utterance per turn. */
export const SIMULATED_CALLER_SCRIPT: readonly string[] = ['Hello, what are your opening hours?', 'Thank you, that is all. Goodbye.'];
/** How long the caller waits for an answer before going on (real time). */
const ANSWER_WAIT_MS = 30_000;

export interface RelayCallerOptions {
  /** The HTTP server our WebSocket listens on (the app's own). */
  server: Server;
  token: string;
  script?: readonly string[];
}

/** The simulator's ConversationRelay: plays `script` against our WebSocket and reports how the session ended. */
export function relayCaller(options: RelayCallerOptions): (call: RelayCall) => Promise<RelayPlay> {
  const script = options.script ?? SIMULATED_CALLER_SCRIPT;
  return async (call) => {
    const started = Date.now();
    const address = options.server.address() as AddressInfo | string | null;
    let target: URL;
    try {
      target = new URL(call.url);
    } catch {
      return { status: 'failed', handoffData: null, durationSec: 0, lines: [`(not a WebSocket URL: ${call.url})`] };
    }
    if (address === null || typeof address === 'string') return { status: 'failed', handoffData: null, durationSec: 0, lines: ['(the server is not listening)'] };
    const host = address.family === 'IPv6' ? `[${address.address === '::' ? '::1' : address.address}]` : address.address === '0.0.0.0' ? '127.0.0.1' : address.address;
    const signature = twilio.getExpectedTwilioSignature(options.token, call.url, {});
    const ws = new WebSocket(`ws://${host}:${address.port}${target.pathname}${target.search}`, { headers: { 'x-twilio-signature': signature, 'user-agent': 'TwilioProxy/1.1 (CallCenter Pro simulator)' } });
    const lines: string[] = [];
    let handoffData: string | null = null;
    let ended = false;
    let answer = '';
    let answered: (() => void) | null = null;
    ws.on('message', (data) => {
      let m: { type?: string; token?: string; last?: boolean; handoffData?: string };
      try {
        m = JSON.parse(data.toString()) as typeof m;
      } catch {
        return;
      }
      if (m.type === 'text') {
        answer += m.token ?? '';
        if (m.last) {
          lines.push(`agent: ${answer}`);
          answer = '';
          answered?.();
        }
      } else if (m.type === 'end') {
        if (answer) lines.push(`agent: ${answer}`);
        handoffData = m.handoffData ?? null;
        ended = true;
        answered?.();
      }
    });
    const opened = await new Promise<boolean>((resolve) => {
      ws.once('open', () => resolve(true));
      ws.once('error', () => resolve(false));
      ws.once('unexpected-response', () => resolve(false));
    });
    if (!opened) return { status: 'failed', handoffData: null, durationSec: 0, lines: ['(the WebSocket refused the connection)'] };
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    if (call.welcomeGreeting) lines.push(`agent: ${call.welcomeGreeting}`);
    ws.send(
      JSON.stringify({
        type: 'setup',
        sessionId: `VX${call.callSid.slice(2)}`,
        accountSid: SIMULATOR_ACCOUNT_SID,
        callSid: call.callSid,
        from: call.from,
        to: call.to,
        direction: call.direction,
        callType: 'PSTN',
        callStatus: 'IN-PROGRESS',
        customParameters: call.parameters,
      }),
    );
    for (const utterance of script) {
      if (ended || ws.readyState !== WebSocket.OPEN) break;
      lines.push(`caller: ${utterance}`);
      const reply = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ANSWER_WAIT_MS);
        answered = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      ws.send(JSON.stringify({ type: 'prompt', voicePrompt: utterance, lang: 'en-US', last: true }));
      await Promise.race([reply, closed]);
      answered = null;
    }
    ws.close();
    await closed;
    return { status: 'completed', handoffData, durationSec: Math.max(1, Math.round((Date.now() - started) / 1000)), lines };
  };
}
