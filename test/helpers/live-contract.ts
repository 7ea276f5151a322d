// Live events checked against asyncapi.yaml: a client that records every event it receives,
// each validated against its message's payload schema (an event the contract does not name is
// a violation too).
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { io, type Socket } from 'socket.io-client';
import { parse } from 'yaml';

interface AsyncApi {
  components: { messages: Record<string, { name: string; payload: { $ref: string } }>; schemas: Record<string, object> };
}

const doc = parse(readFileSync('asyncapi.yaml', 'utf8')) as AsyncApi;
const ajv = new Ajv2020.default({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema({ $id: 'asyncapi', components: doc.components });
const validators = new Map(
  Object.values(doc.components.messages).map((m) => [m.name, ajv.compile({ $ref: `asyncapi${m.payload.$ref}` })]),
);

/** The contract violations of one event ([] when it conforms). */
export function liveEventViolations(name: string, payload: unknown): string[] {
  const validate = validators.get(name);
  if (!validate) return [`${name}: not an event of asyncapi.yaml`];
  return validate(payload) ? [] : (validate.errors ?? []).map((e) => `${name}${e.instancePath} ${e.message ?? ''}`);
}

export interface RecordedEvent {
  name: string;
  payload: Record<string, unknown>;
}

export interface RecordingClient {
  socket: Socket;
  events: RecordedEvent[];
  violations: string[];
  /** Resolves with the first recorded event matching, waiting up to `timeoutMs`. */
  waitFor(match: (e: RecordedEvent) => boolean, timeoutMs?: number): Promise<RecordedEvent>;
  close(): void;
}

export function recordingClient(url: string, options: Parameters<typeof io>[1] = {}): RecordingClient {
  const socket = io(url, { transports: ['websocket'], reconnection: false, ...options });
  const events: RecordedEvent[] = [];
  const violations: string[] = [];
  socket.onAny((name: string, payload: Record<string, unknown>) => {
    events.push({ name, payload });
    violations.push(...liveEventViolations(name, payload));
  });
  return {
    socket,
    events,
    violations,
    async waitFor(match, timeoutMs = 10_000) {
      const started = Date.now();
      // Each poll looks only at the events that arrived since the last one (a flood of tens of
      // thousands of events must not be rescanned every 20 ms on a loaded machine).
      let checked = 0;
      for (;;) {
        for (; checked < events.length; checked += 1) if (match(events[checked]!)) return events[checked]!;
        if (Date.now() - started > timeoutMs) {
          const last = events.slice(-20).map((e) => e.name).join(', ');
          throw new Error(`no matching event within ${timeoutMs} ms; got ${events.length} events, the last: ${last}`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => socket.close(),
  };
}

export function connected(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.connected) return resolve();
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
}
