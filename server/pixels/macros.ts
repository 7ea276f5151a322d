// Pixel macros (DESIGN.md 4.6), pure. A pixel URL names call facts in brackets; they are replaced
// when the event is queued, so the values are those at the time of the event.
//
//   [Call:ConversionPayout]  the call's revenue (a correction's amount when there is one), e.g. 25.5
//   [Call:CallerId]          the caller's number as Twilio gave it, e.g. +15551234567
//   [Call:CallSid]           Twilio's CallSid
//   [Call:Duration]          the call's duration in seconds (once known)
//   [Call:Event]             call_started | call_answered | call_completed | conversion
//   [Call:Timestamp]         when the event was queued, ISO 8601 UTC
//   [Call:CampaignId]        the campaign's id
//   [tag:User:<name>] / [tag:Session:<name>]  visitor tags: empty until calls are attributed to
//                            visitor sessions.
//
// Every value is URL-encoded (encodeURIComponent). A missing value is the empty string. An unknown
// macro (any other `[Word:…]` in our syntax) is replaced by the empty string too, so that none of
// our syntax leaks to the receiver; brackets that are not a macro (e.g. `a[]=1`) are left alone.
import type { PixelEvent } from '../../db/types.js';

export interface CallFacts {
  event: PixelEvent;
  callSid: string;
  callerId: string | null;
  campaignId: string | null;
  durationSec: number | null;
  /** A decimal string as stored (numeric), e.g. "25.5000"; null when the call did not pay. */
  payout: string | null;
  at: Date;
}

/** What a macro stands for: the URL's own syntax ([Word:Name] or [tag:Kind:Name]). */
const MACRO = /\[(?:Call:[A-Za-z]+|tag:[A-Za-z]+:[^\]\s[]*)\]/g;

/** "25.5000" → "25.5"; null and unreadable amounts → ''. */
export function formatAmount(amount: string | null): string {
  if (amount === null) return '';
  const value = Number(amount);
  return Number.isFinite(value) ? String(value) : '';
}

/** The raw (not yet encoded) value of each call macro. */
export function macroValues(facts: CallFacts): Record<string, string> {
  return {
    'Call:ConversionPayout': formatAmount(facts.payout),
    'Call:CallerId': facts.callerId ?? '',
    'Call:CallSid': facts.callSid,
    'Call:Duration': facts.durationSec === null ? '' : String(facts.durationSec),
    'Call:Event': facts.event,
    'Call:Timestamp': facts.at.toISOString(),
    'Call:CampaignId': facts.campaignId ?? '',
  };
}

/** The template with every macro replaced by its URL-encoded value ('' when unknown or missing). */
export function renderMacros(template: string, facts: CallFacts): string {
  const values = macroValues(facts);
  return template.replace(MACRO, (macro) => encodeURIComponent(values[macro.slice(1, -1)] ?? ''));
}

/** The template with every macro replaced by a harmless placeholder: what a save-time check judges. */
export function withPlaceholders(template: string): string {
  return template.replace(MACRO, 'x');
}

/**
 * The JSON body of a POST pixel: the call facts at the time of the event (values not encoded).
 * `payout` is a number or null, `durationSec` a whole number or null.
 */
export function pixelBody(facts: CallFacts): string {
  const payout = formatAmount(facts.payout);
  return JSON.stringify({
    event: facts.event,
    callSid: facts.callSid,
    callerId: facts.callerId,
    campaignId: facts.campaignId,
    durationSec: facts.durationSec,
    payout: payout === '' ? null : Number(payout),
    timestamp: facts.at.toISOString(),
  });
}
