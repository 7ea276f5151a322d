// server/ai/outbound (issue 20, DESIGN.md 9.4, seed 004 /calls/outbound, /scheduling/*, /retry/*):
// AI outbound calls (create, list, read with the transcript, cancel before they start), pending
// retries and the manual retry, recurring schedules and the queue's statistics, the carrier's
// answer and status webhooks of the calls the worker places (worker.ts), and the CSV import of
// calls (import-handlers.ts). Scoped by organisation
// (another organisation's call or schedule is a 404); managers and above (x-min-role).
import type { Deps, HandlerGroup } from '../../handler-types.js';
import { instantOf } from '../../platform/common/dates.js';
import { parseUuid } from '../../platform/common/ids.js';
import { isoWeekdayNumber } from '../../platform/common/weekdays.js';
import { ERRORS } from '../../platform/errors.js';
import { transcriptOf } from '../runtime/transcript.js';
import { activeAgentId, callerIdOf, NO_CALLER_ID } from './agent-checks.js';
import { answerOutboundCall, outboundCallForWebhook } from './answer.js';
import {
  cancelOutboundCall,
  conversationOf,
  findOutboundCall,
  hasLaterAttempt,
  insertOutboundCall,
  insertRetry,
  lockCallChain,
  listOutboundCalls,
  listPendingRetries,
} from './call-queries.js';
import { FINAL_STATUSES, finishOutboundCall, type FinalOutboundStatus } from './finish.js';
import { createAiCallImportHandlers } from './import-handlers.js';
import { callingAgentId, timeZoneOf, toPhoneE164 } from './input.js';
import { presentOutboundCall, presentSchedule } from './mapping.js';
import { nextRunAt, recurrenceProblem, type Recurrence } from './next-run.js';
import { deactivateSchedule, findSchedule, insertSchedule, listSchedules } from './schedule-queries.js';
import { aiQueueStats } from './stats.js';

type AiOutboundOps =
  | 'listOutboundCalls'
  | 'createOutboundCall'
  | 'listPendingOutboundRetries'
  | 'getOutboundCall'
  | 'cancelOutboundCall'
  | 'retryOutboundCall'
  | 'listAiSchedules'
  | 'createAiSchedule'
  | 'getAiScheduleStats'
  | 'getAiSchedule'
  | 'deleteAiSchedule'
  | 'aiOutboundAnswerWebhook'
  | 'aiOutboundStatusWebhook'
  | 'createOutboundCallImport'
  | 'validateOutboundCallImport'
  | 'getOutboundCallImport';

/** A manual retry is for an attempt that ended without reaching anyone. */
const RETRYABLE = new Set(['failed', 'no-answer', 'busy']);
const FINAL_CARRIER: ReadonlySet<string> = new Set<FinalOutboundStatus>(['completed', 'busy', 'no-answer', 'failed', 'canceled']);

function page(query: { page?: number; limit?: number }) {
  const limit = query.limit ?? 50;
  const pageNo = query.page ?? 1;
  return { limit, page: pageNo, offset: (pageNo - 1) * limit };
}

export function createAiOutboundHandlers(deps: Deps): HandlerGroup<AiOutboundOps> {
  const { db, config, telephony } = deps;
  function callId(raw: string): string {
    const id = parseUuid(raw);
    if (!id) throw ERRORS.notFound('Outbound call', raw);
    return id;
  }

  function scheduleId(raw: string): string {
    const id = parseUuid(raw);
    if (!id) throw ERRORS.notFound('Schedule', raw);
    return id;
  }

  async function ownCall(orgId: string, raw: string) {
    const row = await findOutboundCall(db, orgId, callId(raw));
    if (!row) throw ERRORS.notFound('Outbound call', raw);
    return row;
  }

  /** The attempt a webhook names, with its CallSid; else a 404. */
  async function webhookCall(raw: string, callSid: string) {
    const id = parseUuid(raw);
    const row = id ? await outboundCallForWebhook(db, id, callSid) : undefined;
    if (!row) throw ERRORS.notFound('Outbound call', raw);
    return row;
  }

  return {
    ...createAiCallImportHandlers(deps),

    async listOutboundCalls(ctx) {
      const { orgId } = ctx.principal();
      const { limit, page: pageNo, offset } = page(ctx.query);
      const filter = {
        status: ctx.query.status,
        agentId: ctx.query.agentId,
        from: ctx.query.startDate ? instantOf(ctx.query.startDate) : undefined,
        to: ctx.query.endDate ? instantOf(ctx.query.endDate) : undefined,
      };
      if (filter.from && filter.to && filter.to < filter.from) throw ERRORS.validation({ endDate: 'must not be before startDate' });
      const { rows, total } = await listOutboundCalls(db, orgId, filter, limit, offset);
      return { status: 200, body: { calls: rows.map((r) => presentOutboundCall(r)), pagination: { page: pageNo, limit, total, totalPages: Math.ceil(total / limit) } } };
    },

    async createOutboundCall(ctx) {
      const { orgId, userId } = ctx.principal();
      const body = ctx.body;
      const toPhone = await toPhoneE164(db, orgId, body.toPhone);
      const timezone = timeZoneOf(body.timezone);
      // The contract's date-time (http/validation.ts: years 0001–9999 in UTC; a leap second read as PostgreSQL reads it).
      const scheduledFor = body.scheduledFor === undefined ? new Date() : instantOf(body.scheduledFor);
      const agentId = await callingAgentId(db, orgId, body.agentId);
      const row = await insertOutboundCall(db, {
        orgId,
        agentId,
        toPhone,
        context: body.context ?? null,
        scheduledFor,
        timezone,
        priority: body.priority ?? 'normal',
        userId,
      });
      ctx.reply.header('location', `/api/outbound-calls/${row.id}`);
      return { status: 201, body: presentOutboundCall(row) };
    },

    async listPendingOutboundRetries(ctx) {
      const { limit, page: pageNo, offset } = page(ctx.query);
      const { rows, total } = await listPendingRetries(db, ctx.principal().orgId, limit, offset);
      return {
        status: 200,
        body: {
          retries: rows.map((r) => ({
            id: r.id,
            originalCallId: r.original_call_id,
            agentId: r.agent_id,
            toPhone: r.to_phone,
            retryAttempt: r.attempt,
            nextRetryAt: r.scheduled_for.toISOString(),
            failureReason: r.previous_failure,
          })),
          pagination: { page: pageNo, limit, total, totalPages: Math.ceil(total / limit) },
        },
      };
    },

    async getOutboundCall(ctx) {
      const { orgId } = ctx.principal();
      const row = await ownCall(orgId, ctx.params.id);
      const conversation = await conversationOf(db, orgId, row.id);
      const transcript = conversation ? await transcriptOf(db, conversation.id) : [];
      return { status: 200, body: presentOutboundCall(row, { transcript, conversation }) };
    },

    async cancelOutboundCall(ctx) {
      const { orgId } = ctx.principal();
      const current = await ownCall(orgId, ctx.params.id);
      const canceled = await cancelOutboundCall(db, orgId, current.id);
      if (!canceled) {
        const now = (await findOutboundCall(db, orgId, current.id)) ?? current;
        throw ERRORS.conflict({ status: `is ${now.status}${now.status === 'queued' ? ' (being placed)' : ''}: only a call that has not started can be canceled` });
      }
      return { status: 200, body: presentOutboundCall(canceled) };
    },

    async retryOutboundCall(ctx) {
      const { orgId, userId } = ctx.principal();
      const current = await ownCall(orgId, ctx.params.id);
      if (!RETRYABLE.has(current.status)) {
        throw ERRORS.conflict({ status: `is ${current.status}: only a failed, unanswered or busy call can be retried` });
      }
      // As when a call is created: an attempt the worker could only fail (agent_unavailable, no_caller_id) is not made.
      if (!(await activeAgentId(db, orgId, current.agent_id))) {
        throw ERRORS.conflict({ agentId: 'is switched off or archived: the retry could not be placed (switch the agent on, or create a call with another agent)' });
      }
      if (!(await callerIdOf(db, orgId, current.agent_id))) throw ERRORS.conflict({ agentId: NO_CALLER_ID });
      // The chain's first call locked: two retries at once (a double click, two instances) make one attempt.
      const retry = await db.transaction().execute(async (trx) => {
        await lockCallChain(trx, orgId, current);
        if (await hasLaterAttempt(trx, current)) throw ERRORS.conflict({ id: 'has a later attempt already (retry that one)' });
        return insertRetry(trx, current, new Date(), userId);
      });
      ctx.reply.header('location', `/api/outbound-calls/${retry.id}`);
      return { status: 201, body: presentOutboundCall(retry) };
    },

    async listAiSchedules(ctx) {
      const { limit, page: pageNo, offset } = page(ctx.query);
      const { rows, total } = await listSchedules(db, ctx.principal().orgId, ctx.query.isActive, limit, offset);
      return { status: 200, body: { schedules: rows.map(presentSchedule), pagination: { page: pageNo, limit, total, totalPages: Math.ceil(total / limit) } } };
    },

    async createAiSchedule(ctx) {
      const { orgId, userId } = ctx.principal();
      const body = ctx.body;
      const toPhone = await toPhoneE164(db, orgId, body.toPhone);
      const timezone = timeZoneOf(body.timezone);
      const recurrence: Recurrence = {
        pattern: body.pattern,
        time: body.time,
        timeZone: timezone,
        startDate: body.startDate,
        endDate: body.endDate ?? null,
        daysOfWeek: body.daysOfWeek ? body.daysOfWeek.map(isoWeekdayNumber).sort((a, b) => a - b) : null,
        dayOfMonth: body.dayOfMonth ?? null,
        businessHoursOnly: body.businessHoursOnly ?? false,
      };
      const problem = recurrenceProblem(recurrence);
      if (problem) throw ERRORS.validation({ [problem.field]: problem.message });
      const first = nextRunAt(recurrence, new Date());
      if (!first) throw ERRORS.validation({ endDate: 'is past: the schedule would never run' });
      const agentId = await callingAgentId(db, orgId, body.agentId);
      const row = await insertSchedule(db, {
        orgId,
        agentId,
        toPhone,
        context: body.context ?? null,
        pattern: body.pattern,
        time: body.time,
        timezone,
        startDate: body.startDate,
        endDate: body.endDate ?? null,
        daysOfWeek: recurrence.daysOfWeek ? [...recurrence.daysOfWeek] : null,
        dayOfMonth: recurrence.dayOfMonth,
        businessHoursOnly: recurrence.businessHoursOnly,
        priority: body.priority ?? 'normal',
        nextRunAt: first,
        userId,
      });
      ctx.reply.header('location', `/api/ai-schedules/${row.id}`);
      return { status: 201, body: presentSchedule(row) };
    },

    async getAiScheduleStats(ctx) {
      return { status: 200, body: await aiQueueStats(db, ctx.principal().orgId, new Date()) };
    },

    async getAiSchedule(ctx) {
      const row = await findSchedule(db, ctx.principal().orgId, scheduleId(ctx.params.id));
      if (!row) throw ERRORS.notFound('Schedule', ctx.params.id);
      return { status: 200, body: presentSchedule(row) };
    },

    async deleteAiSchedule(ctx) {
      const row = await deactivateSchedule(db, ctx.principal().orgId, scheduleId(ctx.params.id));
      if (!row) throw ERRORS.notFound('Schedule', ctx.params.id);
      return { status: 200, body: presentSchedule(row) };
    },

    async aiOutboundAnswerWebhook(ctx) {
      const call = await webhookCall(ctx.query.outboundCallId, ctx.body.CallSid);
      const from = (ctx.body as Record<string, unknown>).From;
      const xml = await answerOutboundCall({ db, publicBaseUrl: config.publicBaseUrl, source: telephony.kind }, call.id, ctx.body.CallSid, typeof from === 'string' ? from : undefined);
      void ctx.reply.type('text/xml; charset=utf-8');
      return { status: 200, body: xml };
    },

    async aiOutboundStatusWebhook(ctx) {
      const call = await webhookCall(ctx.query.outboundCallId, ctx.body.CallSid);
      const status = ctx.body.CallStatus;
      if (FINAL_CARRIER.has(status) && !FINAL_STATUSES.has(call.status)) {
        await finishOutboundCall(db, call.id, { status: status as FinalOutboundStatus, durationSec: Number(ctx.body.CallDuration ?? 0) }, new Date());
      }
      return { status: 204, body: undefined };
    },
  };
}
