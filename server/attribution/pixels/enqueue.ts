// Queueing pixel deliveries for a call event (DESIGN.md 4.6). The URL (and a POST's body) is
// rendered now, with the call's values at the time of the event; the worker only sends. One read
// (the org's matching pixels joined with the call: no row when the org has none) and, only when
// there are pixels, one INSERT … ON CONFLICT DO NOTHING: the unique (pixel, call, event) index makes
// a callback delivered twice enqueue once.
import { sql } from 'kysely';
import type { CallAttribution, Db, PixelEvent } from '../../../db/types.js';
import { pixelBody, renderMacros, type CallFacts } from './macros.js';

export interface PixelEventInput {
  orgId: string;
  callId: number;
  event: PixelEvent;
  /** When the event happened (default now): the [Call:Timestamp] macro. */
  at?: Date;
}

interface MatchRow {
  pixel_id: number;
  url: string;
  method: 'GET' | 'POST';
  call_sid: string;
  from_number: string | null;
  campaign_id: string | null;
  duration_sec: number | null;
  payout: string | null;
  attribution: CallAttribution | null;
}

/** Queues one delivery per active pixel of the org that fires on `event` for this call's campaign. Returns how many were new. */
export async function enqueuePixelEvent(db: Db, input: PixelEventInput): Promise<number> {
  const { orgId, callId, event } = input;
  const matches = await sql<MatchRow>`
    SELECT p.id AS pixel_id, p.url, p.method, c.call_sid, c.from_number, c.campaign_id, c.duration_sec,
           COALESCE(c.revenue_override, c.revenue)::text AS payout, c.attribution
      FROM tracking_pixels p
      JOIN calls c ON c.org_id = p.org_id AND c.id = ${callId}
     WHERE p.org_id = ${orgId}
       AND p.is_active
       AND p.fire_on @> ${JSON.stringify([event])}::jsonb
       AND (p.campaign_id IS NULL OR p.campaign_id = c.campaign_id)`.execute(db);
  if (matches.rows.length === 0) return 0;
  const at = input.at ?? new Date();
  const rows = matches.rows.map((m) => {
    const facts: CallFacts = {
      event,
      callSid: m.call_sid,
      callerId: m.from_number,
      campaignId: m.campaign_id,
      durationSec: m.duration_sec,
      payout: m.payout,
      at,
      attribution: m.attribution,
    };
    return {
      org_id: orgId,
      pixel_id: m.pixel_id,
      call_id: callId,
      event,
      method: m.method,
      url: renderMacros(m.url, facts),
      body: m.method === 'POST' ? pixelBody(facts) : null,
    };
  });
  const inserted = await db
    .insertInto('pixel_deliveries')
    .values(rows)
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .execute();
  return inserted.length;
}
