// /api/follow-ups: the callback tasks call logs schedule — list (soonest first), get, and complete,
// cancel, reopen or move one. An agent reaches only its own tasks; managers and above the
// organisation's. The lead's nextFollowUpAt follows every change, in the same transaction.
import type { FollowUpStatus } from '../../../db/types.js';
import { instantOf } from '../../platform/common/dates.js';
import { parseUuid } from '../../platform/common/ids.js';
import { ERRORS } from '../../platform/errors.js';
import type { Deps, HandlerGroup } from '../../handler-types.js';
import { authorScope } from '../call-logs/access.js';
import { lockLead } from '../leads/queries.js';
import { presentFollowUp } from './mapping.js';
import { findFollowUp, listFollowUps, refreshNextFollowUp, updateFollowUp } from './queries.js';

type FollowUpOps = 'listFollowUps' | 'getFollowUp' | 'updateFollowUp';

export function createFollowUpHandlers({ db }: Deps): HandlerGroup<FollowUpOps> {
  function followUpId(raw: string): string {
    const id = parseUuid(raw);
    if (!id) throw ERRORS.notFound('Follow-up', raw);
    return id;
  }

  return {
    async listFollowUps(ctx) {
      const q = ctx.query;
      const dueBefore = q.dueBefore === undefined ? undefined : instantOf(q.dueBefore);
      const dueAfter = q.dueAfter === undefined ? undefined : instantOf(q.dueAfter);
      if (dueBefore && dueAfter && dueBefore.getTime() <= dueAfter.getTime()) throw ERRORS.validation({ dueBefore: 'must be after dueAfter' });
      const status: FollowUpStatus = q.status ?? 'open';
      const limit = q.limit ?? 50;
      const page = q.page ?? 1;
      const { rows, total } = await listFollowUps(db, authorScope(ctx.principal()), {
        status,
        ...(dueBefore ? { dueBefore } : {}),
        ...(dueAfter ? { dueAfter } : {}),
        ...(q.leadId !== undefined ? { leadId: q.leadId.toLowerCase() } : {}),
        ...(q.userId !== undefined ? { userId: q.userId } : {}),
        limit,
        offset: (page - 1) * limit,
      });
      return { status: 200, body: { followUps: rows.map(presentFollowUp), pagination: { page, limit, total, totalPages: Math.ceil(total / limit) } } };
    },

    async getFollowUp(ctx) {
      const row = await findFollowUp(db, authorScope(ctx.principal()), followUpId(ctx.params.id));
      if (!row) throw ERRORS.notFound('Follow-up', ctx.params.id);
      return { status: 200, body: presentFollowUp(row) };
    },

    async updateFollowUp(ctx) {
      const principal = ctx.principal();
      const scope = authorScope(principal);
      const id = followUpId(ctx.params.id);
      const current = await findFollowUp(db, scope, id);
      if (!current) throw ERRORS.notFound('Follow-up', ctx.params.id);
      const body = ctx.body;
      const row = await db.transaction().execute(async (trx) => {
        await lockLead(trx, { orgId: principal.orgId, assignedTo: null }, current.lead_id);
        const updated = await updateFollowUp(trx, scope, id, { ...(body.status !== undefined ? { status: body.status } : {}), ...(body.dueAt !== undefined ? { dueAt: body.dueAt } : {}) });
        if (!updated) throw ERRORS.notFound('Follow-up', ctx.params.id);
        await refreshNextFollowUp(trx, current.lead_id);
        return updated;
      });
      return { status: 200, body: presentFollowUp(row) };
    },
  };
}
