// The WHERE of the API's call reads (list, statistics): the caller's scope and the filters, as
// one condition on `calls`. Shaped for the organisation's indexes: org_id with created_at
// (calls_org_created_idx), org_id with campaign_id (calls_org_campaign_idx), and agent_id with
// created_at (calls_agent_idx; an agent-role caller's agent is one scalar sub-select, since a
// user is at most one agent of an organisation).
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { DB } from '../../../../db/types.js';
import type { CallScope } from '../access.js';
import type { CallFilters } from '../filters.js';

export function callConditions(eb: ExpressionBuilder<DB, 'calls'>, scope: CallScope, f: CallFilters): Expression<SqlBool> {
  const all: Array<Expression<SqlBool>> = [eb('calls.org_id', '=', scope.orgId)];
  if (scope.agentUserId !== null) {
    const ownAgent = eb.selectFrom('agents').select('agents.id').where('agents.org_id', '=', scope.orgId).where('agents.user_id', '=', scope.agentUserId);
    all.push(eb('calls.agent_id', '=', ownAgent));
  }
  if (f.campaignId !== undefined) all.push(eb('calls.campaign_id', '=', f.campaignId));
  if (f.status !== undefined) all.push(eb('calls.status', '=', f.status));
  if (f.source !== undefined) all.push(eb('calls.source', '=', f.source));
  if (f.agentId !== undefined) all.push(eb('calls.agent_id', '=', f.agentId));
  if (f.leadId !== undefined) all.push(eb('calls.lead_id', '=', f.leadId));
  if (f.disposition !== undefined) all.push(eb('calls.disposition', '=', f.disposition));
  if (f.answeredBy !== undefined) all.push(eb('calls.answered_by', '=', f.answeredBy));
  if (f.direction !== undefined) all.push(eb('calls.direction', '=', f.direction));
  if (f.from !== undefined) all.push(eb('calls.created_at', '>=', f.from));
  if (f.before !== undefined) all.push(eb('calls.created_at', '<', f.before));
  return eb.and(all);
}
