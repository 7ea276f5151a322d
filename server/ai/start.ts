// What the AI group runs beside its HTTP operations, started once the app is built (app.ts):
// the knowledge-base worker, the ConversationRelay WebSocket, the outbound-call and schedule worker.
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../handler-types.js';
import { startKnowledgeWorker } from './knowledge/runner.js';

export async function startAi(_app: FastifyInstance, _deps: Deps): Promise<void> {
  // knowledge base: server/ai/knowledge
  if (_deps.config.kbProcessIntervalMs > 0) {
    let stopKnowledge: (() => Promise<void>) | null = null;
    _app.addHook('onReady', async () => {
      stopKnowledge = startKnowledgeWorker(_deps.db, _deps.config.kbProcessIntervalMs, { maxPages: _deps.config.kbMaxPages }, _app.log);
    });
    _app.addHook('onClose', async () => {
      await stopKnowledge?.();
    });
  }

  // runtime: server/ai/runtime

  // outbound calls and schedules: server/ai/outbound
}
