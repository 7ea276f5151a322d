// /api/call-logs: seed 003's call logs (POST/GET /calls) — list, create, get, update, delete.
// Roles (seed 003's matrix): an agent logs calls only on leads assigned to it and sees and changes
// only its own logs; managers and above all of the organisation's. A log's scheduledFollowUp is a
// follow-up task (crm/follow-ups); whatever changes one runs in a transaction that locked the lead.
import type { components } from '../../../client/schema.js';
import type { CallLogOutcome, Db } from '../../../db/types.js';
import type { Principal } from '../../accounts/auth/principal.js';
import { parseUuid } from '../../platform/common/ids.js';
import { ERRORS } from '../../platform/errors.js';
import type { Deps, HandlerGroup } from '../../handler-types.js';
import { followUpOfCallLog, insertFollowUp, refreshNextFollowUp, updateFollowUp } from '../follow-ups/queries.js';
import { leadScope, reachesLead } from '../leads/access.js';
import { countryOfE164, normalisePhone } from '../leads/phone.js';
import { defaultCountryFor, findLead, lockLead } from '../leads/queries.js';
import { authorScope } from './access.js';
import { callLogPatch, followUpChange, presentCallLog } from './mapping.js';
import { parseOutcome } from './outcome.js';
import { callerGone, callGone } from './reference-errors.js';
import { deleteCallLog, findCallLog, holdAuthor, insertCallLog, isCallOfOrg, listCallLogs, updateCallLog } from './queries.js';

type CallLogOps = 'listCallLogs' | 'createCallLog' | 'getCallLog' | 'updateCallLog' | 'deleteCallLog';
type CallLog = components['schemas']['CallLog'];

const DAY_MS = 86_400_000;

export function createCallLogHandlers({ db }: Deps): HandlerGroup<CallLogOps> {
  function callLogId(raw: string): string {
    const id = parseUuid(raw);
    if (!id) throw ERRORS.notFound('Call log', raw);
    return id;
  }

  /** The call a body names, when it is the organisation's (else 404, as for any other id of another organisation). */
  async function ownCallId(orgId: string, callId: number | null | undefined): Promise<number | null | undefined> {
    if (callId === undefined || callId === null) return callId;
    if (!(await isCallOfOrg(db, orgId, callId))) throw ERRORS.notFound('Call', callId);
    return callId;
  }

  /**
   * The number called, a national one read in the country of the lead's own number (the agent
   * writes it as the lead has it: a UK lead's `020 …` in a US campaign), else — a +1 555 number,
   * whose country no prefix tells — in the campaign's, else the organisation's.
   */
  async function phoneOf(orgId: string, lead: { campaign_id: string | null; phone_e164: string }, raw: string): Promise<string> {
    const country = countryOfE164(lead.phone_e164) ?? (await defaultCountryFor(db, orgId, lead.campaign_id));
    const phone = normalisePhone(raw, country);
    if (!phone) throw ERRORS.validation({ phone: 'is not a valid phone number' });
    return phone.e164;
  }

  async function present(trx: Db, principal: Principal, id: string): Promise<CallLog> {
    const row = await findCallLog(trx, authorScope(principal), id);
    if (!row) throw ERRORS.notFound('Call log', id);
    return presentCallLog(row);
  }

  return {
    async listCallLogs(ctx) {
      const q = ctx.query;
      let outcome: CallLogOutcome | undefined;
      if (q.outcome !== undefined) {
        const parsed = parseOutcome(q.outcome);
        if (!parsed) throw ERRORS.validation({ outcome: 'is not an outcome' });
        outcome = parsed;
      }
      const from = q.startDate === undefined ? undefined : new Date(`${q.startDate}T00:00:00.000Z`);
      const before = q.endDate === undefined ? undefined : new Date(new Date(`${q.endDate}T00:00:00.000Z`).getTime() + DAY_MS);
      if (from && before && before.getTime() <= from.getTime()) throw ERRORS.validation({ endDate: 'must not be before startDate' });
      const limit = q.limit ?? 50;
      const page = q.page ?? 1;
      const { rows, total } = await listCallLogs(db, authorScope(ctx.principal()), {
        ...(q.leadId !== undefined ? { leadId: q.leadId.toLowerCase() } : {}),
        ...(outcome !== undefined ? { outcome } : {}),
        ...(q.userId !== undefined ? { userId: q.userId } : {}),
        ...(from ? { from } : {}),
        ...(before ? { before } : {}),
        limit,
        offset: (page - 1) * limit,
      });
      return { status: 200, body: { callLogs: rows.map(presentCallLog), pagination: { page, limit, total, totalPages: Math.ceil(total / limit) } } };
    },

    async createCallLog(ctx) {
      const principal = ctx.principal();
      const body = ctx.body;
      const patch = callLogPatch(body);
      const scope = leadScope(principal);
      const leadId = parseUuid(body.leadId);
      const lead = leadId ? await findLead(db, scope, leadId) : undefined;
      if (!leadId || !lead) throw ERRORS.notFound('Lead', body.leadId);
      const phoneE164 = body.phone === undefined ? lead.phone_e164 : await phoneOf(principal.orgId, lead, body.phone);
      const callId = await ownCallId(principal.orgId, body.callId);
      // The caller and the call were checked above; either may be removed before the insert.
      const created = await db.transaction().execute(async (trx) => {
        // Locked: the lead cannot be deleted or given to someone else while its log is written.
        if (!(await lockLead(trx, scope, leadId))) throw ERRORS.notFound('Lead', body.leadId);
        const id = await insertCallLog(trx, {
          ...patch,
          outcome: patch.outcome!,
          org_id: principal.orgId,
          lead_id: leadId,
          user_id: principal.userId,
          call_id: callId ?? null,
          phone_e164: phoneE164,
        });
        if (body.scheduledFollowUp !== undefined && body.scheduledFollowUp !== null) {
          await insertFollowUp(trx, { org_id: principal.orgId, lead_id: leadId, call_log_id: id, user_id: principal.userId, due_at: body.scheduledFollowUp });
          await refreshNextFollowUp(trx, leadId);
        }
        return present(trx, principal, id);
      }).catch((err: unknown) => {
        throw callerGone(err) ?? callGone(err) ?? err;
      });
      return { status: 201, body: created };
    },

    async getCallLog(ctx) {
      const row = await findCallLog(db, authorScope(ctx.principal()), callLogId(ctx.params.id));
      if (!row) throw ERRORS.notFound('Call log', ctx.params.id);
      return { status: 200, body: presentCallLog(row) };
    },

    async updateCallLog(ctx) {
      const principal = ctx.principal();
      const scope = authorScope(principal);
      const id = callLogId(ctx.params.id);
      const current = await findCallLog(db, scope, id);
      if (!current) throw ERRORS.notFound('Call log', ctx.params.id);
      const body = ctx.body;
      const patch = callLogPatch(body);
      if (body.phone !== undefined) {
        const lead = await findLead(db, { orgId: principal.orgId, assignedTo: null }, current.lead_id);
        if (!lead) throw ERRORS.notFound('Call log', ctx.params.id);
        patch.phone_e164 = await phoneOf(principal.orgId, lead, body.phone);
      }
      const callId = await ownCallId(principal.orgId, body.callId);
      if (callId !== undefined) patch.call_id = callId;
      const updated = await db.transaction().execute(async (trx) => {
        // The lead is locked (its follow-ups may change); the log is the author's whoever the lead is assigned to now.
        const lead = await lockLead(trx, { orgId: principal.orgId, assignedTo: null }, current.lead_id);
        // A task scheduled here is the author's: held, or removed meanwhile and the task unowned.
        if (current.user_id !== null) await holdAuthor(trx, principal.orgId, current.user_id);
        const written = await updateCallLog(trx, scope, id, patch);
        if (!written) throw ERRORS.notFound('Call log', ctx.params.id);
        const existing = await followUpOfCallLog(trx, id);
        const change = followUpChange(existing ? { status: existing.status, dueAt: existing.due_at } : null, body.scheduledFollowUp);
        // A new task is a new callback on the lead: only who may log a call on it now (createCallLog's
        // rule: an agent, on a lead assigned to it) may schedule one; the task a log has stays its author's.
        if (change.kind === 'create' && !(lead && reachesLead(leadScope(principal), lead))) throw ERRORS.notFound('Lead', current.lead_id);
        if (change.kind === 'create') {
          await insertFollowUp(trx, { org_id: current.org_id, lead_id: current.lead_id, call_log_id: id, user_id: written.user_id, due_at: change.dueAt });
        } else if (existing && change.kind === 'move') {
          await updateFollowUp(trx, { orgId: principal.orgId, userId: null }, existing.id, { status: 'open', dueAt: change.dueAt });
        } else if (existing && change.kind === 'cancel') {
          await updateFollowUp(trx, { orgId: principal.orgId, userId: null }, existing.id, { status: 'cancelled' });
        }
        if (change.kind !== 'none') await refreshNextFollowUp(trx, current.lead_id);
        return present(trx, principal, id);
      }).catch((err: unknown) => {
        throw callGone(err) ?? err; // the call checked above, deleted before the write
      });
      return { status: 200, body: updated };
    },

    async deleteCallLog(ctx) {
      const principal = ctx.principal();
      const scope = authorScope(principal);
      const id = callLogId(ctx.params.id);
      const current = await findCallLog(db, scope, id);
      if (!current) throw ERRORS.notFound('Call log', ctx.params.id);
      await db.transaction().execute(async (trx) => {
        await lockLead(trx, { orgId: principal.orgId, assignedTo: null }, current.lead_id);
        if (!(await deleteCallLog(trx, scope, id))) throw ERRORS.notFound('Call log', ctx.params.id);
        // Always: `current` was read before the lock, and a follow-up scheduled on the log since
        // went with it (ON DELETE CASCADE).
        await refreshNextFollowUp(trx, current.lead_id);
      });
      return { status: 204, body: undefined };
    },
  };
}
