// Reads of visitor sessions and conversion events (organisation-scoped).
import { type Kysely, sql } from 'kysely';
import type { DB } from '../../../db/types.js';

export async function listVisitorSessionsInOrg(db: Kysely<DB>, orgId: string, page: number, limit: number) {
  const rows = await db
    .selectFrom('visitor_sessions as vs')
    .selectAll('vs')
    .select(
      // The session's live holding: it counts until released (a number is released only when
      // another visitor needs it), however long the session has been quiet — calls to the number
      // are attributed to it meanwhile (attribution/calls/held-number.ts).
      sql<string | null>`(
        SELECT n.phone_number FROM pool_assignments a
        JOIN phone_numbers n ON n.id = a.phone_number_id AND n.org_id = a.org_id
        WHERE a.visitor_session_id = vs.id AND a.org_id = vs.org_id AND a.released_at IS NULL
        ORDER BY a.last_seen_at DESC LIMIT 1)`.as('phone_number'),
    )
    .where('vs.org_id', '=', orgId)
    .orderBy('vs.created_at', 'desc')
    .orderBy('vs.id', 'desc')
    .limit(limit)
    .offset((page - 1) * limit)
    .execute();
  const total = await db.selectFrom('visitor_sessions').select((eb) => eb.fn.countAll<string>().as('n')).where('org_id', '=', orgId).executeTakeFirstOrThrow();
  return { rows, total: Number(total.n) };
}

export async function listConversionEventsOfSession(db: Kysely<DB>, orgId: string, sessionId: string) {
  return db
    .selectFrom('conversion_events as e')
    .innerJoin('visitor_sessions as vs', (j) => j.onRef('vs.id', '=', 'e.visitor_session_id').onRef('vs.org_id', '=', 'e.org_id'))
    .select(['e.id', 'vs.session_id', 'e.call_id', 'e.event_type', 'e.event_value', 'e.phone_number', 'e.metadata', 'e.source', 'e.created_at'])
    .where('e.org_id', '=', orgId)
    .where('vs.session_id', '=', sessionId)
    .orderBy('e.id')
    .execute();
}
