// How a conversation ended, as an outcome and a short summary (pure): from rules, or from the
// model's answer to the summary request (summary.ts) when one is configured and answers sensibly.

export const OUTCOMES = ['transferred', 'completed', 'callback_scheduled', 'caller_hung_up', 'no_input'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export type EndReason = 'transferred' | 'ended_by_agent' | 'caller_hung_up' | 'session_error';

export interface ConversationFacts {
  endReason: EndReason;
  handoff: Record<string, unknown> | null;
  /** The caller's turns, in order. */
  userTurns: readonly string[];
  toolsUsed: ReadonlySet<string>;
  channel: 'voice' | 'text';
}

export function ruleOutcome(facts: ConversationFacts): Outcome {
  if (facts.endReason === 'transferred') return 'transferred';
  if (facts.toolsUsed.has('schedule_callback')) return 'callback_scheduled';
  if (facts.userTurns.length === 0) return 'no_input';
  if (facts.endReason === 'ended_by_agent') return 'completed';
  return 'caller_hung_up';
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function handoffTarget(handoff: Record<string, unknown> | null): string {
  if (!handoff) return 'elsewhere';
  const target = handoff.phoneNumber ?? handoff.humanAgentId ?? handoff.campaignId;
  const kind = handoff.type === 'transfer_to_person' ? 'a human agent' : handoff.type === 'transfer_to_campaign' ? 'a campaign' : 'a number';
  return typeof target === 'string' ? `${kind} (${target})` : kind;
}

export function ruleSummary(facts: ConversationFacts, outcome: Outcome): string {
  const who = facts.channel === 'voice' ? 'The caller' : 'The user';
  if (facts.userTurns.length === 0) return `${who} said nothing before the conversation ended.`;
  const first = clip(facts.userTurns[0]!.trim(), 160);
  const turns = `${facts.userTurns.length} message${facts.userTurns.length === 1 ? '' : 's'}`;
  const end: Record<Outcome, string> = {
    transferred: `was transferred to ${handoffTarget(facts.handoff)}`,
    completed: 'the agent ended the conversation',
    callback_scheduled: 'a callback was scheduled',
    caller_hung_up: facts.channel === 'voice' ? 'the caller hung up' : 'the conversation was left open',
    no_input: 'nothing was said',
  };
  const tail = outcome === 'transferred' ? `${who.toLowerCase() === 'the caller' ? 'The caller' : who} ${end[outcome]}.` : `Then ${end[outcome]}.`;
  return `${who} opened with "${first}" (${turns}). ${tail}`;
}

/** The model's summary answer `{"summary": …, "outcome": …}` (possibly fenced), or null when unreadable. */
export function readModelSummary(text: string): { summary: string; outcome: Outcome | null } | null {
  const match = /\{[\s\S]*\}/.exec(text);
  if (!match) return null;
  try {
    const value = JSON.parse(match[0]) as { summary?: unknown; outcome?: unknown };
    if (typeof value.summary !== 'string' || !value.summary.trim()) return null;
    const outcome = OUTCOMES.find((o) => o === value.outcome) ?? null;
    return { summary: clip(value.summary.trim(), 2000), outcome };
  } catch {
    return null;
  }
}
