// Preview dialing's reads and writes. Functions take `db` or a transaction first.
import { sql, type Transaction } from 'kysely';
import type { AgentRow, CampaignRow, DB, Db, LeadRow } from '../../../db/types.js';

/** How long a lead stays held for the agent previewing it. */
export const PREVIEW_HOLD_SEC = 300;
/** A skipped lead is due again after this long unless the agent names a time. */
export const PREVIEW_SKIP_DELAY_MIN = 30;

/** The agent's row, locked: one preview request of an agent at a time. */
export function lockAgent(trx: Transaction<DB>, orgId: string, agentId: string): Promise<AgentRow | undefined> {
  return trx.selectFrom('agents').selectAll().where('org_id', '=', orgId).where('id', '=', agentId).forUpdate().executeTakeFirst();
}

export function findOutboundCampaign(db: Db, orgId: string, id: string): Promise<CampaignRow | undefined> {
  return db.selectFrom('campaigns').selectAll().where('org_id', '=', orgId).where('id', '=', id).where('direction', '=', 'outbound').executeTakeFirst();
}

/** The lead the agent holds now (its hold not lapsed), in any campaign. */
export function heldLeadOf(db: Db, agentId: string): Promise<LeadRow | undefined> {
  return db
    .selectFrom('leads')
    .selectAll()
    .where('preview_agent_id', '=', agentId)
    .where('dial_status', '=', 'previewing')
    .where('dial_lease_until', '>', sql<Date>`now()`)
    .executeTakeFirst();
}

/** The lead held for the agent until now + PREVIEW_HOLD_SEC. */
export function holdLead(trx: Transaction<DB>, leadId: string, agentId: string): Promise<LeadRow> {
  return trx
    .updateTable('leads')
    .set({
      dial_status: 'previewing',
      preview_agent_id: agentId,
      dial_lease_until: sql<Date>`now() + make_interval(secs => ${PREVIEW_HOLD_SEC})`,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', leadId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A lead of the campaign, locked. */
export function lockCampaignLead(trx: Transaction<DB>, campaign: Pick<CampaignRow, 'id' | 'org_id'>, leadId: string): Promise<LeadRow | undefined> {
  return trx
    .selectFrom('leads')
    .selectAll()
    .where('org_id', '=', campaign.org_id)
    .where('campaign_id', '=', campaign.id)
    .where('id', '=', leadId)
    .forUpdate()
    .executeTakeFirst();
}

/** Is the lead held for this agent now? */
export function isHeldBy(lead: Pick<LeadRow, 'dial_status' | 'preview_agent_id' | 'dial_lease_until'>, agentId: string, now: Date): boolean {
  return lead.dial_status === 'previewing' && lead.preview_agent_id === agentId && lead.dial_lease_until !== null && lead.dial_lease_until > now;
}

/** The hold given up: the lead queued again, due at `at` (null: never callable — given up), no attempt counted. */
export function releaseHold(trx: Transaction<DB>, leadId: string, at: Date | null): Promise<LeadRow> {
  return trx
    .updateTable('leads')
    .set({ dial_status: at === null ? 'failed' : 'queued', preview_agent_id: null, dial_lease_until: null, next_call_at: at, updated_at: sql<Date>`now()` })
    .where('id', '=', leadId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The previewed call's agent, chosen before the dial (the answer webhook bridges it when the lead answers). */
export async function assignPreviewAgent(trx: Transaction<DB>, callId: number, leadId: string, agentId: string): Promise<void> {
  await trx.updateTable('calls').set({ agent_id: agentId }).where('id', '=', callId).execute();
  await trx.updateTable('leads').set({ preview_agent_id: null }).where('id', '=', leadId).execute();
}
