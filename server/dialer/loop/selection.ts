// Which of the due leads a pass may call now (pure; DESIGN.md 9.2), checked at dial time in this
// order: on the do-not-call list → marked, never called; attempts used up (the policy may have
// been lowered since the lead was queued) → given up; outside its calling hours in its own zone
// (the campaign's when unknown, else every zone of its number's country; DST included) → due again at its next callable moment (never given
// up for that); else called, up to `limit`. Used by the dial loop and by preview dialing (which takes one lead).
import type { CampaignRow } from '../../../db/types.js';
import { DEFAULT_CALLING_HOURS, storedRetryPolicy } from '../campaigns/settings.js';
import { ALL_WEEKDAYS, type CallingWindow, type IsoWeekday, isCallable, nextCallableTime } from '../schedule/calling-hours.js';
import { mostAttempts } from '../schedule/retry-policy.js';
import { zonesOfNumber } from '../schedule/number-zones.js';
import type { DueLead, NewOutboundCall } from './queries.js';

export function callingWindow(campaign: Pick<CampaignRow, 'calling_days' | 'calling_hours_start' | 'calling_hours_end'>): CallingWindow {
  return {
    days: (campaign.calling_days ?? ALL_WEEKDAYS) as IsoWeekday[],
    start: campaign.calling_hours_start ?? DEFAULT_CALLING_HOURS.start,
    end: campaign.calling_hours_end ?? DEFAULT_CALLING_HOURS.end,
  };
}

/**
 * The zones a lead's calling hours are read in: its own, else the campaign's, else every zone of
 * its number's country (callable only when callable in all of them: the hours are never broken
 * where the person may be), else UTC.
 */
export function leadZones(lead: Pick<DueLead, 'time_zone' | 'phone_e164'>, campaign: Pick<CampaignRow, 'time_zone'>): string[] {
  const known = lead.time_zone ?? campaign.time_zone;
  if (known) return [known];
  const zones = zonesOfNumber(lead.phone_e164);
  return zones.length > 0 ? zones : ['UTC'];
}

/** Is `at` inside the window in every one of the zones? */
export function isCallableIn(at: Date, zones: readonly string[], window: CallingWindow): boolean {
  return zones.every((zone) => isCallable(at, zone, window));
}

/** A window that allows no time now (no calling day, say) is looked at again after this long. */
export const RECHECK_WINDOW_MS = 3600_000;
/** Steps looking for a moment callable in every zone (each moves to the latest zone's next opening). */
const MAX_ZONE_STEPS = 32;

/**
 * When a lead outside its calling hours is due again: its next moment callable in all its zones,
 * or — when the window allows none (a campaign being changed, zones whose hours never meet) — in
 * an hour; never given up for it.
 */
export function nextTryAt(now: Date, zones: readonly string[], window: CallingWindow): Date {
  const later = new Date(now.getTime() + RECHECK_WINDOW_MS);
  let at = now;
  for (let step = 0; step < MAX_ZONE_STEPS; step += 1) {
    let latest = at;
    for (const zone of zones) {
      const next = nextCallableTime(at, zone, window);
      if (next === null) return later;
      if (next > latest) latest = next;
    }
    if (latest.getTime() === at.getTime()) return at;
    at = latest;
  }
  return later;
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
    const zones = leadZones(lead, campaign);
    if (!isCallableIn(now, zones, window)) {
      sorted.deferred.push({ id: lead.id, at: nextTryAt(now, zones, window) });
      continue;
    }
    sorted.dial.push({ lead, attempt: lead.call_attempts + 1 });
  }
  return sorted;
}
