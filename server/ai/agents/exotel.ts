// Exotel's incoming-call webhook (seed 004): the organisation's secret (only its SHA-256 stored,
// compared in constant time), the agent of the dialled number, and the call recorded once per
// CallSid — as `exotel:<CallSid>` in calls.call_sid, beside Twilio's CA… sids.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../../db/types.js';
import { normalisePhone } from '../../crm/leads/phone.js';

const SECRET_PREFIX = 'exws_';
export const EXOTEL_CALL_SID_PREFIX = 'exotel:';
export const EXOTEL_WEBHOOK_PATH = '/api/webhooks/exotel/incoming';

function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** A new secret for the organisation (returned once), replacing any previous one. */
export async function rotateExotelSecret(db: Db, orgId: string, now: Date = new Date()): Promise<{ secret: string; rotatedAt: Date }> {
  const secret = SECRET_PREFIX + randomBytes(32).toString('base64url');
  await db.updateTable('organizations').set({ exotel_secret_hash: hashSecret(secret).toString('hex') }).where('id', '=', orgId).execute();
  return { secret, rotatedAt: now };
}

export interface ExotelOrg {
  id: string;
  /** Where a national number (Exotel's 0XXXXXXXXXX) is read. */
  defaultCountry: string;
}

function firstValue(value: unknown): string | undefined {
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}

/** The secret a webhook request carries: the X-Exotel-Secret header, else the `secret` query parameter. */
export function exotelSecretOf(headers: Record<string, unknown>, query: unknown): string | undefined {
  const fromQuery = query !== null && typeof query === 'object' ? firstValue((query as Record<string, unknown>).secret) : undefined;
  return firstValue(headers['x-exotel-secret']) ?? fromQuery;
}

/** The organisation whose current Exotel secret `secret` is, or undefined. */
export async function orgOfExotelSecret(db: Db, secret: string | undefined): Promise<ExotelOrg | undefined> {
  if (!secret) return undefined;
  const hash = hashSecret(secret);
  const row = await db
    .selectFrom('organizations')
    .select(['id', 'default_country', 'exotel_secret_hash'])
    .where('exotel_secret_hash', '=', hash.toString('hex'))
    .executeTakeFirst();
  if (!row?.exotel_secret_hash) return undefined;
  const stored = Buffer.from(row.exotel_secret_hash, 'hex');
  return stored.length === hash.length && timingSafeEqual(stored, hash) ? { id: row.id, defaultCountry: row.default_country } : undefined;
}

/** The ways a number may arrive from Exotel: as given, as +digits, and read as a national number of `defaultCountry`. */
export function numberCandidates(raw: string, defaultCountry: string): string[] {
  const given = raw.trim();
  const digits = given.replace(/[^0-9]/g, '');
  const national = normalisePhone(given, defaultCountry)?.e164;
  return [...new Set([given, `+${digits}`, ...(national ? [national] : [])].filter((n) => n.length > 1))];
}

export interface AgentNumber {
  phoneNumberId: number;
  phoneNumber: string;
  agentId: string;
  agentVersion: number;
  /** The agent is switched on (a switched-off agent's call is recorded, not taken). */
  agentActive: boolean;
}

/** The organisation's active number `to` with its (not archived) agent, or undefined. */
export async function findAgentNumber(db: Db, org: ExotelOrg, to: string): Promise<AgentNumber | undefined> {
  const row = await db
    .selectFrom('phone_numbers as n')
    .innerJoin('ai_agents as a', (join) => join.onRef('a.id', '=', 'n.ai_agent_id').onRef('a.org_id', '=', 'n.org_id'))
    .select(['n.id', 'n.phone_number', 'a.id as agent_id', 'a.version', 'a.is_active'])
    .where('n.org_id', '=', org.id)
    .where('n.phone_number', 'in', numberCandidates(to, org.defaultCountry))
    .where('n.is_active', '=', true)
    .where('a.archived_at', 'is', null)
    .executeTakeFirst();
  return row && { phoneNumberId: row.id, phoneNumber: row.phone_number, agentId: row.agent_id, agentVersion: row.version, agentActive: row.is_active };
}

export interface ExotelCall {
  orgId: string;
  callSid: string;
  from: string;
  number: AgentNumber;
  callStatus: string | null;
  direction: string | null;
}

export type RecordedExotelCall =
  | { kind: 'recorded'; callId: number; agentId: string; agentVersion: number; agentActive: boolean; duplicate: boolean }
  /** The CallSid is recorded for another organisation. */
  | { kind: 'foreign' };

/** The call, once per CallSid: a repeat changes nothing and gets the first record back. */
export async function recordExotelCall(db: Db, call: ExotelCall): Promise<RecordedExotelCall> {
  const callSid = EXOTEL_CALL_SID_PREFIX + call.callSid;
  const inserted = await db
    .insertInto('calls')
    .values({
      org_id: call.orgId,
      call_sid: callSid,
      source: 'exotel',
      direction: 'inbound',
      phone_number_id: call.number.phoneNumberId,
      from_number: call.from.trim() || null,
      to_number: call.number.phoneNumber,
      routing_method: 'none',
      routing_plan: JSON.stringify({
        carrier: 'exotel',
        aiAgent: { id: call.number.agentId, version: call.number.agentVersion },
        // As the voice webhook records a call to a switched-off agent's number.
        ...(call.number.agentActive ? {} : { reason: 'ai_agent_inactive' }),
        callStatus: call.callStatus,
        direction: call.direction,
      }),
      ai_agent_id: call.number.agentId,
      ai_agent_version: call.number.agentVersion,
    })
    .onConflict((oc) => oc.column('call_sid').doNothing())
    .returning(['id'])
    .executeTakeFirst();
  if (inserted) {
    const { agentId, agentVersion, agentActive } = call.number;
    return { kind: 'recorded', callId: inserted.id, agentId, agentVersion, agentActive, duplicate: false };
  }
  const existing = await db
    .selectFrom('calls')
    .select(['id', 'org_id', 'ai_agent_id', 'ai_agent_version', sql<boolean>`routing_plan->>'reason' IS DISTINCT FROM 'ai_agent_inactive'`.as('agent_active')])
    .where('call_sid', '=', callSid)
    .executeTakeFirstOrThrow();
  if (existing.org_id !== call.orgId || existing.ai_agent_id === null || existing.ai_agent_version === null) return { kind: 'foreign' };
  return { kind: 'recorded', callId: existing.id, agentId: existing.ai_agent_id, agentVersion: existing.ai_agent_version, agentActive: existing.agent_active, duplicate: true };
}
