// Which of the due leads a pass may call now (pure; DESIGN.md 9.2), checked at dial time in this
// order: on the do-not-call list → marked, never called; attempts used up (the policy may have
// been lowered since the lead was queued) → given up; outside its calling hours in its own zone
// (the campaign's when unknown; DST included) → due again at its next callable moment (never given
// up for that); else called, up to `limit`. Used by the dial loop and by preview dialing (which takes one lead).
import type { CampaignRow } from '../../../db/types.js';
import { DEFAULT_CALLING_HOURS, storedRetryPolicy } from '../campaigns/settings.js';
import { ALL_WEEKDAYS, type CallingWindow, type IsoWeekday, isCallable, nextCallableTime } from '../schedule/calling-hours.js';
import { mostAttempts } from '../schedule/retry-policy.js';
import type { DueLead, NewOutboundCall } from './queries.js';

export function callingWindow(campaign: Pick<CampaignRow, 'calling_days' | 'calling_hours_start' | 'calling_hours_end'>): CallingWindow {
  return {
    days: (campaign.calling_days ?? ALL_WEEKDAYS) as IsoWeekday[],
    start: campaign.calling_hours_start ?? DEFAULT_CALLING_HOURS.start,
    end: campaign.calling_hours_end ?? DEFAULT_CALLING_HOURS.end,
  };
}

/** The zone a lead's calling hours are read in: its own, else the campaign's, else UTC. */
export function leadZone(lead: Pick<DueLead, 'time_zone'>, campaign: Pick<CampaignRow, 'time_zone'>): string {
  return lead.time_zone ?? campaign.time_zone ?? 'UTC';
}

/** A window that allows no time now (no calling day, say) is looked at again after this long. */
export const RECHECK_WINDOW_MS = 3600_000;

/**
 * When a lead outside its calling hours is due again: its next callable moment, or — when the
 * window allows none (a campaign being changed) — in an hour; never given up for it.
 */
export function nextTryAt(now: Date, zone: string, window: CallingWindow): Date {
  return nextCallableTime(now, zone, window) ?? new Date(now.getTime() + RECHECK_WINDOW_MS);
}

export interface SortedLeads {
  dial: NewOutboundCall[];
  /** On the do-not-call list. */
  dnc: string[];
  /** Not callable now: due again at `at`; `at` null: its attempts are used up (given up). */
  deferred: Array<{ id: string; at: Date | null }>;
}

export function sortDueLeads(
  candidates: readonly DueLead[],
  campaign: Pick<CampaignRow, 'calling_days' | 'calling_hours_start' | 'calling_hours_end' | 'time_zone' | 'retry_policy'>,
  onDncList: ReadonlySet<string>,
  now: Date,
  limit: number,
): SortedLeads {
  const window = callingWindow(campaign);
  const attemptsAllowed = mostAttempts(storedRetryPolicy(campaign));
  const sorted: SortedLeads = { dial: [], dnc: [], deferred: [] };
  for (const lead of candidates) {
    if (sorted.dial.length >= limit) break;
    if (onDncList.has(lead.phone_e164)) {
      sorted.dnc.push(lead.id);
      continue;
    }
    if (lead.call_attempts >= attemptsAllowed) {
      sorted.deferred.push({ id: lead.id, at: null });
      continue;
    }
    const zone = leadZone(lead, campaign);
    if (!isCallable(now, zone, window)) {
      sorted.deferred.push({ id: lead.id, at: nextTryAt(now, zone, window) });
      continue;
    }
    sorted.dial.push({ lead, attempt: lead.call_attempts + 1 });
  }
  return sorted;
}
