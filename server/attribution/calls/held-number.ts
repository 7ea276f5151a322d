// Attribution of a call to a visitor session (DESIGN.md 4.4): the session that held the dialled
// pool number when the call came in. A holding counts until it is released (a number is released
// only when another visitor needs it: assign.ts), so a visitor who calls after a pause on the page
// is still found as long as nobody else has been given the number meanwhile.
//
// These are SQL expressions for the call's INSERT, so that the call row, its session and the
// snapshot of the session's fields (calls.attribution, a CallAttribution) are written in the same statement: nothing
// changes between "who held the number" and "what the call inherited". Both use the unique index of
// live holdings (one per number).
import { type RawBuilder, sql } from 'kysely';

export interface AttributionColumns {
  visitorSessionId: RawBuilder<string | null>;
  /** A jsonb CallAttribution (typed as Kysely's insert type of a jsonb column). */
  attribution: RawBuilder<string | null>;
}

const NONE: AttributionColumns = { visitorSessionId: sql<null>`NULL::bigint`, attribution: sql<null>`NULL::jsonb` };

/**
 * The call's visitor_session_id and attribution, for a call to `phoneNumberId` of `orgId`. Only a
 * call to a number of a pool (`poolId`) can be attributed: the voice webhook records a pool call's
 * events with it, in one transaction (inbound/webhooks/voice.ts).
 */
export function attributionColumns(call: { orgId: string | null; poolId?: number | null | undefined; phoneNumberId?: number | null | undefined }): AttributionColumns {
  const { orgId, poolId, phoneNumberId } = call;
  if (orgId === null || poolId == null || phoneNumberId == null) return NONE;
  const holding = sql`FROM pool_assignments a
      WHERE a.org_id = ${orgId} AND a.phone_number_id = ${phoneNumberId} AND a.released_at IS NULL`;
  return {
    visitorSessionId: sql<string | null>`(SELECT a.visitor_session_id ${holding})`,
    attribution: sql<string | null>`(SELECT jsonb_build_object(
        'sessionId', v.session_id, 'utmSource', v.utm_source, 'utmMedium', v.utm_medium, 'utmCampaign', v.utm_campaign,
        'utmTerm', v.utm_term, 'utmContent', v.utm_content, 'clickIds', v.click_ids, 'landingUrl', v.landing_url,
        'referrer', v.referrer, 'domain', v.domain)
      FROM pool_assignments a JOIN visitor_sessions v ON v.id = a.visitor_session_id AND v.org_id = a.org_id
      WHERE a.org_id = ${orgId} AND a.phone_number_id = ${phoneNumberId} AND a.released_at IS NULL)`,
  };
}
