// The answer webhook of an outbound call (Twilio requests it when the called side picks up):
//   AMD on and no result yet   → wait a second and ask again (asynchronous AMD decides meanwhile)
//   a machine                  → the voicemail drop (after the beep: DetectMessageEnd), hang up
//   a person, agent taken      → into the call's conference; the agent is called (a whisper of
//                                the lead's name, then the same conference)
//   a person, no agent yet     → wait a second and try again, for ABANDON_AFTER_SEC in all; then
//                                the call is abandoned: a short message, hang up
//   a person, preview call     → the agent chosen before the dial is called into the conference
// A retried request gets the same decision (the call row remembers the agent, the abandonment).
import type { AgentRow, CallRow, CampaignRow, Db } from '../../../db/types.js';
import type { Telephony } from '../../telephony/types.js';
import { isMachine } from '../loop/outcome.js';
import { claimAgentForCall, releaseAgent } from './agent-claim.js';
import { IN_PROGRESS_RANK, markInProgress } from './calls.js';
import { publishIncomingCall } from './call-events.js';
import { hangupTwiml } from '../../telephony/twiml.js';
import { abandonTwiml, conferenceName, conferenceTwiml, voicemailTwiml, waitTwiml } from './twiml.js';
import type { OutboundUrls } from './urls.js';

/** A person who answered and has no agent after this long hears the abandon message (DESIGN.md 9.2). */
export const ABANDON_AFTER_SEC = 2;
/** Asynchronous AMD decides within its timeout (30 s by default); after that the caller is taken for a person. */
export const AMD_MAX_POLLS = 40;

export interface OutboundWebhookDeps {
  db: Db;
  telephony: Pick<Telephony, 'placeCall'>;
  urls: OutboundUrls;
  audioUrl: (audioId: string) => string;
  log?: { warn: (obj: object, msg: string) => void };
  /** The clock agents' working hours are read against (the bench accelerates it). */
  now?: () => Date;
}

export interface AnswerQuery {
  callId: number;
  /** How many times the call has waited for the AMD result. */
  poll: number;
  /** How many seconds a person has waited for an agent. */
  agentWait: number;
}

function leadName(call: CallRow, lead: { name: string | null; first_name: string | null; last_name: string | null } | undefined): string {
  const name = lead?.name ?? [lead?.first_name, lead?.last_name].filter(Boolean).join(' ');
  return name ? `Call with ${name}` : `Call with ${call.to_number ?? 'a lead'}`;
}

async function callAgent(deps: OutboundWebhookDeps, call: CallRow, campaign: CampaignRow, agent: AgentRow): Promise<boolean> {
  try {
    await deps.telephony.placeCall({
      to: agent.phone_e164,
      from: campaign.caller_id!,
      answerUrl: deps.urls.agentAnswer(call.id, agent.id),
      statusCallbackUrl: deps.urls.agentStatus(call.id, agent.id),
      statusEvents: ['completed'],
      timeoutSeconds: 20,
    });
    return true;
  } catch (err) {
    deps.log?.warn({ err, callId: call.id, agentId: agent.id }, 'the agent could not be called');
    return false;
  }
}

function conference(deps: OutboundWebhookDeps, call: Pick<CallRow, 'id'>): string {
  return conferenceTwiml(conferenceName(call.id), { endOnExit: false, statusUrl: deps.urls.conferenceStatus(call.id) });
}

export async function answerOutbound(deps: OutboundWebhookDeps, call: CallRow, query: AnswerQuery): Promise<string> {
  const { db } = deps;
  // Statuses only move forward: a call already in progress (a repeated poll) has nothing to mark.
  if (call.status_rank < IN_PROGRESS_RANK) await markInProgress(db, call.id);
  const campaign = call.campaign_id ? await db.selectFrom('campaigns').selectAll().where('id', '=', call.campaign_id).executeTakeFirst() : undefined;
  if (!campaign || call.status_rank >= 4) return hangupTwiml();
  if (call.disposition === 'abandoned') return abandonTwiml();
  if (call.agent_id !== null && call.disposition !== null) return conference(deps, call);
  if (campaign.amd_enabled && call.answered_by === null && query.poll < AMD_MAX_POLLS) {
    return waitTwiml(deps.urls.answer(call.id, { poll: query.poll + 1 }));
  }
  if (isMachine(call.answered_by)) return voicemailTwiml(campaign.voicemail_drop, deps.audioUrl);
  if (call.agent_id !== null) return bridgePreviewed(deps, call, campaign, query);

  // A campaign whose agent group was deleted meanwhile has no agent for the person: as when none is free.
  const claim = campaign.agent_group_id
    ? await claimAgentForCall(db, campaign.org_id, campaign.agent_group_id, call.id, deps.now?.() ?? new Date())
    : ({ outcome: 'none' } as const);
  if (claim.outcome === 'decided') {
    // Another delivery of this webhook took an agent or abandoned the call first: its decision.
    return answerOutbound(deps, await db.selectFrom('calls').selectAll().where('id', '=', call.id).executeTakeFirstOrThrow(), query);
  }
  if (claim.outcome === 'claimed') {
    if (await callAgent(deps, call, campaign, claim.agent)) {
      await publishIncomingCall(db, call, claim.agent, conferenceName(call.id));
      return conference(deps, call);
    }
    // The carrier refused the agent's call: the agent is free again and the person waits on —
    // unless the person hung up meanwhile: a finished call keeps what its end recorded.
    const unclaimed = await db
      .updateTable('calls')
      .set({ agent_id: null, conference_name: null, disposition: null })
      .where('id', '=', call.id)
      .where('agent_id', '=', claim.agent.id)
      .where('status_rank', '<', 4)
      .returning('id')
      .executeTakeFirst();
    await releaseAgent(db, campaign.org_id, claim.agent.id, call.id);
    // Ended (or decided otherwise) meanwhile: answered as the call now stands (a hang-up if ended).
    if (!unclaimed) return answerOutbound(deps, await db.selectFrom('calls').selectAll().where('id', '=', call.id).executeTakeFirstOrThrow(), query);
  }
  if (query.agentWait < ABANDON_AFTER_SEC) return waitTwiml(deps.urls.answer(call.id, { poll: query.poll, agentWait: query.agentWait + 1 }));
  const abandoned = await db
    .updateTable('calls')
    .set({ disposition: 'abandoned' })
    .where('id', '=', call.id)
    .where('disposition', 'is', null)
    .returning('id')
    .executeTakeFirst();
  if (abandoned) return abandonTwiml();
  // Another delivery of this webhook decided first (an agent, or the abandonment): its decision.
  return answerOutbound(deps, await db.selectFrom('calls').selectAll().where('id', '=', call.id).executeTakeFirstOrThrow(), query);
}

/**
 * A preview call (its agent chosen before the dial) answered by a person: the agent is called into
 * the conference. Only the delivery that marks the call answered calls the agent; should the
 * carrier refuse the agent's call, the person hears the abandon message.
 */
async function bridgePreviewed(deps: OutboundWebhookDeps, call: CallRow, campaign: CampaignRow, query: AnswerQuery): Promise<string> {
  const { db } = deps;
  const marked = await db
    .updateTable('calls')
    .set({ conference_name: conferenceName(call.id), disposition: 'answered' })
    .where('id', '=', call.id)
    .where('agent_id', '=', call.agent_id)
    .where('disposition', 'is', null)
    .returning('id')
    .executeTakeFirst();
  if (!marked) return answerOutbound(deps, await db.selectFrom('calls').selectAll().where('id', '=', call.id).executeTakeFirstOrThrow(), query);
  const agent = await db.selectFrom('agents').selectAll().where('id', '=', call.agent_id!).executeTakeFirst();
  if (agent && (await callAgent(deps, call, campaign, agent))) {
    await publishIncomingCall(db, call, agent, conferenceName(call.id));
    return conference(deps, call);
  }
  // Abandoned unless the person hung up meanwhile: a finished call keeps what its end recorded
  // (its counters were added for it as it ended).
  const abandoned = await db
    .updateTable('calls')
    .set({ disposition: 'abandoned' })
    .where('id', '=', call.id)
    .where('disposition', '=', 'answered')
    .where('status_rank', '<', 4)
    .returning('id')
    .executeTakeFirst();
  if (agent) await releaseAgent(db, campaign.org_id, agent.id, call.id);
  return abandoned ? abandonTwiml() : hangupTwiml();
}

/** The agent's call answered: the whisper of the lead's name, then the lead's conference. */
export async function answerAgent(deps: OutboundWebhookDeps, call: CallRow, agentId: string): Promise<string> {
  if (call.agent_id !== agentId || call.conference_name === null || call.status_rank >= 4) return hangupTwiml();
  const lead = call.lead_id ? await deps.db.selectFrom('leads').select(['name', 'first_name', 'last_name']).where('id', '=', call.lead_id).executeTakeFirst() : undefined;
  return conferenceTwiml(call.conference_name, { whisper: leadName(call, lead), endOnExit: true, statusUrl: deps.urls.conferenceStatus(call.id) });
}
