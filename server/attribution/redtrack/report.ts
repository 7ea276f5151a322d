// RedTrack reports (seed 000 /api/tracking/redtrack/session|conversion|quality), pure: what a
// report is, its fingerprint (an identical report posted again is the same report) and what it
// changes on each visitor session it is applied to.
import { createHash } from 'node:crypto';
import type { RedtrackKind } from '../../../db/types.js';

/** A report's body as the contract validated it (the three kinds' fields together). */
export interface RedtrackReport {
  clickid?: string | undefined;
  sessionId?: string | undefined;
  tagCode?: string | undefined;
  campaign_id?: string | undefined;
  offer_id?: string | undefined;
  timestamp?: string | undefined;
  url?: string | undefined;
  referrer?: string | undefined;
  userAgent?: string | undefined;
  source?: string | undefined;
  medium?: string | undefined;
  eventType?: string | undefined;
  phoneNumber?: string | undefined;
  conversionValue?: number | undefined;
  conversionType?: string | undefined;
  callSid?: string | undefined;
  duration?: number | undefined;
  answered?: boolean | undefined;
  converted?: boolean | undefined;
  revenue?: number | undefined;
}

/** The default event type of a conversion report without `eventType`. */
export const DEFAULT_CONVERSION_TYPE = 'redtrack_conversion';
/** The event type of a quality report. */
export const QUALITY_EVENT_TYPE = 'call_quality';

function defined(entries: Array<[string, unknown]>): Record<string, unknown> {
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
}

/** JSON with keys sorted at every level: the same report always prints the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** sha256 of the kind and the canonical body: a retried postback is recognised, whatever its key order. */
export function reportFingerprint(kind: RedtrackKind, report: RedtrackReport): string {
  return createHash('sha256').update(`${kind}\n${canonical(report)}`).digest('hex');
}

/** What the session's `redtrackData` gains from any report: RedTrack's own ids and fields. */
export function redtrackDataPatch(kind: RedtrackKind, report: RedtrackReport): Record<string, unknown> {
  return defined([
    ['clickid', report.clickid],
    ['campaign_id', report.campaign_id],
    ['offer_id', report.offer_id],
    ...(kind === 'session'
      ? ([
          ['source', report.source],
          ['medium', report.medium],
          ['timestamp', report.timestamp],
        ] as Array<[string, unknown]>)
      : []),
  ]);
}

/** The visitor-session fields a session report fills when the session has none yet. */
export function sessionFill(report: RedtrackReport): {
  utmSource: string | null;
  utmMedium: string | null;
  landingUrl: string | null;
  referrer: string | null;
  userAgent: string | null;
} {
  return {
    utmSource: report.source ?? null,
    utmMedium: report.medium ?? null,
    landingUrl: report.url ?? null,
    referrer: report.referrer ?? null,
    userAgent: report.userAgent ?? null,
  };
}

export interface ReportEvent {
  eventType: string;
  /** A decimal string for numeric, or null. */
  eventValue: string | null;
  phoneNumber: string | null;
  metadata: Record<string, unknown>;
}

/** The conversion event a conversion or quality report becomes on a session (none for a session report). */
export function reportEvent(kind: RedtrackKind, report: RedtrackReport, eventId: string): ReportEvent | null {
  const common = { clickid: report.clickid, campaign_id: report.campaign_id, offer_id: report.offer_id, redtrack_attribution: true, redtrackEventId: Number(eventId) };
  if (kind === 'conversion') {
    return {
      eventType: report.eventType ?? DEFAULT_CONVERSION_TYPE,
      eventValue: report.conversionValue === undefined ? null : String(report.conversionValue),
      phoneNumber: report.phoneNumber ?? null,
      metadata: defined([...Object.entries(common), ['url', report.url]]),
    };
  }
  if (kind === 'quality') {
    return {
      eventType: QUALITY_EVENT_TYPE,
      eventValue: report.revenue === undefined ? null : String(report.revenue),
      phoneNumber: null,
      metadata: defined([
        ...Object.entries(common),
        ['conversionType', report.conversionType],
        ['callSid', report.callSid],
        ['duration', report.duration],
        ['answered', report.answered],
        ['converted', report.converted],
      ]),
    };
  }
  return null;
}
