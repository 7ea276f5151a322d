// How many calls an outbound campaign may have open at once (pure; DESIGN.md 9.2).
//   preview      one per available agent
//   progressive  linesPerAgent per available agent
//   predictive   linesPerAgent per available agent while the measured abandonment rate is under
//                the cap; one per agent (never more calls than agents) while it is not, so the
//                rate falls back under the cap
// Lines are whole calls: the product is rounded down, and a campaign with an available agent
// always has at least one line.
import type { DialMode } from '../../../db/types.js';

export interface PacingInput {
  mode: DialMode;
  availableAgents: number;
  linesPerAgent: number;
  /** Abandoned / person-answered over the recent calls; null before any was answered. */
  recentAbandonRate: number | null;
  maxAbandonRate: number;
}

export function linesAllowed(input: PacingInput): number {
  const agents = Math.max(0, Math.floor(input.availableAgents));
  if (agents === 0) return 0;
  if (input.mode === 'preview') return agents;
  const overCap = input.mode === 'predictive' && input.recentAbandonRate !== null && input.recentAbandonRate > input.maxAbandonRate;
  const perAgent = overCap ? 1 : Math.max(1, input.linesPerAgent);
  return Math.max(1, Math.floor(agents * perAgent));
}
