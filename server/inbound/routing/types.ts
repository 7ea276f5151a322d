// Plain inputs and outputs of buyer routing (DESIGN.md 4.3). No database row shapes: the caller
// maps rows (snake_case) to these, so that the routing logic stays pure and easy to test.
import type { OperatingHours, RoutingType } from '../../../db/types.js';

export type RoutingMethod = RoutingType;

/** One buyer as the ordering step sees it. */
export interface Candidate {
  buyerId: number;
  /** From the campaign assignment; lower goes first. */
  priority: number;
  /** From the campaign assignment; share of calls under `weighted` routing. */
  weight: number;
}

export interface OrderState {
  /** A counter the caller persists per campaign (and advances once per routed call). */
  rotation: number;
  /**
   * Priority routing: a tied group's own counter, by priority (the caller persists one per group and
   * advances it once per routing that dials from a tie in it); a group not listed uses `rotation`.
   */
  groupRotations?: ReadonlyMap<number, number> | undefined;
  /** Uniform in [0, 1), like Math.random; injected so that tests can seed it. */
  random: () => number;
}

export interface RoutingBuyer {
  id: number;
  isActive: boolean;
  /** IANA name, e.g. `America/New_York`. */
  timeZone: string;
  /** `null` = always open; a weekday not listed is closed. */
  operatingHours: OperatingHours | null;
  /** `null` = no limit (likewise for the caps). */
  maxConcurrentCalls: number | null;
  hourlyCap: number | null;
  dailyCap: number | null;
  monthlyCap: number | null;
}

export interface RoutingAssignment {
  priority: number;
  weight: number;
  isActive: boolean;
}

/**
 * What the buyer has right now. The call counts are counted since the starts of the buyer's
 * local hour / day / month (see `capWindows`).
 */
export interface BuyerUsage {
  activeCalls: number;
  callsThisHour: number;
  callsToday: number;
  callsThisMonth: number;
}

/** In order of precedence: the first that applies is the one reported. */
export const SKIP_REASONS = [
  'buyer_inactive',
  'assignment_inactive',
  'outside_hours',
  'concurrency_reached',
  'hourly_cap_reached',
  'daily_cap_reached',
  'monthly_cap_reached',
] as const;

export type SkipReason = (typeof SKIP_REASONS)[number];

export type Eligibility = { eligible: true } | { eligible: false; reason: SkipReason };
