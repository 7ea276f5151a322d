// What a conversation session runs with (types only): the runtime's context (database, timeout,
// model client, log) and who and what the conversation is.
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../../../db/types.js';
import type { Config } from '../../platform/config.js';
import type { AgentVersion } from '../agents/settings.js';
import type { Embedder } from '../knowledge/embedder.js';
import type { ModelClient } from './model-client.js';

export interface SessionContext {
  db: Db;
  config: Pick<Config, 'aiResponseTimeoutMs'>;
  model: ModelClient | null;
  /** Semantic knowledge-base search (AI_EMBEDDINGS_MODEL), or null: the search tool and the local mode use it. */
  embedder: Embedder | null;
  log: FastifyBaseLogger;
}

export interface SessionInfo {
  conversationId: string;
  orgId: string;
  version: AgentVersion;
  channel: 'voice' | 'text';
  mode: 'model' | 'local';
  personPhone: string | null;
  /** The person's IANA time zone when known (an outbound call's `timezone`): a callback is placed in its calling hours. */
  personTimeZone?: string | null;
  outboundContext: string | null;
  outbound: boolean;
}
