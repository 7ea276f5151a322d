// What the runtime reads and writes beside its conversations: the call a session is for, the AI
// outbound call it belongs to, a callback booked by the schedule_callback tool (an
// ai_outbound_calls row), and where a transfer goes (a dialer agent's phone, a campaign's
// number). Scoped by organisation. Functions take `db` first.
import type { Db } from '../../../db/types.js';

export async function findCall(db: Db, callId: number): Promise<{ id: number; orgId: string | null; callSid: string } | undefined> {
  const row = await db.selectFrom('calls').select(['id', 'org_id', 'call_sid']).where('id', '=', callId).executeTakeFirst();
  return row && { id: row.id, orgId: row.org_id, callSid: row.call_sid };
}

export async function findOutboundCall(db: Db, orgId: string, id: string): Promise<{ id: string; toPhone: string; context: string | null; agentId: string; timeZone: string } | undefined> {
  const row = await db.selectFrom('ai_outbound_calls').select(['id', 'to_phone', 'context', 'agent_id', 'timezone']).where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return row && { id: row.id, toPhone: row.to_phone, context: row.context, agentId: row.agent_id, timeZone: row.timezone };
}

export interface Callback {
  orgId: string;
  agentId: string;
  agentVersion: number;
  toPhone: string;
  scheduledFor: Date;
  /** The IANA zone whose legal calling hours the worker places it in. */
  timeZone: string;
  reason: string | null;
  conversationId: string;
}

/**
 * A callback: a scheduled AI outbound call by the same agent (the outbound worker places it when
 * due). Undefined, nothing written, when the agent no longer takes calls (archived or deactivated
 * since the call began: the worker would fail the callback).
 */
export async function insertCallback(db: Db, c: Callback): Promise<string | undefined> {
  const row = await db
    .insertInto('ai_outbound_calls')
    .columns(['org_id', 'agent_id', 'agent_version', 'to_phone', 'context', 'scheduled_for', 'timezone', 'status', 'metadata'])
    .expression((eb) =>
      eb
        .selectFrom('ai_agents')
        .select([
          eb.val(c.orgId).as('org_id'),
          eb.val(c.agentId).as('agent_id'),
          eb.val(c.agentVersion).as('agent_version'),
          eb.val(c.toPhone).as('to_phone'),
          eb.val(c.reason).as('context'),
          eb.val(c.scheduledFor).as('scheduled_for'),
          eb.val(c.timeZone).as('timezone'),
          eb.val('scheduled').as('status'),
          eb.val(JSON.stringify({ source: 'schedule_callback', conversationId: c.conversationId })).as('metadata'),
        ])
        .where('org_id', '=', c.orgId)
        .where('id', '=', c.agentId)
        .where('archived_at', 'is', null)
        .where('is_active', '=', true),
    )
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

export async function dialerAgentPhone(db: Db, orgId: string, agentId: string): Promise<string | undefined> {
  const row = await db.selectFrom('agents').select('phone_e164').where('org_id', '=', orgId).where('id', '=', agentId).executeTakeFirst();
  return row?.phone_e164;
}

/** One active number of the campaign (the oldest): dialling it puts the call into the campaign's own routing. */
export async function campaignNumber(db: Db, orgId: string, campaignId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('phone_numbers')
    .select('phone_number')
    .where('org_id', '=', orgId)
    .where('campaign_id', '=', campaignId)
    .where('is_active', '=', true)
    .orderBy('id')
    .executeTakeFirst();
  return row?.phone_number;
}
