// /api/agents: seed 002's human agents — list, create, get, update, delete, presence and the
// day's figures. Managers and above manage agents; a user with role agent reads only its own
// agent record and sets only its own presence (any other agent is a 404 to it).
import type { components } from '../../../client/schema.js';
import type { AgentPatch, AgentRow, AgentStatus } from '../../../db/types.js';
import { findUserInOrg } from '../../accounts/users/queries.js';
import { normalisePhone } from '../../crm/leads/phone.js';
import { defaultCountryFor } from '../../crm/leads/queries.js';
import { iso } from '../../platform/common/dates.js';
import { parseUuid } from '../../platform/common/ids.js';
import { isForeignKeyViolation, isUniqueViolation } from '../../platform/common/pg-errors.js';
import { ERRORS } from '../../platform/errors.js';
import { recheckLiveCallers } from '../../platform/live/publish.js';
import type { Deps, HandlerGroup } from '../../handler-types.js';
import { agentScope } from './access.js';
import { isAgentGroupOfOrg } from './group-queries.js';
import { agentPatch, presentAgent } from './mapping.js';
import { setPresenceByUser } from './presence-events.js';
import { agentCallFigures, deleteAgent, findAgent, insertAgent, listAgents, presenceHistory, updateAgent } from './queries.js';
import { dayOf, timeInStatus } from './stats.js';

type AgentOps = 'listAgents' | 'createAgent' | 'getAgent' | 'updateAgent' | 'deleteAgent' | 'updateAgentStatus' | 'getAgentStats';
type AgentUpdate = components['schemas']['AgentUpdate'];

export function createAgentHandlers({ db }: Deps): HandlerGroup<AgentOps> {
  function agentId(raw: string): string {
    const id = parseUuid(raw);
    if (!id) throw ERRORS.notFound('Agent', raw);
    return id;
  }

  /** The columns of a body, with phone, user and group checked against the organisation. */
  async function checkedPatch(orgId: string, body: AgentUpdate): Promise<AgentPatch> {
    const patch = agentPatch(body);
    if (body.phone !== undefined) {
      const phone = normalisePhone(body.phone, await defaultCountryFor(db, orgId, null));
      if (!phone) throw ERRORS.validation({ phone: 'is not a valid phone number' });
      patch.phone_e164 = phone.e164;
    }
    if (body.userId !== undefined) {
      if (body.userId !== null && !(await findUserInOrg(db, orgId, body.userId))) throw ERRORS.notFound('User', body.userId);
      patch.user_id = body.userId;
    }
    if (body.groupId !== undefined) {
      const groupId = body.groupId === null ? null : parseUuid(body.groupId);
      if (body.groupId !== null && (!groupId || !(await isAgentGroupOfOrg(db, orgId, groupId)))) throw ERRORS.notFound('Agent group', body.groupId);
      patch.group_id = groupId;
    }
    return patch;
  }

  /** A write refused by the database: a user with an agent already (409), a group deleted meanwhile (404). */
  function refused(err: unknown, groupId: string | null | undefined): never {
    if (isUniqueViolation(err, 'agents_org_user_key')) throw ERRORS.conflict({ userId: 'already is another agent of the organisation' });
    if (isForeignKeyViolation(err)) throw ERRORS.notFound('Agent group', groupId ?? '');
    throw err;
  }

  return {
    async listAgents(ctx) {
      const q = ctx.query;
      const limit = q.limit ?? 50;
      const page = q.page ?? 1;
      const { rows, total } = await listAgents(db, agentScope(ctx.principal()), {
        ...(q.status !== undefined ? { status: q.status } : {}),
        ...(q.groupId !== undefined ? { groupId: q.groupId.toLowerCase() } : {}),
        limit,
        offset: (page - 1) * limit,
      });
      return { status: 200, body: { agents: rows.map(presentAgent), pagination: { page, limit, total, totalPages: Math.ceil(total / limit) } } };
    },

    async createAgent(ctx) {
      const { orgId } = ctx.principal();
      const body = ctx.body;
      const patch = await checkedPatch(orgId, body);
      let row: AgentRow;
      try {
        row = await insertAgent(db, { ...patch, org_id: orgId, name: patch.name!, phone_e164: patch.phone_e164! });
      } catch (err) {
        refused(err, body.groupId);
      }
      return { status: 201, body: presentAgent(row) };
    },

    async getAgent(ctx) {
      const row = await findAgent(db, agentScope(ctx.principal()), agentId(ctx.params.id));
      if (!row) throw ERRORS.notFound('Agent', ctx.params.id);
      return { status: 200, body: presentAgent(row) };
    },

    async updateAgent(ctx) {
      const { orgId } = ctx.principal();
      const id = agentId(ctx.params.id);
      if (!(await findAgent(db, { orgId, userId: null }, id))) throw ERRORS.notFound('Agent', ctx.params.id);
      const patch = await checkedPatch(orgId, ctx.body);
      let row: AgentRow | undefined;
      try {
        row = await updateAgent(db, orgId, id, patch);
      } catch (err) {
        refused(err, ctx.body.groupId);
      }
      if (!row) throw ERRORS.notFound('Agent', ctx.params.id);
      // The user it was linked to may have had a connection following it as its own.
      if (ctx.body.userId !== undefined) recheckLiveCallers(db);
      return { status: 200, body: presentAgent(row) };
    },

    async deleteAgent(ctx) {
      if (!(await deleteAgent(db, ctx.principal().orgId, agentId(ctx.params.id)))) throw ERRORS.notFound('Agent', ctx.params.id);
      recheckLiveCallers(db);
      return { status: 204, body: undefined };
    },

    async updateAgentStatus(ctx) {
      const principal = ctx.principal();
      const to: AgentStatus = ctx.body.status;
      const row = await setPresenceByUser(db, agentScope(principal), agentId(ctx.params.id), to, principal.userId);
      if (!row) throw ERRORS.notFound('Agent', ctx.params.id);
      return { status: 200, body: presentAgent(row) };
    },

    async getAgentStats(ctx) {
      const row = await findAgent(db, agentScope(ctx.principal()), agentId(ctx.params.id));
      if (!row) throw ERRORS.notFound('Agent', ctx.params.id);
      const now = new Date();
      const day = dayOf(row.time_zone, now);
      const from = new Date(Math.max(day.start.getTime(), row.created_at.getTime()));
      const history = await presenceHistory(db, row.id, from);
      const seconds = timeInStatus(
        history.before?.to_status ?? null,
        history.since.map((c) => ({ at: c.changed_at, from: c.from_status, to: c.to_status })),
        row.status,
        from,
        now,
      );
      const calls = await agentCallFigures(db, row.org_id, row.id, from);
      const currentCalls = calls.current;
      return {
        status: 200,
        body: {
          agent: presentAgent(row),
          stats: {
            date: day.date,
            timeZone: row.time_zone,
            from: iso(from),
            to: iso(now),
            timeInStatus: seconds,
            totalCalls: calls.total,
            answeredCalls: calls.answered,
            avgTalkTime: calls.answered === 0 ? 0 : Math.round(calls.talkSec / calls.answered),
            totalTalkTime: calls.talkSec,
            currentCalls,
            availableNow: row.is_active && row.status === 'available' && currentCalls < row.max_concurrent_calls,
          },
        },
      };
    },
  };
}
