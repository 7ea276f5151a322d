// What the AI group runs beside its HTTP operations, started once the app is built (app.ts):
// the knowledge-base worker, the ConversationRelay WebSocket, the outbound-call and schedule worker.
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../handler-types.js';
import { startCostSettler } from './analytics/settler.js';
import { startRelayServer } from './runtime/relay-socket.js';

export async function startAi(app: FastifyInstance, deps: Deps): Promise<void> {
  // knowledge base: server/ai/knowledge

  // runtime: server/ai/runtime — the ConversationRelay WebSocket beside the API (and Socket.IO);
  // its sockets close, and their conversations are finished, before the server does.
  const relay = startRelayServer(app, deps);
  app.addHook('preClose', () => relay.close());

  // outbound calls and schedules: server/ai/outbound

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
