// The live events as Server-Sent Events (GET /api/events) for clients without Socket.IO: the
// connection's rooms as for Socket.IO, `Last-Event-ID` replayed from the instance's recent events
// (else `resync`), a comment line every 15 s, a client that does not read (1 MiB waiting)
// disconnected at once (its queue discarded), a stream whose caller could no longer connect ended
// (connections.ts), and none opened for a client that left while its request was authenticated.
// The response is hijacked from Fastify: it never ends by itself.
import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LiveConnection, LiveConnections } from './connections.js';
import type { LiveHub } from './hub.js';
import type { StoredEvent } from './recent-events.js';
import { setRateLimitHeaders } from '../platform/http/rate-limit/hook.js';

export const SSE_HEARTBEAT_MS = 15_000;
export const SSE_MAX_BUFFERED_BYTES = 1024 * 1024;
const RETRY_MS = 2000;

function frame(event: Pick<StoredEvent, 'id' | 'name' | 'payload'>): string {
  return `id: ${event.id}\nevent: ${event.name}\ndata: ${JSON.stringify(event.payload)}\n\n`;
}

export interface SseStreams {
  /**
   * `caller`: who opened the stream, tracked so that a stream whose caller could no longer connect
   * is ended. Returns what ends the stream (nothing when none was opened).
   */
  open(req: FastifyRequest, reply: FastifyReply, rooms: string[], lastEventId: string | undefined, caller: Omit<LiveConnection, 'close'>): () => void;
  /** Ends every open stream (the server is closing). */
  closeAll(): void;
}

export function createSseStreams(hub: LiveHub, connections: LiveConnections): SseStreams {
  const open = new Set<() => void>();
  return {
    open(req, reply, rooms, lastEventId, caller) {
      reply.hijack();
      const raw = reply.raw;
      // The client may have left while the request was authenticated: its 'close' has been
      // emitted already and will not be again, so a stream opened now would never end.
      if (raw.destroyed || req.raw.destroyed) {
        raw.destroy();
        return () => {};
      }
      // Hijacked, the answer skips Fastify's sending and its onSend hooks: the headers of every
      // response (version, request id, rate limit) are written here, or they would be lost.
      setRateLimitHeaders(req, reply);
      raw.writeHead(200, {
        ...(reply.getHeaders() as OutgoingHttpHeaders),
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
        'X-Request-Id': req.id,
      });
      // HEAD (Fastify answers it for every GET): the headers only; a stream would never end.
      if (req.method === 'HEAD') {
        raw.end();
        return () => {};
      }
      raw.write(`retry: ${RETRY_MS}\n\n`);
      const roomSet = new Set(rooms);
      let closed = false;
      let unsubscribe = (): void => {};
      let untrack = (): void => {};
      let heartbeat: NodeJS.Timeout | undefined;
      /** `drop`: close the connection at once, discarding what waits (a client that does not read would never take it). */
      const end = (drop = false) => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        unsubscribe();
        untrack();
        open.delete(end);
        if (drop) raw.destroy();
        else raw.end();
      };
      const write = (text: string) => {
        if (closed) return;
        if (raw.writableLength > SSE_MAX_BUFFERED_BYTES) {
          req.log.warn({ buffered: raw.writableLength }, 'SSE client too slow: disconnected');
          end(true);
          return;
        }
        raw.write(text);
      };
      if (lastEventId !== undefined) {
        const missed = hub.recent.after(lastEventId, roomSet, Date.now());
        if (missed === null) write(`event: resync\ndata: ${JSON.stringify({ reason: 'events_expired', occurredAt: new Date().toISOString() })}\n\n`);
        else for (const event of missed) write(frame(event));
      }
      if (closed) return () => {};
      unsubscribe = hub.subscribe({ rooms: roomSet, send: (event) => write(frame(event)) });
      heartbeat = setInterval(() => write(': ping\n\n'), SSE_HEARTBEAT_MS);
      heartbeat.unref();
      open.add(end);
      const remove = connections.add({ ...caller, close: () => end() });
      untrack = () => void remove();
      raw.on('close', () => end());
      raw.on('error', () => end());
      return () => end();
    },
    closeAll() {
      for (const end of [...open]) end();
    },
  };
}
