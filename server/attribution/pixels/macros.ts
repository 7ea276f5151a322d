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
//   [tag:User:<name>]        from the visitor session the call is attributed to (its snapshot,
//                            calls.attribution): a click id by name (clickid, gclid, fbclid, ...),
//                            else a UTM field by its URL name (utm_source ... utm_content), else a
//                            query parameter of the landing page
//   [tag:Session:<name>]     sessionId, landingUrl, referrer, domain, or a UTM field
//                            (utm_source ... utm_content, or utmSource ... utmContent)
//
// Every value is URL-encoded (encodeURIComponent). A missing value (an unattributed call, a click id
// the visitor did not have) is the empty string. An unknown macro (any other `[Word:…]` in our
// syntax) is replaced by the empty string too, so that none of our syntax leaks to the receiver;
// brackets that are not a macro (e.g. `a[]=1`) are left alone.
import type { CallAttribution, PixelEvent } from '../../../db/types.js';

export interface CallFacts {
  event: PixelEvent;
  callSid: string;
  callerId: string | null;
  campaignId: string | null;
  durationSec: number | null;
  /** A decimal string as stored (numeric), e.g. "25.5000"; null when the call did not pay. */
  payout: string | null;
  at: Date;
  /** The visitor session's fields the call inherited (null: not attributed). */
  attribution?: CallAttribution | null | undefined;
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

const UTM_FIELDS = [
  ['utm_source', 'utmSource'],
  ['utm_medium', 'utmMedium'],
  ['utm_campaign', 'utmCampaign'],
  ['utm_term', 'utmTerm'],
  ['utm_content', 'utmContent'],
] as const;

function utmValue(a: CallAttribution, name: string): string | null | undefined {
  const field = UTM_FIELDS.find(([urlName, apiName]) => urlName === name || apiName === name);
  return field ? a[field[1]] : undefined;
}

function landingParam(landingUrl: string | null, name: string): string | null {
  if (!landingUrl) return null;
  try {
    return new URL(landingUrl).searchParams.get(name);
  } catch {
    return null;
  }
}

/** The raw value of `[tag:<kind>:<name>]` for an attributed call ('' when there is none). */
export function tagValue(attribution: CallAttribution | null | undefined, kind: string, name: string): string {
  if (!attribution) return '';
  if (kind === 'User') {
    const clickId = Object.hasOwn(attribution.clickIds, name) ? attribution.clickIds[name] : undefined;
    return clickId ?? utmValue(attribution, name) ?? landingParam(attribution.landingUrl, name) ?? '';
  }
  if (kind === 'Session') {
    if (name === 'sessionId' || name === 'landingUrl' || name === 'referrer' || name === 'domain') return attribution[name] ?? '';
    return utmValue(attribution, name) ?? '';
  }
  return '';
}

/** The raw (not yet encoded) value of one macro (its text without the brackets). */
function macroValue(macro: string, callValues: Record<string, string>, facts: CallFacts): string {
  if (macro.startsWith('tag:')) {
    const second = macro.indexOf(':', 4);
    return tagValue(facts.attribution, macro.slice(4, second), macro.slice(second + 1));
  }
  return Object.hasOwn(callValues, macro) ? callValues[macro]! : '';
}

/** The template with every macro replaced by its URL-encoded value ('' when unknown or missing). */
export function renderMacros(template: string, facts: CallFacts): string {
  const values = macroValues(facts);
  return template.replace(MACRO, (macro) => encodeURIComponent(macroValue(macro.slice(1, -1), values, facts)));
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
