// The completion events of calls whose <Dial> outcome never came (completion.ts): a call final for
// COMPLETION_WAIT_SEC with `completion_pending` still set gets its events recorded with what the
// call holds then (Twilio requests a <Dial>'s action within seconds of its end; a lost request must
// not lose the events). Each batch in one transaction, its calls locked SKIP LOCKED and unmarked
// with their events, so that a callback or another instance's sweep records them at most once.
import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'kysely';
import type { Db } from '../../../db/types.js';
import { recordCallEvents } from '../../attribution/calls/call-events.js';
import { drainBatches, startPeriodic } from '../../platform/common/periodic.js';
import { inTransaction } from '../../platform/common/transaction.js';

/** How long a final call waits for a <Dial> outcome before its completion events are recorded without it. */
export const COMPLETION_WAIT_SEC = 120;
const SWEEP_INTERVAL_MS = 30_000;
const SWEEP_BATCH = 50;

/** One batch of overdue completions; returns how many calls had their events recorded. */
export async function recordOverdueCompletions(db: Db, log: FastifyBaseLogger, waitSec: number = COMPLETION_WAIT_SEC): Promise<number> {
  return inTransaction(db, async (trx) => {
    const { rows } = await sql<{ id: number; org_id: string | null; status: string; visitor_session_id: string | null }>`
      UPDATE calls SET completion_pending = false, updated_at = now()
       WHERE id IN (SELECT id FROM calls
                     WHERE completion_pending AND ended_at <= now() - make_interval(secs => ${waitSec})
                     ORDER BY ended_at LIMIT ${SWEEP_BATCH} FOR UPDATE SKIP LOCKED)
      RETURNING id, org_id, status, visitor_session_id::text AS visitor_session_id`.execute(trx);
    for (const call of rows) {
      const target = { orgId: call.org_id, callId: call.id, visitorSessionId: call.visitor_session_id };
      await recordCallEvents(trx, target, call.status === 'completed' ? ['call_completed'] : [], log, { raise: ['call.completed'] });
    }
    return rows.length;
  });
}

export function startCompletionSweep(db: Db, log: FastifyBaseLogger): () => Promise<void> {
  return startPeriodic(
    async (stopping) => {
      const recorded = await drainBatches(() => recordOverdueCompletions(db, log), SWEEP_BATCH, stopping);
      if (recorded > 0) log.info({ calls: recorded }, 'Recorded the completion events of calls whose <Dial> outcome never came');
    },
    SWEEP_INTERVAL_MS,
    (err) => log.warn({ err }, 'Call completion sweep failed'),
  );
}
