// GET /api/leads/{id}/activity: a lead's timeline. The lead is scoped as the lead operations scope
// it (an agent: only leads assigned to it, else 404), and an agent sees only its own call logs and
// follow-ups, and the calls bridged to it, in it.
import { parseUuid } from '../../platform/common/ids.js';
import { ERRORS } from '../../platform/errors.js';
import type { Deps, HandlerGroup } from '../../handler-types.js';
import { authorScope } from '../call-logs/access.js';
import { leadScope } from '../leads/access.js';
import { findLead } from '../leads/queries.js';
import { presentActivity } from './mapping.js';
import { type ActivityType, listActivity } from './queries.js';

const ALL_TYPES: readonly ActivityType[] = ['call', 'call_log', 'follow_up', 'stage_change', 'import'];

export function createActivityHandlers({ db }: Deps): HandlerGroup<'getLeadActivity'> {
  return {
    async getLeadActivity(ctx) {
      const principal = ctx.principal();
      const id = parseUuid(ctx.params.id);
      const lead = id ? await findLead(db, leadScope(principal), id) : undefined;
      if (!lead) throw ERRORS.notFound('Lead', ctx.params.id);
      const q = ctx.query;
      const limit = q.limit ?? 50;
      const page = q.page ?? 1;
      const { rows, total } = await listActivity(db, {
        orgId: principal.orgId,
        leadId: lead.id,
        authorId: authorScope(principal).userId,
        types: new Set(q.types ?? ALL_TYPES),
        order: q.order ?? 'asc',
        limit,
        offset: (page - 1) * limit,
      });
      return { status: 200, body: { leadId: lead.id, items: rows.map(presentActivity), pagination: { page, limit, total, totalPages: Math.ceil(total / limit) } } };
    },
  };
}
