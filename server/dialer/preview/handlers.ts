// Preview dialing over HTTP: POST /api/campaigns/{id}/preview/next, …/{leadId}/dial, …/{leadId}/skip.
// A user with role agent acts for the agent record linked to it; managers and above name the
// agent (`agentId`). Another organisation's campaign, agent or lead is a 404.
import type { Principal } from '../../accounts/auth/principal.js';
import { presentLead } from '../../crm/leads/mapping.js';
import { instantOf, isoOrNull } from '../../platform/common/dates.js';
import { parseUuid } from '../../platform/common/ids.js';
import { ERRORS } from '../../platform/errors.js';
import type { Deps, HandlerGroup } from '../../handler-types.js';
import type { Db } from '../../../db/types.js';
import { outboundUrls } from '../webhooks/urls.js';
import type { DialerDeps } from '../loop/tick.js';
import { dialPreview, previewNext, skipPreview } from './service.js';

type PreviewOps = 'previewNextLead' | 'dialPreviewLead' | 'skipPreviewLead';

function idOf(resource: string, raw: string): string {
  const id = parseUuid(raw);
  if (!id) throw ERRORS.notFound(resource, raw);
  return id;
}

/** The agent the request acts for: its own for a user with role agent, else the one named (a UUID in any case). */
async function actingAgentId(db: Db, principal: Principal, namedAs: string | undefined): Promise<string> {
  const named = namedAs?.toLowerCase();
  if (principal.role === 'agent') {
    const own = await db.selectFrom('agents').select('id').where('org_id', '=', principal.orgId).where('user_id', '=', principal.userId).executeTakeFirst();
    if (!own || (named !== undefined && named !== own.id)) throw ERRORS.notFound('Agent', namedAs ?? 'linked to this user');
    return own.id;
  }
  if (named === undefined) throw ERRORS.validation({ agentId: 'is required: name the agent who previews' });
  return named;
}

export function createPreviewHandlers({ db, config, telephony }: Deps): HandlerGroup<PreviewOps> {
  const dialer: DialerDeps = { db, telephony, urls: outboundUrls(config.publicBaseUrl) };

  return {
    async previewNextLead(ctx) {
      const principal = ctx.principal();
      const campaignId = idOf('Campaign', ctx.params.id);
      const agentId = await actingAgentId(db, principal, ctx.body?.agentId);
      const { campaign, agent, lead } = await previewNext(dialer, principal.orgId, campaignId, agentId);
      return {
        status: 200,
        body: { campaignId: campaign.id, agentId: agent.id, lead: lead ? presentLead(lead) : null, heldUntil: isoOrNull(lead?.dial_lease_until ?? null) },
      };
    },

    async dialPreviewLead(ctx) {
      const principal = ctx.principal();
      const campaignId = idOf('Campaign', ctx.params.id);
      const leadId = idOf('Lead', ctx.params.leadId);
      const agentId = await actingAgentId(db, principal, ctx.body?.agentId);
      const dialled = await dialPreview(dialer, principal.orgId, campaignId, agentId, leadId);
      return {
        status: 201,
        body: {
          callId: dialled.callId,
          callSid: dialled.callSid,
          campaignId: dialled.campaign.id,
          leadId: dialled.lead.id,
          agentId: dialled.agent.id,
          to: dialled.lead.phone_e164,
          from: dialled.campaign.caller_id!,
          attempt: dialled.attempt,
        },
      };
    },

    async skipPreviewLead(ctx) {
      const principal = ctx.principal();
      const campaignId = idOf('Campaign', ctx.params.id);
      const leadId = idOf('Lead', ctx.params.leadId);
      const agentId = await actingAgentId(db, principal, ctx.body?.agentId);
      const nextCallAt = ctx.body?.nextCallAt === undefined ? undefined : instantOf(ctx.body.nextCallAt);
      const lead = await skipPreview(dialer, principal.orgId, campaignId, agentId, leadId, nextCallAt);
      return { status: 200, body: presentLead(lead) };
    },
  };
}
