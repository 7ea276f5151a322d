// The dial loop's reads and writes. Functions take `db` or a transaction first.
//
// Multi-instance safety: a tick locks its campaign row (FOR UPDATE SKIP LOCKED: another instance
// skips a campaign in hand) and, holding it, counts the campaign's open calls and inserts the
// new ones — so two instances never exceed a campaign's lines. Leads are claimed FOR UPDATE SKIP
// LOCKED and move to `calling` with a lease in the same transaction: a lead is never dialled
// twice at once, and a claim whose dialer died lapses (releaseLapsedClaims).
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { SelectQueryBuilder, Transaction } from 'kysely';
import type { CallRow, CampaignRow, DB, Db, LeadDialStatus, LeadRow } from '../../../db/types.js';
import { addDialCounters } from '../campaigns/counters.js';
import { type PresenceResult, setAgentPresence } from '../agents/presence.js';

/** Active outbound campaigns the dialer paces (not preview: their agents dial), inside their schedule window. */
function dialable<Q extends SelectQueryBuilder<DB, 'campaigns', object>>(query: Q): Q {
  return query
    .where('direction', '=', 'outbound')
    .where('status', '=', 'active')
    .where((eb) => eb.or([eb('dial_mode', 'is', null), eb('dial_mode', '<>', 'preview')]))
    .where((eb) => eb.or([eb('schedule_start', 'is', null), eb('schedule_start', '<=', sql<Date>`now()`)]))
    .where((eb) => eb.or([eb('schedule_end', 'is', null), eb('schedule_end', '>', sql<Date>`now()`)])) as Q;
}

/** The dialable campaigns (above), oldest first. */
export async function dialableCampaignIds(db: Db): Promise<string[]> {
  const rows = await dialable(db.selectFrom('campaigns').select('id')).orderBy('created_at').execute();
  return rows.map((r) => r.id);
}

/**
 * The campaign, locked for this tick, if it is still dialable (above) as the list found it;
 * undefined when another instance holds it or, meanwhile, it stopped, turned to preview (its
 * agents dial) or left its schedule window.
 */
export function lockCampaignForTick(trx: Transaction<DB>, id: string): Promise<CampaignRow | undefined> {
  return dialable(trx.selectFrom('campaigns').selectAll()).where('id', '=', id).forUpdate().skipLocked().executeTakeFirst();
}

/** The tick's own campaign (locked): paused, e.g. when its caller id is no longer the organisation's. */
export async function pauseCampaign(trx: Transaction<DB>, id: string): Promise<void> {
  await trx.updateTable('campaigns').set({ status: 'paused', updated_at: sql`now()` }).where('id', '=', id).execute();
}

/** Calls of the campaign placed and not yet bridged to an agent nor finished (its lines in use). */
export async function outstandingCallCount(db: Db, campaignId: string): Promise<number> {
  const row = await db
    .selectFrom('calls')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('campaign_id', '=', campaignId)
    .where('direction', '=', 'outbound')
    .where('status_rank', '<', 4)
    .where('agent_id', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface RecentRates {
  /** Abandoned / person-answered over the last `window` person-answered calls; null: none yet. */
  abandon: number | null;
  /** Person-answered / finished over the last `window` finished calls; null: none yet. */
  person: number | null;
}

/** The predictive pacing's measurements over the campaign's recent calls (two index-ordered reads). */
export async function recentRates(db: Db, campaignId: string, window = 200): Promise<RecentRates> {
  const { rows } = await sql<{ finished: string; person: string; answered: string; abandoned: string }>`
    SELECT
      (SELECT count(*) FROM (SELECT 1 FROM calls WHERE campaign_id = ${campaignId} AND direction = 'outbound' AND status_rank = 4
         ORDER BY id DESC LIMIT ${window}) f) AS finished,
      (SELECT count(*) FILTER (WHERE disposition IN ('answered', 'abandoned')) FROM (SELECT disposition FROM calls
         WHERE campaign_id = ${campaignId} AND direction = 'outbound' AND status_rank = 4 ORDER BY id DESC LIMIT ${window}) f) AS person,
      (SELECT count(*) FROM (SELECT 1 FROM calls WHERE campaign_id = ${campaignId} AND direction = 'outbound'
         AND disposition IN ('answered', 'abandoned') ORDER BY id DESC LIMIT ${window}) a) AS answered,
      (SELECT count(*) FILTER (WHERE disposition = 'abandoned') FROM (SELECT disposition FROM calls WHERE campaign_id = ${campaignId}
         AND direction = 'outbound' AND disposition IN ('answered', 'abandoned') ORDER BY id DESC LIMIT ${window}) a) AS abandoned`.execute(db);
  const row = rows[0];
  const finished = Number(row?.finished ?? 0);
  const answered = Number(row?.answered ?? 0);
  return {
    abandon: answered === 0 ? null : Number(row?.abandoned ?? 0) / answered,
    person: finished === 0 ? null : Number(row?.person ?? 0) / finished,
  };
}

export type DueLead = Pick<LeadRow, 'id' | 'org_id' | 'phone_e164' | 'time_zone' | 'call_attempts'>;

/**
 * Up to `limit` leads due now, locked (SKIP LOCKED: another instance's are passed over): first
 * those whose (re)call time has come, oldest first, then leads never scheduled, by priority
 * (urgent first) then oldest first. Two index range scans (leads_due_idx,
 * leads_fresh_priority_idx) — neither walks past the leads deferred to later (a night zone, a
 * retry in an hour), however many there are.
 */
export async function claimDueLeads(trx: Transaction<DB>, campaignId: string, limit: number): Promise<DueLead[]> {
  const due = () =>
    trx
      .selectFrom('leads')
      .select(['id', 'org_id', 'phone_e164', 'time_zone', 'call_attempts'])
      .where('campaign_id', '=', campaignId)
      .where('dial_status', 'in', ['pending', 'queued'])
      .where('do_not_call', '=', false);
  const scheduled = await due().where('next_call_at', '<=', sql<Date>`now()`).orderBy('next_call_at').limit(limit).forUpdate().skipLocked().execute();
  if (scheduled.length >= limit) return scheduled;
  const fresh = await due()
    .where('next_call_at', 'is', null)
    // The expression of leads_fresh_priority_idx (migration 0052): urgent, high, normal, low.
    .orderBy(sql`CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END`)
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit - scheduled.length)
    .forUpdate()
    .skipLocked()
    .execute();
  return [...scheduled, ...fresh];
}

/** Leads found on the do-not-call list at dial time: never dialled (a preview hold given up). */
export async function markDoNotCall(trx: Transaction<DB>, leadIds: readonly string[]): Promise<void> {
  if (leadIds.length === 0) return;
  await trx
    .updateTable('leads')
    .set({ dial_status: 'dnc', next_call_at: null, preview_agent_id: null, dial_lease_until: null, updated_at: sql<Date>`now()` })
    .where('id', 'in', [...leadIds])
    .execute();
}

/** Leads outside their calling hours now: due again at their next callable moment; null: never again (`failed`). */
export async function deferLeads(trx: Transaction<DB>, deferred: ReadonlyArray<{ id: string; at: Date | null }>): Promise<void> {
  if (deferred.length === 0) return;
  await sql`
    UPDATE leads SET next_call_at = d.at, dial_status = CASE WHEN d.at IS NULL THEN 'failed' ELSE leads.dial_status END, updated_at = now()
    FROM unnest(${deferred.map((d) => d.id)}::uuid[], ${deferred.map((d) => d.at?.toISOString() ?? null)}::timestamptz[]) AS d(id, at)
    WHERE leads.id = d.id`.execute(trx);
}

/** A placeholder CallSid until the carrier gives the call its own (DL + 32 hex). */
export function placeholderCallSid(): string {
  return `DL${randomBytes(16).toString('hex')}`;
}

export function isPlaceholderSid(sid: string): boolean {
  return sid.startsWith('DL');
}

/** How long a claimed lead's call may take to reach the carrier before the claim lapses. */
export const CLAIM_LEASE_SEC = 120;
/** Once the carrier has the call: as long as a call can last (a lost final callback then lapses). */
export const PLACED_LEASE_SEC = 4 * 3600 + 600;

export interface NewOutboundCall {
  lead: DueLead;
  attempt: number;
}

/**
 * The calls about to be placed, recorded (status queued, a placeholder sid), their leads moved to
 * `calling` under a lease, the campaign's calls_made counted — in the tick's transaction.
 */
export async function recordOutboundCalls(
  trx: Transaction<DB>,
  campaign: CampaignRow,
  calls: readonly NewOutboundCall[],
  source: 'twilio' | 'simulator',
): Promise<CallRow[]> {
  if (calls.length === 0) return [];
  const rows = await trx
    .insertInto('calls')
    .values(
      calls.map(({ lead, attempt }) => ({
        org_id: campaign.org_id,
        call_sid: placeholderCallSid(),
        direction: 'outbound' as const,
        campaign_id: campaign.id,
        lead_id: lead.id,
        from_number: campaign.caller_id,
        to_number: lead.phone_e164,
        dial_attempt: attempt,
        source,
      })),
    )
    .returningAll()
    .execute();
  // Every lead of the batch in one statement: `calling` under a lease, the attempt, its call.
  await sql`
    UPDATE leads SET dial_status = 'calling', dial_lease_until = now() + make_interval(secs => ${CLAIM_LEASE_SEC}),
      call_attempts = c.dial_attempt, last_call_at = now(), last_call_id = c.id, next_call_at = NULL, updated_at = now()
    FROM unnest(${rows.map((r) => r.id)}::integer[], ${rows.map((r) => r.lead_id)}::uuid[], ${rows.map((r) => r.dial_attempt)}::integer[])
      AS c(id, lead_id, dial_attempt)
    WHERE leads.id = c.lead_id`.execute(trx);
  await addDialCounters(trx, campaign.id, { callsMade: rows.length });
  return rows;
}

/** The carrier took the call: its sid replaces the placeholder and the lead's claim lasts the call (one statement). */
export async function callPlaced(db: Db, callId: number, callSid: string): Promise<void> {
  await sql`
    WITH placed AS (
      UPDATE calls SET call_sid = ${callSid}, updated_at = now() WHERE id = ${callId} AND call_sid LIKE 'DL%' RETURNING lead_id)
    UPDATE leads SET dial_lease_until = now() + make_interval(secs => ${PLACED_LEASE_SEC})
    FROM placed WHERE leads.id = placed.lead_id AND leads.last_call_id = ${callId} AND leads.dial_status = 'calling'`.execute(db);
}

/** A placed call whose lead's claim lapsed before its final status came (finished by the tick). */
export type LostCall = Pick<CallRow, 'id' | 'agent_id' | 'disposition' | 'answered_by'>;

/** The agent of a canceled call (a preview call has its agent before it is placed), set free again. */
export interface FreedAgent {
  orgId: string;
  agentId: string;
  presence: PresenceResult;
}

/**
 * Claims that lapsed: a preview hold past its time (the lead is queued again as it was), and a
 * lead still `calling` past its lease. A call that never reached the carrier (placeholder sid,
 * still queued) is canceled and the lead is due again at once without the attempt; the agent it
 * already had (a preview call's, turned busy when it was recorded) is available again (`freed`,
 * compare-and-set from busy, as finishCall does). A placed call
 * still open (its final callback never came) is returned in `lost`, its lead left to the caller,
 * which finishes the call (finishCall: the call closed, the lead by the retry policy, the agent
 * freed). Any other lapsed lead is due again at once. `released` counts the leads and holds.
 */
export async function releaseLapsedClaims(db: Db): Promise<{ released: number; lost: LostCall[]; freed: FreedAgent[] }> {
  return db.transaction().execute(async (trx) => {
    // Preview holds no agent acted on: the lead is due again as it was, no attempt counted.
    const holds = await trx
      .updateTable('leads')
      .set({ dial_status: 'queued', preview_agent_id: null, dial_lease_until: null, updated_at: sql<Date>`now()` })
      .where('dial_status', '=', 'previewing')
      .where('dial_lease_until', '<', sql<Date>`now()`)
      .executeTakeFirst();
    const lapsed = await trx
      .selectFrom('leads')
      .select(['id', 'last_call_id', 'call_attempts'])
      .where('dial_status', '=', 'calling')
      .where('dial_lease_until', '<', sql<Date>`now()`)
      .limit(500)
      .forUpdate()
      .skipLocked()
      .execute();
    const lost: LostCall[] = [];
    const freed: FreedAgent[] = [];
    for (const lead of lapsed) {
      const canceled = lead.last_call_id
        ? await trx
            .updateTable('calls')
            .set({ status: 'canceled', status_rank: 4, disposition: 'canceled', ended_at: sql<Date>`now()` })
            .where('id', '=', lead.last_call_id)
            .where('call_sid', 'like', 'DL%')
            .where('status_rank', '=', 0)
            .returning(['id', 'org_id', 'agent_id', 'campaign_id'])
            .executeTakeFirst()
        : undefined;
      // Never placed: not a call made (its attempt is given back below too).
      if (canceled?.campaign_id) await addDialCounters(trx, canceled.campaign_id, { callsMade: -1 });
      if (canceled?.agent_id && canceled.org_id) {
        const presence = await setAgentPresence(trx, canceled.org_id, canceled.agent_id, { from: 'busy', to: 'available', reason: 'call' });
        freed.push({ orgId: canceled.org_id, agentId: canceled.agent_id, presence });
      }
      const open =
        lead.last_call_id && !canceled
          ? await trx.selectFrom('calls').select(['id', 'agent_id', 'disposition', 'answered_by']).where('id', '=', lead.last_call_id).where('status_rank', '<', 4).executeTakeFirst()
          : undefined;
      if (open) {
        lost.push(open);
        continue;
      }
      // A number listed meanwhile (the list leaves a calling lead to its call): `dnc`, not due again.
      await trx
        .updateTable('leads')
        .set({
          dial_status: sql<LeadDialStatus>`CASE WHEN leads.do_not_call THEN 'dnc' ELSE 'queued' END`,
          dial_lease_until: null,
          next_call_at: sql<Date | null>`CASE WHEN leads.do_not_call THEN NULL ELSE now() END`,
          call_attempts: canceled ? Math.max(0, lead.call_attempts - 1) : lead.call_attempts,
          updated_at: sql<Date>`now()`,
        })
        .where('id', '=', lead.id)
        .execute();
    }
    return { released: lapsed.length + Number(holds.numUpdatedRows), lost, freed };
  });
}
