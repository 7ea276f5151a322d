// The ConversationRelay WebSocket (RELAY_PATH) on the API's own HTTP server, beside Socket.IO:
// `ws` in noServer mode takes the upgrade requests for this path only (and answers them at once,
// so engine.io's destroyUpgrade timer — which ends upgrades of other paths that were not
// answered — never touches them). The handshake's X-Twilio-Signature is checked over the wss URL
// (PUBLIC_BASE_URL as ws(s)://, path and query) with the webhook token; a missing or forged one is
// refused with 403 before any WebSocket exists. Each socket runs one conversation: `setup` opens
// it, `prompt` / `dtmf` are answered in order, `interrupt` cuts the answer being spoken, and when
// the socket closes the conversation is finished (summary, outcome) in the background. The socket
// holds its conversation until then (voice-hold.ts): a second socket for the call is refused.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Deps } from '../../handler-types.js';
import { isValidTwilioSignature } from '../../platform/http/twilio-signature.js';
import { RELAY_PATH } from './answer.js';
import { endMessage, MAX_RELAY_MESSAGE_BYTES, playMessage, readRelayMessage, type RelayOutbound, sendDigitsMessage, textToken } from './relay-protocol.js';
import { aiRuntime, openVoiceSession } from './runtime.js';
import type { ConversationSession, TurnSink } from './session.js';
import { keepVoiceHold, VOICE_HOLD_SEC, type VoiceHold } from './voice-hold.js';

/** Keys pressed within this long of each other are one entry (`#` ends it at once). */
export const DTMF_ENTRY_GAP_MS = 1500;
const SORRY_UNAVAILABLE = 'Sorry, this line cannot take your call right now. Goodbye.';

export interface RelayServer {
  /** Open sockets. */
  size(): number;
  close(): Promise<void>;
}

function refuse(socket: Duplex, status: 400 | 403, message: string): void {
  const body = JSON.stringify({ error: status === 403 ? 'Invalid Twilio signature' : 'Bad request', code: status === 403 ? 'FORBIDDEN' : 'VALIDATION_ERROR', details: message });
  socket.end(
    `HTTP/1.1 ${status} ${status === 403 ? 'Forbidden' : 'Bad Request'}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

export function startRelayServer(app: FastifyInstance, deps: Deps): RelayServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_RELAY_MESSAGE_BYTES });
  const runtime = aiRuntime(deps);
  const wsBase = deps.config.publicBaseUrl.replace(/\/+$/, '').replace(/^http/, 'ws');
  const finishing = new Set<Promise<void>>();

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = req.url ?? '';
    const path = url.split('?')[0];
    if (path !== RELAY_PATH) return; // Socket.IO's, or nobody's
    if (!isValidTwilioSignature(deps.webhookToken, req.headers['x-twilio-signature'], wsBase, url, {})) {
      app.log.warn({ url: path }, 'ConversationRelay handshake refused: bad or missing X-Twilio-Signature');
      refuse(socket, 403, req.headers['x-twilio-signature'] === undefined ? 'X-Twilio-Signature is required' : 'X-Twilio-Signature does not match');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  };
  app.server.on('upgrade', onUpgrade);

  function onConnection(ws: WebSocket): void {
    const log = app.log.child({ relay: true });
    const send = (message: RelayOutbound) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    const sink: TurnSink = {
      text: (token, last) => send(textToken(token, last)),
      end: (handoff) => send(endMessage(handoff)),
      act: (action) => send(action.kind === 'play' ? playMessage(action.source) : sendDigitsMessage(action.digits)),
    };
    let session: ConversationSession | null = null;
    /** The conversation's hold, kept until it is finished. */
    let hold: VoiceHold | null = null;
    let opening: Promise<ConversationSession | null> | null = null;
    /** Prompts and key entries are answered one after another. */
    let queue: Promise<unknown> = Promise.resolve();
    let digits = '';
    let digitTimer: NodeJS.Timeout | null = null;
    let closed = false;

    const answer = (text: string, kind: 'speech' | 'dtmf', receivedAt: number) => {
      queue = queue.then(async () => {
        const s = await opening;
        if (!s || s.ended || closed) return;
        await s.respond({ text, kind, receivedAt }, sink);
      }).catch((err: unknown) => log.warn({ err }, 'ConversationRelay turn failed'));
    };
    const flushDigits = () => {
      if (digitTimer) clearTimeout(digitTimer);
      digitTimer = null;
      if (!digits) return;
      const entry = digits;
      digits = '';
      answer(`(The caller pressed the keys: ${entry.split('').join(' ')})`, 'dtmf', performance.now());
    };

    ws.on('message', (data, isBinary) => {
      const receivedAt = performance.now();
      if (isBinary) return;
      const message = readRelayMessage(data.toString());
      switch (message.type) {
        case 'setup':
          if (opening) return;
          opening = openVoiceSession(runtime, log, message).then(
            (opened) => {
              if (!opened.ok) {
                log.warn({ reason: opened.reason, callSid: message.callSid }, 'ConversationRelay session refused');
                send(textToken(SORRY_UNAVAILABLE, true));
                send(endMessage({ reason: 'error' }));
                return null;
              }
              session = opened.session;
              hold = keepVoiceHold(deps.db, opened.session.info.orgId, opened.session.info.conversationId, VOICE_HOLD_SEC, (err) => log.warn({ err }, 'ai conversation hold not renewed'));
              return opened.session;
            },
            (err: unknown) => {
              log.error({ err }, 'ConversationRelay session could not open');
              send(endMessage({ reason: 'error' }));
              return null;
            },
          );
          return;
        case 'prompt':
          if (message.last) answer(message.voicePrompt, 'speech', receivedAt);
          return;
        case 'dtmf':
          digits += message.digit;
          if (message.digit === '#') flushDigits();
          else {
            if (digitTimer) clearTimeout(digitTimer);
            digitTimer = setTimeout(flushDigits, DTMF_ENTRY_GAP_MS);
          }
          return;
        case 'interrupt':
          session?.interrupt(message.utteranceUntilInterrupt);
          return;
        case 'error':
          log.warn({ description: message.description.slice(0, 500) }, 'ConversationRelay reported an error');
          return;
        default:
          log.debug({ reason: message.reason }, 'ConversationRelay message ignored');
      }
    });
    ws.on('error', (err) => log.warn({ err }, 'ConversationRelay socket error'));
    ws.on('close', () => {
      closed = true;
      if (digitTimer) clearTimeout(digitTimer);
      const done = (async () => {
        const s = await opening;
        if (!s) return;
        // The caller is gone: the answer in progress stops; nothing more is said.
        s.hangUp();
        await queue;
        await s.finish('caller_hung_up');
      })()
        .catch((err: unknown) => log.warn({ err }, 'ConversationRelay conversation could not be finished'))
        .finally(async () => {
          await hold?.stop();
          finishing.delete(done);
        });
      finishing.add(done);
    });
  }

  return {
    size: () => wss.clients.size,
    async close() {
      app.server.off('upgrade', onUpgrade);
      for (const ws of wss.clients) ws.terminate();
      await Promise.allSettled([...finishing]);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
