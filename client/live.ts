// Live events in the SDK: a typed Socket.IO connection (payload types generated from
// asyncapi.yaml into events.d.ts) and a typed subscribe helper.
//
//   import { connectEvents, subscribe } from '@callcenter-pro/client';
//   const socket = connectEvents('https://calls.example.com', { token: process.env.CCP_KEY });
//   const stop = subscribe(socket, 'call_started', (event) => console.log(event.callId, event.phone));
//
// `token` is an API key or a token from POST /api/events/token (browsers). The connection names
// the last event it received on each reconnect (`auth.lastEventId`), so the server replays what
// was missed or sends `resync`.
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type { Ack, ClientMessages, ServerEvents } from './events.js';

export type { Ack, ClientMessages, ServerEvents };

type ServerHandlers = { [K in keyof ServerEvents]: (payload: ServerEvents[K]) => void };
type ClientEmitters = { [K in keyof ClientMessages]: (payload: ClientMessages[K], ack: (answer: Ack) => void) => void };

/** A Socket.IO connection to the live events, typed by asyncapi.yaml. */
export type LiveEventsSocket = Socket<ServerHandlers, ClientEmitters>;

export interface ConnectEventsOptions extends Partial<ManagerOptions & SocketOptions> {
  /** An API key, or a token from POST /api/events/token. Without it the session cookie is used (same-origin browsers). */
  token?: string;
}

export function connectEvents(baseUrl: string, options: ConnectEventsOptions = {}): LiveEventsSocket {
  const { token, ...rest } = options;
  let lastEventId: string | undefined;
  const socket: LiveEventsSocket = io(baseUrl, {
    path: '/socket.io/',
    ...rest,
    auth: (cb) => cb({ ...(token ? { token } : {}), ...(lastEventId ? { lastEventId } : {}) }),
  });
  socket.onAny((_name: string, payload: { eventId?: unknown } | undefined) => {
    if (typeof payload?.eventId === 'string') lastEventId = payload.eventId;
  });
  return socket;
}

/** Calls `handler` for each `name` event until the returned function is called. */
export function subscribe<K extends keyof ServerEvents>(socket: LiveEventsSocket, name: K, handler: (payload: ServerEvents[K]) => void): () => void {
  const listener = handler as ServerHandlers[K];
  socket.on(name, listener as never);
  return () => {
    socket.off(name, listener as never);
  };
}
