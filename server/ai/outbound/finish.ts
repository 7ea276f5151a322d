// The end of an AI outbound call's attempt, applied once (the first final status wins; a repeated
// or late callback changes nothing): its status, why it failed, duration, its call record; and,
// for an unanswered, busy or failed attempt, the retry by the agent's retry policy — a NEW row
// (attempt + 1, the first attempt's id as original_call_id) due after the policy's backoff delay
// (the dialer's model: server/dialer/loop/outcome.ts on server/dialer/schedule/retry-policy.ts).
import { sql, type Kysely } from 'kysely';
import type { AiOutboundCallRow, AiOutboundCallStatus, DB, Db } from '../../../db/types.js';
import { dispositionOf, leadAfterCall } from '../../dialer/loop/outcome.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../dialer/schedule/retry-policy.js';
import { agentVersion, currentAgentVersion } from '../agents/versions.js';
import { insertRetry } from './call-queries.js';

export type FinalOutboundStatus = 'completed' | 'busy' | 'no-answer' | 'failed' | 'canceled';

export const FINAL_STATUSES: ReadonlySet<AiOutboundCallStatus> = new Set<AiOutboundCallStatus>(['completed', 'busy', 'no-answer', 'failed', 'canceled']);

export interface FinalOutcome {
  status: FinalOutboundStatus;
  /** Seconds; null when unknown (an answered call whose final status never came). */
  durationSec: number | null;
  /** Why it failed when the carrier's status does not say it (e.g. carrier_refused). */
  failureReason?: string;
}

/** The failureReason of a final status (pure). */
export function failureReasonOf(status: FinalOutboundStatus): string | null {
  if (status === 'busy') return 'busy';
  if (status === 'no-answer') return 'no_answer';
  if (status === 'failed') return 'failed';
  if (status === 'canceled') return 'canceled';
  return null;
}

/**
 * When the attempt after this one is due, or null (pure): only unanswered, busy and failed
 * attempts are retried, while the policy's attempts for that outcome last.
 */
export function retryAt(policy: RetryPolicy, status: FinalOutboundStatus, attempt: number, now: Date): Date | null {
  if (status !== 'busy' && status !== 'no-answer' && status !== 'failed') return null;
  return leadAfterCall(policy, dispositionOf(status, null, null), attempt, now).nextCallAt;
}

/** The retry policy of the version the call ran (else the agent's current one, else the default). */
export async function retryPolicyOf(db: Db, call: Pick<AiOutboundCallRow, 'org_id' | 'agent_id' | 'agent_version'>): Promise<RetryPolicy> {
  const version =
    (call.agent_version !== null ? await agentVersion(db, call.org_id, call.agent_id, call.agent_version) : undefined) ??
    (await currentAgentVersion(db, call.org_id, call.agent_id));
  return version?.settings.retryPolicy ?? DEFAULT_RETRY_POLICY;
}

export interface Finished {
  finished: boolean;
  retry?: AiOutboundCallRow | undefined;
}

export async function finishOutboundCall(db: Kysely<DB>, id: string, final: FinalOutcome, now: Date): Promise<Finished> {
  return db.transaction().execute(async (trx) => {
    const call = await trx.selectFrom('ai_outbound_calls').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!call || FINAL_STATUSES.has(call.status)) return { finished: false };
    const durationSec = final.durationSec === null ? null : Math.max(0, Math.round(final.durationSec));
    await trx
      .updateTable('ai_outbound_calls')
      .set({
        status: final.status,
        failure_reason: final.failureReason ?? failureReasonOf(final.status),
        duration_sec: durationSec,
        ended_at: sql<Date>`now()`,
        locked_until: null,
        updated_at: sql<Date>`now()`,
      })
      .where('id', '=', id)
      .execute();
    if (call.call_id !== null) {
      await trx
        .updateTable('calls')
        .set({ status: final.status, status_rank: 4, duration_sec: durationSec, ended_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
        .where('id', '=', call.call_id)
        .where('status_rank', '<', 4)
        .execute();
    }
    const at = retryAt(await retryPolicyOf(trx, call), final.status, call.attempt, now);
    const retry = at ? await insertRetry(trx, call, at, null) : undefined;
    return { finished: true, retry };
  });
}
