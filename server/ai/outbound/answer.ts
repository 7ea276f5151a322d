// The carrier's webhooks of an AI outbound call (the logic; handlers.ts is the HTTP glue; the
// Twilio signature is checked before them, routes.ts). A webhook names the attempt
// (`outboundCallId`) and carries the CallSid: the first one stores the sid (and `started_at`: the
// call was placed) when the worker had not (it stopped between placing the call and storing it),
// and a sid that is another call's is no call of this one (404).
import { sql, type Kysely } from 'kysely';
import type { AiOutboundCallRow, DB, Db } from '../../../db/types.js';
import { isUniqueViolation } from '../../platform/common/pg-errors.js';
import { hangupTwiml } from '../../telephony/twiml.js';
import { agentVersion, currentAgentVersion } from '../agents/versions.js';
import { aiAnswerTwiml } from '../runtime/answer.js';
import { FINAL_STATUSES } from './finish.js';

/** How long an answered call's claim lasts (as long as a call can; a lost final callback then lapses). */
export const PLACED_LEASE_SEC = 4 * 3600 + 600;

export async function outboundCallForWebhook(db: Db, id: string, callSid: string): Promise<AiOutboundCallRow | undefined> {
  const call = await db.selectFrom('ai_outbound_calls').selectAll().where('id', '=', id).executeTakeFirst();
  if (!call) return undefined;
  if (call.call_sid === callSid) return call;
  // A call canceled while the worker was placing it still gets its sid: its answer is a hang-up.
  if (call.call_sid !== null || (FINAL_STATUSES.has(call.status) && call.status !== 'canceled')) return undefined;
  let linked: AiOutboundCallRow | undefined;
  try {
    linked = await db
      .updateTable('ai_outbound_calls')
      .set({ call_sid: callSid, started_at: sql<Date>`coalesce(started_at, now())`, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .where('call_sid', 'is', null)
      .returningAll()
      .executeTakeFirst();
  } catch (err) {
    if (isUniqueViolation(err)) return undefined;
    throw err;
  }
  // The worker (or another callback) stored a sid meanwhile: this call's only if it is the same.
  return linked ?? (await db.selectFrom('ai_outbound_calls').selectAll().where('id', '=', id).where('call_sid', '=', callSid).executeTakeFirst());
}

export interface AnswerDeps {
  db: Kysely<DB>;
  publicBaseUrl: string;
  source: 'twilio' | 'simulator';
}

/**
 * The call answered: its call record written once (direction outbound, the agent and the version
 * it runs, the CallSid), the attempt in progress with that version, and the TwiML handing the
 * call to the agent (ConversationRelay). A repeated request answers the same, writing nothing new.
 */
export async function answerOutboundCall(deps: AnswerDeps, id: string, callSid: string, from: string | undefined): Promise<string> {
  const answer = await deps.db.transaction().execute(async (trx) => {
    const call = await trx.selectFrom('ai_outbound_calls').selectAll().where('id', '=', id).forUpdate().executeTakeFirstOrThrow();
    if (FINAL_STATUSES.has(call.status)) return null;
    const version =
      (call.agent_version !== null ? await agentVersion(trx, call.org_id, call.agent_id, call.agent_version) : undefined) ??
      (await currentAgentVersion(trx, call.org_id, call.agent_id));
    if (!version) return null;
    let callId = call.call_id;
    if (callId === null) {
      const callerId = typeof call.metadata.callerId === 'string' ? call.metadata.callerId : (from ?? null);
      const row = await trx
        .insertInto('calls')
        .values({
          org_id: call.org_id,
          call_sid: callSid,
          direction: 'outbound',
          from_number: callerId,
          to_number: call.to_phone,
          ai_agent_id: call.agent_id,
          ai_agent_version: version.version,
          status: 'in-progress',
          status_rank: 3,
          answered_at: sql<Date>`now()`,
          source: deps.source,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      callId = row.id;
    }
    await trx
      .updateTable('ai_outbound_calls')
      .set({
        status: 'in-progress',
        call_id: callId,
        agent_version: version.version,
        started_at: sql<Date>`coalesce(started_at, now())`,
        locked_until: sql<Date>`now() + make_interval(secs => ${PLACED_LEASE_SEC})`,
        updated_at: sql<Date>`now()`,
      })
      .where('id', '=', id)
      .execute();
    return { version, callId };
  });
  if (!answer) return hangupTwiml();
  return aiAnswerTwiml({ publicBaseUrl: deps.publicBaseUrl, version: answer.version, callId: answer.callId, outboundCallId: id });
}
