// The end of an outbound call, applied once (the first final status wins; a repeated or late
// callback changes nothing): the call's status, duration, disposition and talk time; the lead
// done, queued for a retry by the campaign's policy, or given up; the campaign's counters; the
// agent free again; the call.completed event raised. One transaction; the agent's presence goes
// through freeAgentAfterCall (a compare-and-set from busy: an agent who went on a break meanwhile
// stays on it; one its other calls still fill stays busy).
import { sql } from 'kysely';
import type { CallDisposition, DB, LeadDialStatus } from '../../../db/types.js';
import type { Kysely } from 'kysely';
import { freeAgentAfterCall } from './agent-claim.js';
import { type FinishedCall, publishCallEnd } from './call-events.js';
import { raiseCallEvents } from '../../platform/events/call-events.js';
import { storedRetryPolicy } from '../campaigns/settings.js';
import { addDialCounters } from '../campaigns/counters.js';
import { dispositionOf, type FinalCallStatus, leadAfterCall } from '../loop/outcome.js';

export interface FinalStatus {
  status: FinalCallStatus;
  durationSec: number;
  /** Twilio's Price when it gives one (a negative decimal string in the account currency). */
  price?: string | undefined;
}

export async function finishCall(db: Kysely<DB>, callId: number, final: FinalStatus, now: Date): Promise<{ finished: boolean; disposition?: CallDisposition }> {
  const done = await db.transaction().execute(async (trx) => {
    // The call locked, with its campaign's retry policy in the same round trip.
    const found = await trx
      .selectFrom('calls')
      .leftJoin('campaigns', 'campaigns.id', 'calls.campaign_id')
      .selectAll('calls')
      .select(['campaigns.id as campaign_row_id', 'campaigns.retry_policy as campaign_retry_policy', 'campaigns.amd_enabled as campaign_amd_enabled'])
      .where('calls.id', '=', callId)
      .where('calls.direction', '=', 'outbound')
      .forUpdate('calls')
      .executeTakeFirst();
    if (!found || found.status_rank >= 4) return { finished: false as const };
    const { campaign_row_id: campaignRowId, campaign_retry_policy: campaignRetryPolicy, campaign_amd_enabled: amdEnabled, ...call } = found;
    // A call of a campaign: one a person answered and hung up on before an agent took it is abandoned.
    const answered = campaignRowId === null ? undefined : { agentId: call.agent_id, amdEnabled: amdEnabled === true };
    const disposition = dispositionOf(final.status, call.answered_by, call.disposition, answered);
    const talked = disposition === 'answered' && call.agent_id !== null ? final.durationSec : 0;
    const cost = final.price !== undefined && final.price !== '' && Number.isFinite(Number(final.price)) ? Math.abs(Number(final.price)) : null;
    await trx
      .updateTable('calls')
      .set({
        status: final.status,
        status_rank: 4,
        duration_sec: sql<number>`GREATEST(COALESCE(duration_sec, 0), ${final.durationSec})`,
        disposition,
        talk_time_sec: talked,
        cost,
        ended_at: sql<Date>`now()`,
        updated_at: sql<Date>`now()`,
      })
      .where('id', '=', callId)
      .execute();
    const campaign = campaignRowId === null ? undefined : { id: campaignRowId, retry_policy: campaignRetryPolicy };
    let lead: FinishedCall['lead'] = null;
    if (call.lead_id && campaign) {
      const next = leadAfterCall(storedRetryPolicy(campaign), disposition, call.dial_attempt ?? 1, now);
      lead =
        (await trx
          .updateTable('leads')
          // A number listed while the call was live (the list leaves a lead `calling` to its call):
          // no retry — `dnc`, as the list marks its other leads.
          .set({
            dial_status: next.dialStatus === 'queued' ? sql<LeadDialStatus>`CASE WHEN leads.do_not_call THEN 'dnc' ELSE 'queued' END` : next.dialStatus,
            next_call_at: next.dialStatus === 'queued' ? sql<Date | null>`CASE WHEN leads.do_not_call THEN NULL ELSE ${next.nextCallAt}::timestamptz END` : next.nextCallAt,
            dial_lease_until: null,
            updated_at: sql<Date>`now()`,
          })
          .where('id', '=', call.lead_id)
          .where('last_call_id', '=', callId)
          .where('dial_status', '=', 'calling')
          .returning(['id', 'campaign_id', 'assigned_to', 'dial_status', 'next_call_at', 'call_attempts'])
          .executeTakeFirst()) ?? null;
    }
    const presence = call.agent_id && call.org_id ? await freeAgentAfterCall(trx, call.org_id, call.agent_id, callId) : null;
    if (call.org_id) await raiseCallEvents(trx, { orgId: call.org_id, callId }, ['call.completed']);
    // The campaign's counters last, on this connection's shard row (campaign_dial_counters).
    if (campaign) {
      const person = disposition === 'answered' || disposition === 'abandoned';
      await addDialCounters(trx, campaign.id, {
        callsAnswered: person ? 1 : 0,
        callsCompleted: disposition === 'answered' && call.agent_id !== null ? 1 : 0,
        callsAbandoned: disposition === 'abandoned' ? 1 : 0,
      });
    }
    return { finished: true as const, disposition, call, durationSec: final.durationSec, talked, lead, presence };
  });
  if (!done.finished) return done;
  publishCallEnd(db, done);
  return { finished: true, disposition: done.disposition };
}
