// Which of the due leads a pass may call now (pure; DESIGN.md 9.2), checked at dial time in this
// order: on the do-not-call list → marked, never called; attempts used up (the policy may have
// been lowered since the lead was queued) → given up; outside its calling hours in its own zone
// (the campaign's when unknown; DST included) → due again at its next callable moment; else called,
// up to `limit`. Used by the dial loop and by preview dialing (which takes one lead).
import type { CampaignRow } from '../../../db/types.js';
import { storedRetryPolicy } from '../campaigns/settings.js';
import { ALL_WEEKDAYS, type CallingWindow, type IsoWeekday, isCallable, nextCallableTime } from '../schedule/calling-hours.js';
import { mostAttempts } from '../schedule/retry-policy.js';
import type { DueLead, NewOutboundCall } from './queries.js';

export function callingWindow(campaign: Pick<CampaignRow, 'calling_days' | 'calling_hours_start' | 'calling_hours_end'>): CallingWindow {
  return {
    days: (campaign.calling_days ?? ALL_WEEKDAYS) as IsoWeekday[],
    start: campaign.calling_hours_start ?? '08:00',
    end: campaign.calling_hours_end ?? '21:00',
  };
}

/** The zone a lead's calling hours are read in: its own, else the campaign's, else UTC. */
export function leadZone(lead: Pick<DueLead, 'time_zone'>, campaign: Pick<CampaignRow, 'time_zone'>): string {
  return lead.time_zone ?? campaign.time_zone ?? 'UTC';
}

export interface SortedLeads {
  dial: NewOutboundCall[];
  /** On the do-not-call list. */
  dnc: string[];
  /** Not callable now: due again at `at`, or never (`at` null: given up). */
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
      sorted.deferred.push({ id: lead.id, at: nextCallableTime(now, zone, window) });
      continue;
    }
    sorted.dial.push({ lead, attempt: lead.call_attempts + 1 });
  }
  return sorted;
}
