// The end of an agent's leg (its status callback). An agent who answered (`completed`) joined the
// call's conference and left it: the agent is free again. An agent who never answered (no-answer,
// busy, failed, canceled) never joined: the call is abandoned — its disposition `abandoned` and
// its agent cleared (finishCall then counts an abandonment, no talk time, no completed call, and
// frees no one), the agent free again — and the person, alone in the conference, is taken out of it
// to the abandon message (the telephony port's call update to the answer webhook, which answers an
// abandoned call with that message and a hang-up, as when no agent was free; hung up if the update
// fails). The person's final status then finishes the call. Repeated deliveries change nothing.
import type { Db } from '../../../db/types.js';
import type { Telephony } from '../../telephony/types.js';
import { releaseAgent } from './agent-claim.js';
import { isPlaceholderSid } from '../loop/queries.js';

export interface AgentLegDeps {
  db: Db;
  telephony: Pick<Telephony, 'hangupCall' | 'redirectCall'>;
  /** Where the person hears the abandon message: the call's answer webhook. */
  abandonUrl: (callId: number) => string;
  log?: { warn: (obj: object, msg: string) => void };
}

/** Did the agent's leg end without the agent ever answering it? */
export function agentNeverAnswered(status: string): boolean {
  return status === 'no-answer' || status === 'busy' || status === 'failed' || status === 'canceled';
}

export async function agentLegEnded(deps: AgentLegDeps, call: { id: number; org_id: string | null }, agentId: string, status: string): Promise<{ abandoned: boolean }> {
  if (!call.org_id) return { abandoned: false };
  if (!agentNeverAnswered(status)) {
    await releaseAgent(deps.db, call.org_id, agentId, call.id);
    return { abandoned: false };
  }
  const abandoned = await deps.db
    .updateTable('calls')
    .set({ disposition: 'abandoned', agent_id: null })
    .where('id', '=', call.id)
    .where('agent_id', '=', agentId)
    .where('disposition', '=', 'answered')
    .where('status_rank', '<', 4)
    .returning('call_sid')
    .executeTakeFirst();
  await releaseAgent(deps.db, call.org_id, agentId, call.id);
  if (!abandoned) return { abandoned: false };
  if (!isPlaceholderSid(abandoned.call_sid)) {
    try {
      await deps.telephony.redirectCall(abandoned.call_sid, deps.abandonUrl(call.id));
    } catch (redirectErr) {
      try {
        await deps.telephony.hangupCall(abandoned.call_sid);
        deps.log?.warn({ err: redirectErr, callId: call.id }, 'the person left without an agent was hung up without the abandon message');
      } catch (err) {
        deps.log?.warn({ err, callId: call.id }, 'the person left without an agent could not be hung up');
      }
    }
  }
  return { abandoned: true };
}
