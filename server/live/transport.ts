// How live events cross instances (DESIGN.md 9.3): Socket.IO's own adapters, chosen by
// configuration — the Redis streams adapter when REDIS_URL is set (it keeps connection-state
// recovery across instances), else the PostgreSQL adapter (LISTEN/NOTIFY) on a PostgreSQL server,
// else (the embedded database: one process) Socket.IO's in-memory adapter.
// The adapters are loaded only when configured (a start on the embedded database loads neither).
import type { ServerOptions } from 'socket.io';

export interface LiveTransport {
  kind: 'memory' | 'postgres' | 'redis';
  /** Socket.IO's `adapter` option; undefined: the in-memory adapter. */
  adapter: ServerOptions['adapter'] | undefined;
  /** Can Socket.IO's connection-state recovery replay missed packets with this adapter? */
  recovery: boolean;
  /** Do other instances exist to tell (serverSideEmit)? */
  clustered: boolean;
  /**
   * true: one message per event between instances — each hub emits to its own sockets what any
   * hub relays (for an adapter without recovery, whose broadcasts would be a second message);
   * false: sockets get events through the adapter's broadcast (which its recovery records).
   */
  relayOnly: boolean;
  close(): Promise<void>;
}

export function memoryTransport(): LiveTransport {
  return { kind: 'memory', adapter: undefined, recovery: true, clustered: false, relayOnly: false, close: async () => {} };
}

export interface PostgresTransportOptions {
  connectionString: string;
  /** The schema the app's tables are in (tests isolate by schema); default the URL's. */
  searchPath?: string;
  /** NOTIFY channels are per database: instances sharing one must share the prefix, others must not. */
  channelPrefix: string;
}

export async function postgresTransport(options: PostgresTransportOptions): Promise<LiveTransport> {
  const [{ default: pg }, { createAdapter: createPostgresAdapter }] = await Promise.all([import('pg'), import('@socket.io/postgres-adapter')]);
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: 3,
    ...(options.searchPath ? { options: `-c search_path=${options.searchPath},public` } : {}),
  });
  pool.on('error', () => {
    // An idle connection dropped: the adapter reconnects its listener on the next use.
  });
  return {
    kind: 'postgres',
    adapter: createPostgresAdapter(pool, { channelPrefix: options.channelPrefix, tableName: 'socket_io_attachments', heartbeatInterval: 5000, heartbeatTimeout: 10_000 }) as ServerOptions['adapter'],
    recovery: false,
    clustered: true,
    relayOnly: true,
    close: () => pool.end(),
  };
}

export interface RedisTransportOptions {
  url: string;
  /** The stream instances share (one per deployment). */
  streamName: string;
}

export async function redisTransport(options: RedisTransportOptions): Promise<LiveTransport> {
  const [{ Redis }, { createAdapter: createRedisStreamsAdapter }] = await Promise.all([import('ioredis'), import('@socket.io/redis-streams-adapter')]);
  const client = new Redis(options.url, { maxRetriesPerRequest: null, lazyConnect: false });
  return {
    kind: 'redis',
    adapter: createRedisStreamsAdapter(client, { streamName: options.streamName, maxLen: 10_000 }) as ServerOptions['adapter'],
    recovery: true,
    clustered: true,
    relayOnly: false,
    close: async () => {
      client.disconnect();
    },
  };
}

/** The transport configuration asks for: Redis streams with REDIS_URL, else PostgreSQL with DATABASE_URL, else in memory. */
export async function transportFromConfig(config: { redisUrl: string | undefined; databaseUrl: string | undefined }): Promise<LiveTransport> {
  if (config.redisUrl) return redisTransport({ url: config.redisUrl, streamName: 'ccp:live' });
  if (config.databaseUrl) return postgresTransport({ connectionString: config.databaseUrl, channelPrefix: 'ccp_live' });
  return memoryTransport();
}
