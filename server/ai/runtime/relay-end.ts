// Where a call goes when its ConversationRelay session ends (the <Connect action> webhook): the
// handoffData of the agent's `end` decides — a transfer to a number dials it, to a person dials
// that dialer agent's phone, to a campaign dials the campaign's number (its own routing takes the
// call); everything else hangs up. `handoffTarget` is pure; `continueCall` looks the targets up.
import type { Db } from '../../../db/types.js';
import { hangupTwiml, transferTwiml } from '../../telephony/twiml.js';
import { campaignNumber, dialerAgentPhone } from './call-queries.js';

export type HandoffTarget =
  | { kind: 'number'; phoneNumber: string }
  | { kind: 'person'; humanAgentId: string }
  | { kind: 'campaign'; campaignId: string }
  | { kind: 'hangup' };

const E164 = /^\+[1-9][0-9]{6,14}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** HandoffData (a JSON string, or absent) → where the call goes. Anything unreadable hangs up. */
export function handoffTarget(raw: string | undefined): HandoffTarget {
  if (!raw) return { kind: 'hangup' };
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return { kind: 'hangup' };
  }
  if (data === null || typeof data !== 'object') return { kind: 'hangup' };
  const h = data as Record<string, unknown>;
  if (h.reason !== 'transfer') return { kind: 'hangup' };
  if (h.type === 'transfer_to_number' && typeof h.phoneNumber === 'string' && E164.test(h.phoneNumber)) return { kind: 'number', phoneNumber: h.phoneNumber };
  if (h.type === 'transfer_to_person' && typeof h.humanAgentId === 'string' && UUID.test(h.humanAgentId)) return { kind: 'person', humanAgentId: h.humanAgentId.toLowerCase() };
  if (h.type === 'transfer_to_campaign' && typeof h.campaignId === 'string' && UUID.test(h.campaignId)) return { kind: 'campaign', campaignId: h.campaignId.toLowerCase() };
  return { kind: 'hangup' };
}

/** Twilio's CallStatus values of a call that is over (nothing more can be done with it). */
const FINISHED = new Set(['completed', 'busy', 'failed', 'no-answer', 'canceled']);

export interface SessionEnd {
  orgId: string;
  callStatus: string | undefined;
  sessionStatus: string | undefined;
  handoffData: string | undefined;
}

/** The TwiML that continues the call: a <Dial> to the handoff's target, or <Hangup/>. */
export async function continueCall(db: Db, end: SessionEnd): Promise<{ twiml: string; target: HandoffTarget; dialled: string | null }> {
  const target = end.callStatus !== undefined && FINISHED.has(end.callStatus) ? ({ kind: 'hangup' } as const) : handoffTarget(end.handoffData);
  let dialled: string | null = null;
  if (target.kind === 'number') dialled = target.phoneNumber;
  else if (target.kind === 'person') dialled = (await dialerAgentPhone(db, end.orgId, target.humanAgentId)) ?? null;
  else if (target.kind === 'campaign') dialled = (await campaignNumber(db, end.orgId, target.campaignId)) ?? null;
  return { twiml: dialled ? transferTwiml(dialled) : hangupTwiml(), target, dialled };
}
