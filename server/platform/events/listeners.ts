// Which event types an organisation's active webhook endpoints listen to, remembered for a second
// per organisation, so that raising an event nobody listens to costs no SQL (issue 18: a dialled
// call raises call.answered, call.completed and agent.status_changed; with no endpoint each was a
// round trip inside the call's transaction).
//
// Staleness, as the inbound route cache's (server/inbound/webhooks/route-cache.ts): any change made
// through this server's API forgets everything at once (routes.ts); an endpoint created or
// re-enabled on another instance is seen here within LISTENERS_TTL_MS, and events raised here in
// that second are not delivered to it. A "listened" answer is never trusted on its own: the
// delivery rows are still made by raiseEvent's INSERT … SELECT over the active endpoints.
import { sql } from 'kysely';
import type { Db } from '../../../db/types.js';
import { ALL_EVENTS, type EventType } from './types.js';

export const LISTENERS_TTL_MS = 1000;
const MAX_ORGS = 10_000;

/**
 * A look-up still in flight is shared only with callers on the same handle (`db`): it runs on that
 * handle's connection, which another caller's transaction may be holding (PGlite has one) while it
 * waits for the answer. A settled answer is shared with everybody.
 */
const remembered = new Map<string, { types: Promise<ReadonlySet<string>>; expiresAt: number; db: Db; settled: boolean }>();

/** Every event type the organisation's active endpoints subscribe to ('*' included as itself). */
function subscribedTypes(db: Db, orgId: string): Promise<ReadonlySet<string>> {
  const now = Date.now();
  const hit = remembered.get(orgId);
  if (hit && hit.expiresAt > now && (hit.settled || hit.db === db)) return hit.types;
  if (remembered.size >= MAX_ORGS) remembered.clear();
  const types = sql<{ type: string }>`
    SELECT DISTINCT jsonb_array_elements_text(events) AS type FROM webhook_endpoints WHERE org_id = ${orgId} AND is_active`
    .execute(db)
    .then(({ rows }) => new Set(rows.map((r) => r.type)) as ReadonlySet<string>);
  const entry = { types, expiresAt: now + LISTENERS_TTL_MS, db, settled: false };
  remembered.set(orgId, entry);
  types.then(
    () => {
      entry.settled = true;
    },
    () => {
      if (remembered.get(orgId) === entry) remembered.delete(orgId);
    },
  );
  return types;
}

/** Which of `types` anybody of the organisation listens to, in the order given. */
export async function listenedTypes(db: Db, orgId: string, types: readonly EventType[]): Promise<EventType[]> {
  if (types.length === 0) return [];
  const subscribed = await subscribedTypes(db, orgId);
  return subscribed.has(ALL_EVENTS) ? [...types] : types.filter((t) => subscribed.has(t));
}

/** Forget what was remembered (a change made through the API). */
export function forgetEventListeners(): void {
  remembered.clear();
}
