// /api/agent-groups: teams of agents (seed 002's agent_group_id), managers and above. A name is
// unique in the organisation (409); deleting a group leaves its agents without one.
import { parseUuid } from '../../platform/common/ids.js';
import { isUniqueViolation } from '../../platform/common/pg-errors.js';
import { ERRORS } from '../../platform/errors.js';
import type { Deps, HandlerGroup } from '../../handler-types.js';
import { deleteAgentGroup, findAgentGroup, insertAgentGroup, listAgentGroups, updateAgentGroup } from './group-queries.js';
import { agentGroupPatch, presentAgentGroup } from './mapping.js';

type AgentGroupOps = 'listAgentGroups' | 'createAgentGroup' | 'getAgentGroup' | 'updateAgentGroup' | 'deleteAgentGroup';

function nameTaken(err: unknown): never {
  if (isUniqueViolation(err, 'agent_groups_org_name_key')) throw ERRORS.conflict({ name: 'is taken by another group of the organisation' });
  throw err;
}

export function createAgentGroupHandlers({ db }: Deps): HandlerGroup<AgentGroupOps> {
  function groupId(raw: string): string {
    const id = parseUuid(raw);
    if (!id) throw ERRORS.notFound('Agent group', raw);
    return id;
  }

  return {
    async listAgentGroups(ctx) {
      const rows = await listAgentGroups(db, ctx.principal().orgId);
      return { status: 200, body: { groups: rows.map(presentAgentGroup) } };
    },

    async createAgentGroup(ctx) {
      const { orgId } = ctx.principal();
      const patch = agentGroupPatch(ctx.body);
      let id: string;
      try {
        id = await insertAgentGroup(db, { org_id: orgId, name: patch.name!, description: patch.description ?? null });
      } catch (err) {
        nameTaken(err);
      }
      const row = await findAgentGroup(db, orgId, id);
      if (!row) throw ERRORS.notFound('Agent group', id);
      return { status: 201, body: presentAgentGroup(row) };
    },

    async getAgentGroup(ctx) {
      const row = await findAgentGroup(db, ctx.principal().orgId, groupId(ctx.params.id));
      if (!row) throw ERRORS.notFound('Agent group', ctx.params.id);
      return { status: 200, body: presentAgentGroup(row) };
    },

    async updateAgentGroup(ctx) {
      const { orgId } = ctx.principal();
      const id = groupId(ctx.params.id);
      let found: boolean;
      try {
        found = await updateAgentGroup(db, orgId, id, agentGroupPatch(ctx.body));
      } catch (err) {
        nameTaken(err);
      }
      const row = found ? await findAgentGroup(db, orgId, id) : undefined;
      if (!row) throw ERRORS.notFound('Agent group', ctx.params.id);
      return { status: 200, body: presentAgentGroup(row) };
    },

    async deleteAgentGroup(ctx) {
      if (!(await deleteAgentGroup(db, ctx.principal().orgId, groupId(ctx.params.id)))) throw ERRORS.notFound('Agent group', ctx.params.id);
      return { status: 204, body: undefined };
    },
  };
}
