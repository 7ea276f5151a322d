// /api/leads: list and search, create, get, update, delete, the CSV template. Roles (seed 003's
// matrix): an agent sees and changes only the leads assigned to it and cannot give them to anyone
// else; deleting needs admin (x-min-role), so a manager cannot. A lead created or changed here
// raises its events (events.ts) in the transaction of the write.
import type { components } from '../../../client/schema.js';
import type { LeadPatch, LeadRow } from '../../../db/types.js';
import type { Principal } from '../../accounts/auth/principal.js';
import { isPhoneCountry, UNKNOWN_PHONE_COUNTRY } from '../../accounts/organization/country.js';
import { ownCampaignId } from '../../inbound/campaigns/own-campaign.js';
import { parseUuid } from '../../platform/common/ids.js';
import { isForeignKeyViolation, isUniqueViolation } from '../../platform/common/pg-errors.js';
import { ERRORS } from '../../platform/errors.js';
import type { Deps, HandlerGroup } from '../../handler-types.js';
import { leadDncColumns, lockDncList } from '../dnc/queries.js';
import { toCsv } from '../../platform/common/csv-output.js';
import { publishLeadUpdated } from './live.js';
import { fullName, leadPatch, presentLead } from './mapping.js';
import { normalisePhone, type NormalisedPhone } from './phone.js';
import { leadScope } from './access.js';
import { defaultCountryFor, deleteLead, findLead, insertLead, isUserOfOrg, listLeads, updateLead } from './queries.js';
import { planSearch } from './search.js';
import { parseStage, parseStatusFilter } from './stage.js';
import { TEMPLATE_COLUMNS, TEMPLATE_EXAMPLE_ROW } from './template.js';
import { raiseLeadEvents } from './raise-events.js';
import { inTransaction } from '../../platform/common/transaction.js';

type LeadOps = 'listLeads' | 'createLead' | 'getLead' | 'updateLead' | 'deleteLead' | 'getLeadCsvTemplate';
type LeadUpdate = components['schemas']['LeadUpdate'];

/**
 * What a refused lead write means for the client: a number already in the campaign, or an
 * assignee removed between the check (checkAssignee) and the write.
 */
function duplicateConflict(err: unknown): Error | null {
  if (isUniqueViolation(err, 'leads_campaign_phone_key')) return ERRORS.conflict({ phone: 'is already a lead of this campaign' });
  if (isForeignKeyViolation(err, 'leads_assigned_to_fkey')) return ERRORS.validation({ assignedTo: 'is not a user of this organisation' });
  return null;
}

export function createLeadHandlers({ db }: Deps): HandlerGroup<LeadOps> {
  function leadId(raw: string): string {
    const id = parseUuid(raw);
    if (!id) throw ERRORS.notFound('Lead', raw);
    return id;
  }

  async function phoneOf(orgId: string, campaignId: string | null, raw: string, defaultCountry: string | undefined): Promise<NormalisedPhone> {
    const given = defaultCountry?.trim().toUpperCase();
    if (given !== undefined && !isPhoneCountry(given)) throw ERRORS.validation({ defaultCountry: UNKNOWN_PHONE_COUNTRY });
    const phone = normalisePhone(raw, given ?? (await defaultCountryFor(db, orgId, campaignId)));
    if (!phone) throw ERRORS.validation({ phone: 'is not a valid phone number' });
    return phone;
  }

  /** An assignee must be a user of the organisation; an agent may only name itself. */
  async function checkAssignee(principal: Principal, assignedTo: number | null | undefined): Promise<void> {
    if (assignedTo === undefined) return;
    if (principal.role === 'agent' && assignedTo !== principal.userId) throw ERRORS.forbidden('An agent can only assign leads to itself');
    if (assignedTo !== null && !(await isUserOfOrg(db, principal.orgId, assignedTo))) throw ERRORS.validation({ assignedTo: 'is not a user of this organisation' });
  }

  return {
    async listLeads(ctx) {
      const principal = ctx.principal();
      const q = ctx.query;
      const problems: Record<string, string> = {};
      const status = q.status === undefined ? null : parseStatusFilter(q.status);
      const stage = q.stage === undefined ? undefined : (parseStage(q.stage) ?? undefined);
      let campaignId: string | undefined;
      if (q.campaignId !== undefined) {
        const parsed = parseUuid(q.campaignId);
        if (!parsed) problems.campaignId = 'must be a campaign id (UUID)';
        else campaignId = parsed;
      }
      if (Object.keys(problems).length > 0) throw ERRORS.validation(problems);
      const limit = q.limit ?? 50;
      const page = q.page ?? 1;
      const offset = q.offset ?? (page - 1) * limit;
      const search = planSearch(q.q ?? q.search ?? '');
      const { rows, total } = await listLeads(db, leadScope(principal), {
        search,
        ...(campaignId !== undefined ? { campaignId } : {}),
        ...(stage !== undefined ? { stage } : status && 'stage' in status ? { stage: status.stage } : {}),
        ...(q.dialStatus !== undefined ? { dialStatus: q.dialStatus } : status && 'dialStatus' in status ? { dialStatus: status.dialStatus } : {}),
        ...(q.assignedTo !== undefined ? { assignedTo: q.assignedTo } : {}),
        limit,
        offset,
      });
      return {
        status: 200,
        body: {
          leads: rows.map(presentLead),
          count: rows.length,
          total,
          pagination: { page: Math.floor(offset / limit) + 1, limit, total, totalPages: Math.ceil(total / limit) },
        },
      };
    },

    async createLead(ctx) {
      const principal = ctx.principal();
      const body = ctx.body;
      const campaignId = body.campaignId ? await ownCampaignId(db, principal.orgId, body.campaignId) : null;
      const assignedTo = body.assignedTo === undefined ? (principal.role === 'agent' ? principal.userId : null) : body.assignedTo;
      await checkAssignee(principal, assignedTo);
      const phone = await phoneOf(principal.orgId, campaignId, body.phone, body.defaultCountry);
      const patch = leadPatch(body, phone);
      const values = {
        ...patch,
        org_id: principal.orgId,
        campaign_id: campaignId,
        name: fullName(body.name, body.firstName, body.lastName),
        phone: body.phone.trim(),
        phone_e164: phone.e164,
        assigned_to: assignedTo,
        source: 'api' as const,
      };
      try {
        // The lead and its events (lead.created, lead.qualified …) commit together; do-not-call
        // follows the list as it stands under its lock (a number being listed is waited for).
        const row = await inTransaction(db, async (trx) => {
          await lockDncList(trx, principal.orgId, 'share');
          const created = await insertLead(trx, { ...values, ...(await leadDncColumns(trx, principal.orgId, phone.e164, null)) });
          await raiseLeadEvents(trx, null, created);
          return created;
        });
        return { status: 201, body: presentLead(row) };
      } catch (err) {
        throw duplicateConflict(err) ?? err;
      }
    },

    async getLead(ctx) {
      const row = await findLead(db, leadScope(ctx.principal()), leadId(ctx.params.id));
      if (!row) throw ERRORS.notFound('Lead', ctx.params.id);
      return { status: 200, body: presentLead(row) };
    },

    async updateLead(ctx) {
      const principal = ctx.principal();
      const scope = leadScope(principal);
      const id = leadId(ctx.params.id);
      const current = await findLead(db, scope, id);
      if (!current) throw ERRORS.notFound('Lead', ctx.params.id);
      const body: LeadUpdate = ctx.body;
      await checkAssignee(principal, body.assignedTo);
      let campaignId = current.campaign_id;
      if (body.campaignId !== undefined) campaignId = body.campaignId === null ? null : await ownCampaignId(db, principal.orgId, body.campaignId);
      const phone = body.phone === undefined ? null : await phoneOf(principal.orgId, campaignId, body.phone, body.defaultCountry);
      const patch = leadPatch(body, phone, current);
      if (body.campaignId !== undefined) patch.campaign_id = campaignId;
      if (body.assignedTo !== undefined) patch.assigned_to = body.assignedTo;
      // Do-not-call follows a new number: updateLead reads the list under its lock.
      if (phone && body.phone !== undefined) patch.phone = body.phone.trim();
      // A name derived from first and last names follows them.
      if (body.name === undefined && (body.firstName !== undefined || body.lastName !== undefined) && current.name === fullName(null, current.first_name, current.last_name)) {
        patch.name = fullName(null, patch.first_name === undefined ? current.first_name : patch.first_name, patch.last_name === undefined ? current.last_name : patch.last_name);
      }
      try {
        // Who had the lead as the change took it (its row locked): told too when it moves on.
        let assignedBefore: number | null = null;
        const row = await updateLead(db, scope, id, patch, principal.userId, async (trx, before, after) => {
          assignedBefore = before.assigned_to;
          await raiseLeadEvents(trx, before, after);
        });
        if (!row) throw ERRORS.notFound('Lead', ctx.params.id);
        const lead = presentLead(row);
        publishLeadUpdated(db, principal.orgId, lead, Object.keys(body), principal.userId, assignedBefore);
        return { status: 200, body: lead };
      } catch (err) {
        throw duplicateConflict(err) ?? err;
      }
    },

    async deleteLead(ctx) {
      const deleted = await deleteLead(db, ctx.principal().orgId, leadId(ctx.params.id));
      if (!deleted) throw ERRORS.notFound('Lead', ctx.params.id);
      return { status: 204, body: undefined };
    },

    async getLeadCsvTemplate(ctx) {
      ctx.reply.header('content-disposition', 'attachment; filename="leads-template.csv"').type('text/csv; charset=utf-8');
      return { status: 200, body: toCsv(TEMPLATE_COLUMNS, [TEMPLATE_EXAMPLE_ROW]) };
    },
  };
}
