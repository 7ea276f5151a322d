// The one way to raise an event (issue 19, DESIGN.md 9.3): every part of the system that has
// something to tell calls raiseEvent, inside the transaction of the change when it has one, so the
// event commits with the change or not at all. Today an event becomes one delivery per active
// endpoint of the organisation subscribed to its type (or to '*'): one INSERT … SELECT, no
// statement at all when nobody listens (listeners.ts); the delivery worker sends them
// (platform/deliveries/). The envelope is rendered here, once, and every endpoint receives the
// same bytes and event id.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../../db/types.js';
import { eventEnvelope, eventHeaders } from './envelope.js';
import { ALL_EVENTS, type EventType } from './types.js';
import { listenedTypes } from './listeners.js';

export interface RaisedEvent {
  orgId: string;
  type: EventType;
  /** The event's own shape (openapi.yaml, `webhooks`): camelCase, JSON-ready. */
  data: object;
  /** When it happened (default now). */
  occurredAt?: Date;
}

export interface RaiseResult {
  /** The event's id (the envelope's `id`, X-CCP-Event-Id). */
  id: string;
  /** Deliveries queued for it. */
  deliveries: number;
}

/** `events @> '["type"]' OR events @> '["*"]'`: the endpoint subscribes to `type`. */
export function subscribesTo(type: EventType) {
  return sql<boolean>`(events @> ${JSON.stringify([type])}::jsonb OR events @> ${JSON.stringify([ALL_EVENTS])}::jsonb)`;
}

export async function raiseEvent(db: Db, event: RaisedEvent): Promise<RaiseResult> {
  const id = randomUUID();
  // Nobody listens (listeners.ts, remembered a second): no envelope, no statement.
  if ((await listenedTypes(db, event.orgId, [event.type])).length === 0) return { id, deliveries: 0 };
  const envelope = eventEnvelope({ id, orgId: event.orgId, type: event.type, data: event.data, occurredAt: event.occurredAt ?? new Date() });
  const { rows } = await sql<{ id: string }>`
    INSERT INTO webhook_deliveries (org_id, endpoint_id, event_id, event, url, headers, body)
    SELECT org_id, id, ${id}::uuid, ${event.type}, url, ${JSON.stringify(eventHeaders(envelope))}::jsonb, ${JSON.stringify(envelope)}
      FROM webhook_endpoints
     WHERE org_id = ${event.orgId} AND is_active AND ${subscribesTo(event.type)}
    RETURNING id`.execute(db);
  return { id, deliveries: rows.length };
}
