// How many calls an outbound campaign may have outstanding — placed and not yet bridged to an
// agent (ringing, or answered and waiting) — at once (pure; DESIGN.md 9.2). Calls already talking
// with an agent hold that agent, who is then not available, so they need no line.
//   preview      one per available agent
//   progressive  linesPerAgent per available agent
//   predictive   as many per available agent as the recent share of calls a person answers
//                allows (1 / that share: on average every person finds an agent), at most
//                linesPerAgent; one per agent before anything is known and while the measured
//                abandonment rate is over the cap, so the rate falls back under it
// Lines are whole calls: the product is rounded down, and a campaign with an available agent
// always has at least one line.
import type { DialMode } from '../../../db/types.js';

export interface PacingInput {
  mode: DialMode;
  availableAgents: number;
  linesPerAgent: number;
  /** Abandoned / person-answered over the recent calls; null before any was answered. */
  recentAbandonRate: number | null;
  /** Person-answered / finished over the recent calls; null before any finished. */
  recentPersonRate: number | null;
  maxAbandonRate: number;
}

export function linesAllowed(input: PacingInput): number {
  const agents = Math.max(0, Math.floor(input.availableAgents));
  if (agents === 0) return 0;
  if (input.mode === 'preview') return agents;
  const ceiling = Math.max(1, input.linesPerAgent);
  if (input.mode === 'progressive') return Math.max(1, Math.floor(agents * ceiling));
  const overCap = input.recentAbandonRate !== null && input.recentAbandonRate > input.maxAbandonRate;
  if (overCap || input.recentPersonRate === null || input.recentPersonRate <= 0) return agents;
  const perAgent = Math.min(ceiling, Math.max(1, 1 / input.recentPersonRate));
  return Math.max(1, Math.floor(agents * perAgent));
}
