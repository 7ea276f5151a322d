// One pass of the AI outbound worker (DESIGN.md 9.4), on the project's one job mechanism (rows
// claimed FOR UPDATE SKIP LOCKED under a lease, as the dialer and the import worker do):
//   1. lapsed claims: a claim that never reached the carrier (no CallSid) is due again; a placed
//      call whose final status never came ends (no_final_status) — never dialled twice: `failed`
//      (retried by policy) if it was never answered, `completed` (never retried) if it was;
//   2. recurring schedules: each due run becomes one call (the schedule row locked and its next
//      run advanced in the same transaction: a run is made exactly once);
//   3. due calls, high priority first then the earliest, checked at dial time: the do-not-call
//      list (failed, `dnc`, never dialled), the agent (active, with a number to call from), the
//      legal calling hours 08:00–21:00 in the call's zone (deferred to the next allowed moment);
//      the others move to `queued` under a lease with the agent's version and caller id;
//   4. after the commit, each is placed through the telephony port and its CallSid stored; a call
//      the carrier refuses ends `failed` and follows the agent's retry policy.
import type { FastifyBaseLogger } from 'fastify';
import { sql, type Kysely } from 'kysely';
import type { AiOutboundCallRow, DB } from '../../../db/types.js';
import { doNotCallAmong } from '../../crm/dnc/queries.js';
import { ALL_WEEKDAYS, type CallingWindow, nextCallableTime } from '../../dialer/schedule/calling-hours.js';
import type { Telephony } from '../../telephony/types.js';
import { callerIdOf } from './agent-checks.js';
import { PLACED_LEASE_SEC } from './answer.js';
import { type FinalOutcome, finishOutboundCall } from './finish.js';
import { nextRunAt } from './next-run.js';
import { recurrenceOf } from './schedule-queries.js';
import type { AiOutboundUrls } from './urls.js';

export interface AiCallWorkerDeps {
  db: Kysely<DB>;
  telephony: Pick<Telephony, 'placeCall' | 'kind'>;
  urls: AiOutboundUrls;
  log?: FastifyBaseLogger | undefined;
  /** The clock (tests move it); leases are the database's. */
  now?: () => Date;
  /** Calls claimed per pass. */
  batch?: number;
}

/** How long a claim may take to reach the carrier before it lapses and the call is due again. */
export const CLAIM_LEASE_SEC = 120;
/** How long the carrier lets an AI call ring (seconds). */
export const RING_TIMEOUT_SEC = 30;
const DEFAULT_BATCH = 20;
const SCHEDULES_PER_PASS = 100;

/** Every day, and the legal window only (calling-hours.ts clamps any window to 08:00–21:00). */
export const AI_CALLING_WINDOW: CallingWindow = { days: ALL_WEEKDAYS, start: '08:00', end: '21:00' };

export interface AiTickResult {
  released: number;
  lost: number;
  materialised: number;
  placed: number;
  deferred: number;
  dnc: number;
  failed: number;
}

async function releaseLapsed(db: Kysely<DB>, now: Date, result: AiTickResult): Promise<void> {
  const released = await db
    .updateTable('ai_outbound_calls')
    .set({ status: 'scheduled', locked_until: null, updated_at: sql<Date>`now()` })
    .where('status', '=', 'queued')
    .where('call_sid', 'is', null)
    .where('locked_until', '<', sql<Date>`now()`)
    .executeTakeFirst();
  result.released += Number(released.numUpdatedRows);
  const lost = await db
    .selectFrom('ai_outbound_calls as o')
    .select('o.id')
    // Answered: the answer webhook ran (in progress, its call record) or the agent spoke (a conversation).
    .select(sql<boolean>`o.status = 'in-progress' OR o.call_id IS NOT NULL OR EXISTS (SELECT 1 FROM ai_conversations v WHERE v.outbound_call_id = o.id)`.as('answered'))
    .where('o.status', 'in', ['queued', 'in-progress'])
    .where('o.call_sid', 'is not', null)
    .where('o.locked_until', '<', sql<Date>`now()`)
    .limit(200)
    .execute();
  for (const { id, answered } of lost) {
    // Someone the agent already spoke to is not called again: an answered call ends completed (its
    // length unknown); only a call never answered fails and follows the retry policy.
    const final: FinalOutcome = answered
      ? { status: 'completed', durationSec: null }
      : { status: 'failed', durationSec: 0, failureReason: 'no_final_status' };
    const done = await finishOutboundCall(db, id, final, now);
    if (done.finished) result.lost += 1;
  }
}

async function materialiseSchedules(db: Kysely<DB>, now: Date, result: AiTickResult): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const due = await trx
      .selectFrom('ai_schedules')
      .select(['id', 'org_id', 'agent_id', 'to_phone', 'context', 'pattern', 'time_of_day', 'timezone', 'days_of_week', 'day_of_month', 'business_hours_only', 'priority', 'next_run_at', 'created_by_user_id'])
      .select([sql<string>`start_date::text`.as('start_date'), sql<string | null>`end_date::text`.as('end_date')])
      .where('is_active', '=', true)
      .where('next_run_at', '<=', now)
      .orderBy('next_run_at')
      .limit(SCHEDULES_PER_PASS)
      .forUpdate()
      .skipLocked()
      .execute();
    for (const schedule of due) {
      const run = schedule.next_run_at!;
      await trx
        .insertInto('ai_outbound_calls')
        .values({
          org_id: schedule.org_id,
          agent_id: schedule.agent_id,
          to_phone: schedule.to_phone,
          context: schedule.context,
          scheduled_for: run,
          timezone: schedule.timezone,
          priority: schedule.priority,
          schedule_id: schedule.id,
          created_by_user_id: schedule.created_by_user_id,
        })
        .execute();
      // Runs missed while the server was off are not made up one by one: the next is after now.
      const next = nextRunAt(recurrenceOf(schedule), new Date(Math.max(run.getTime(), now.getTime())));
      await trx
        .updateTable('ai_schedules')
        .set({ next_run_at: next, last_run_at: run, updated_at: sql<Date>`now()` })
        .where('id', '=', schedule.id)
        .execute();
      result.materialised += 1;
    }
  });
}

interface Claimed {
  call: AiOutboundCallRow;
  from: string;
}

const PRIORITY_RANK = sql<number>`CASE priority WHEN 'high' THEN 0 WHEN 'normal' THEN 1 ELSE 2 END`;

async function claimDue(deps: AiCallWorkerDeps, now: Date, result: AiTickResult): Promise<Claimed[]> {
  return deps.db.transaction().execute(async (trx) => {
    const due = await trx
      .selectFrom('ai_outbound_calls')
      .selectAll()
      .where('status', '=', 'scheduled')
      .where('call_sid', 'is', null)
      .where('scheduled_for', '<=', now)
      .orderBy(PRIORITY_RANK)
      .orderBy('scheduled_for')
      .orderBy('id')
      .limit(deps.batch ?? DEFAULT_BATCH)
      .forUpdate()
      .skipLocked()
      .execute();
    const dncByOrg = new Map<string, Set<string>>();
    for (const orgId of new Set(due.map((c) => c.org_id))) {
      dncByOrg.set(orgId, await doNotCallAmong(trx, orgId, due.filter((c) => c.org_id === orgId).map((c) => c.to_phone)));
    }
    const fail = async (call: AiOutboundCallRow, reason: string, counted: 'failed' | 'dnc' = 'failed') => {
      await trx
        .updateTable('ai_outbound_calls')
        .set({ status: 'failed', failure_reason: reason, ended_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
        .where('id', '=', call.id)
        .execute();
      result[counted] += 1;
    };
    const claimed: Claimed[] = [];
    for (const call of due) {
      if (dncByOrg.get(call.org_id)?.has(call.to_phone)) {
        await fail(call, 'dnc', 'dnc');
        continue;
      }
      const agent = await trx
        .selectFrom('ai_agents')
        .select(['version'])
        .where('id', '=', call.agent_id)
        .where('org_id', '=', call.org_id)
        .where('archived_at', 'is', null)
        .where('is_active', '=', true)
        .executeTakeFirst();
      if (!agent) {
        await fail(call, 'agent_unavailable');
        continue;
      }
      const callable = nextCallableTime(now, call.timezone, AI_CALLING_WINDOW);
      if (callable === null) {
        await fail(call, 'outside_calling_hours');
        continue;
      }
      if (callable.getTime() !== now.getTime()) {
        await trx.updateTable('ai_outbound_calls').set({ scheduled_for: callable, updated_at: sql<Date>`now()` }).where('id', '=', call.id).execute();
        result.deferred += 1;
        continue;
      }
      const from = await callerIdOf(trx, call.org_id, call.agent_id);
      if (!from) {
        await fail(call, 'no_caller_id');
        continue;
      }
      const row = await trx
        .updateTable('ai_outbound_calls')
        .set({
          status: 'queued',
          agent_version: agent.version,
          metadata: JSON.stringify({ ...call.metadata, callerId: from }),
          locked_until: sql<Date>`now() + make_interval(secs => ${CLAIM_LEASE_SEC})`,
          updated_at: sql<Date>`now()`,
        })
        .where('id', '=', call.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      claimed.push({ call: row, from });
    }
    return claimed;
  });
}

/** Place one claimed call; its CallSid is stored at once. A refusal ends it `failed` (retried by policy). */
export async function placeClaimedCall(deps: AiCallWorkerDeps, { call, from }: Claimed): Promise<boolean> {
  // Canceled since it was claimed: not placed.
  const current = await deps.db.selectFrom('ai_outbound_calls').select(['status', 'call_sid']).where('id', '=', call.id).executeTakeFirst();
  if (current?.status !== 'queued' || current.call_sid !== null) return false;
  let callSid: string;
  try {
    ({ callSid } = await deps.telephony.placeCall({
      to: call.to_phone,
      from,
      answerUrl: deps.urls.answer(call.id),
      statusCallbackUrl: deps.urls.status(call.id),
      timeoutSeconds: RING_TIMEOUT_SEC,
    }));
  } catch (err) {
    deps.log?.warn({ err, outboundCallId: call.id }, 'AI outbound call refused by the carrier');
    await finishOutboundCall(deps.db, call.id, { status: 'failed', durationSec: 0, failureReason: 'carrier_refused' }, deps.now?.() ?? new Date());
    return false;
  }
  // Stored whatever became of the claim meanwhile (its lease lapsed and it was given back, or it
  // was canceled): a call the carrier has is never placed again. It is placed from now on: an AI
  // call in the analytics (counted at started_at), answered or not.
  await deps.db
    .updateTable('ai_outbound_calls')
    .set({
      call_sid: sql<string>`coalesce(call_sid, ${callSid})`,
      started_at: sql<Date>`coalesce(started_at, now())`,
      status: sql`CASE WHEN status = 'scheduled' THEN 'queued' ELSE status END`,
      locked_until: sql<Date>`now() + make_interval(secs => ${PLACED_LEASE_SEC})`,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', call.id)
    .where('status', 'in', ['scheduled', 'queued', 'in-progress', 'canceled'])
    .where((eb) => eb.or([eb('call_sid', 'is', null), eb('call_sid', '=', callSid)]))
    .execute();
  return true;
}

/** One pass: lapsed claims, due schedule runs, due calls claimed and placed. */
export async function runAiCallTick(deps: AiCallWorkerDeps): Promise<AiTickResult> {
  const now = deps.now?.() ?? new Date();
  const result: AiTickResult = { released: 0, lost: 0, materialised: 0, placed: 0, deferred: 0, dnc: 0, failed: 0 };
  await releaseLapsed(deps.db, now, result);
  await materialiseSchedules(deps.db, now, result);
  const claimed = await claimDue(deps, now, result);
  const placed = await Promise.all(claimed.map((c) => placeClaimedCall(deps, c)));
  result.placed += placed.filter(Boolean).length;
  return result;
}
