// What the AI group runs beside its HTTP operations, started once the app is built (app.ts):
// the knowledge-base worker, the ConversationRelay WebSocket, the outbound-call and schedule worker.
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../handler-types.js';
import { startAiOutboundWorker } from './outbound/runner.js';
import { startCostSettler } from './analytics/settler.js';
import { startKnowledgeWorker } from './knowledge/runner.js';
import { ensureVectorStore } from './knowledge/vector-store.js';
import { startRelayServer } from './runtime/relay-socket.js';

export async function startAi(app: FastifyInstance, deps: Deps): Promise<void> {
  // knowledge base: server/ai/knowledge — with semantic search configured, its vectors' store
  // first (a database without pgvector refuses to start, saying why)
  if (deps.embedder) await ensureVectorStore(deps.db);
  if (deps.config.kbProcessIntervalMs > 0) {
    let stopKnowledge: (() => Promise<void>) | null = null;
    app.addHook('onReady', async () => {
      stopKnowledge = startKnowledgeWorker(deps.db, deps.config.kbProcessIntervalMs, { maxPages: deps.config.kbMaxPages }, deps.embedder, app.log);
    });
    app.addHook('onClose', async () => {
      await stopKnowledge?.();
    });
  }

  // runtime: server/ai/runtime — the ConversationRelay WebSocket beside the API (and Socket.IO);
  // its sockets close, and their conversations are finished, before the server does.
  const relay = startRelayServer(app, deps);
  app.addHook('preClose', () => relay.close());

  // outbound calls and schedules: server/ai/outbound
  startAiOutboundWorker(app, deps);

  // costs: server/ai/analytics — the settler pricing ended AI calls once (AI_CALL_INTERVAL_MS; 0: off)
  if (deps.config.aiCallIntervalMs > 0) {
    let stopSettler: (() => Promise<void>) | null = null;
    app.addHook('onReady', async () => {
      stopSettler = startCostSettler(deps.db, deps.config.aiRates, deps.config.aiCallIntervalMs, app.log);
    });
    app.addHook('onClose', async () => {
      await stopSettler?.();
    });
  }
}
