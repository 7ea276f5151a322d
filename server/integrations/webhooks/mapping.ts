// Endpoint and delivery rows <-> API shapes (pure). The signing secret is shown once (create,
// rotate); otherwise only its hint.
import type { components } from '../../../client/schema.js';
import type { WebhookAttemptRow, WebhookDeliveryRow, WebhookEndpointPatch, WebhookEndpointRow } from '../../../db/types.js';
import { iso, isoOrNull } from '../../platform/common/dates.js';
import type { DeliveryCounts } from '../../platform/deliveries/queries.js';
import { ALL_EVENTS } from '../../platform/events/types.js';
import { MANUAL_DISABLE_REASON } from './disable-policy.js';
import { secretHint } from './secret.js';

type Schemas = components['schemas'];
type WebhookEndpoint = Schemas['WebhookEndpoint'];
type WebhookDelivery = Schemas['WebhookDelivery'];
type WebhookEndpointUpdate = Schemas['WebhookEndpointUpdate'];
type Subscription = Schemas['WebhookSubscription'];

export function presentEndpoint(row: WebhookEndpointRow, deliveries: DeliveryCounts): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: row.events as Subscription[],
    isActive: row.is_active,
    disabledAt: isoOrNull(row.disabled_at),
    disabledReason: row.disabled_reason,
    consecutiveFailures: row.consecutive_failures,
    secretHint: secretHint(row.signing_secret),
    deliveries: { ...deliveries },
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

/** The answer of a create or a rotation: the endpoint and, this once, its secret. */
export function presentEndpointWithSecret(row: WebhookEndpointRow, deliveries: DeliveryCounts): Schemas['WebhookEndpointWithSecret'] {
  return { ...presentEndpoint(row, deliveries), secret: row.signing_secret };
}

/** A subscription list as stored: '*' alone when it is there (it already means every type). */
export function normaliseEvents(events: readonly Subscription[]): string[] {
  return events.includes(ALL_EVENTS) ? [ALL_EVENTS] : [...new Set(events)];
}

function descriptionOf(value: string | null): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/**
 * The column changes a body asks for (create bodies are a subset of update bodies). `isActive`
 * true re-enables (clearing the failure streak and why it was disabled), false disables by hand;
 * the same state as now changes nothing.
 */
export function endpointPatch(body: WebhookEndpointUpdate, current: Pick<WebhookEndpointRow, 'is_active'> | null, now: Date): WebhookEndpointPatch {
  const patch: WebhookEndpointPatch = {};
  if (body.url !== undefined) patch.url = body.url.trim();
  if (body.events !== undefined) patch.events = JSON.stringify(normaliseEvents(body.events));
  if (body.description !== undefined) patch.description = descriptionOf(body.description);
  const wasActive = current?.is_active ?? true;
  if (body.isActive === true && !wasActive) Object.assign(patch, { is_active: true, disabled_at: null, disabled_reason: null, consecutive_failures: 0 });
  if (body.isActive === false && wasActive) Object.assign(patch, { is_active: false, disabled_at: now, disabled_reason: MANUAL_DISABLE_REASON });
  return patch;
}

export function presentAttempt(row: WebhookAttemptRow): Schemas['WebhookDeliveryAttempt'] {
  return { attempt: row.attempt, httpStatus: row.http_status, error: row.error, durationMs: row.duration_ms, attemptedAt: iso(row.attempted_at) };
}

export function presentDelivery(row: WebhookDeliveryRow, attempts: readonly WebhookAttemptRow[]): WebhookDelivery {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    eventId: row.event_id,
    eventType: row.event as WebhookDelivery['eventType'],
    status: row.status,
    url: row.url,
    attemptCount: row.attempts,
    nextAttemptAt: row.status === 'pending' ? iso(row.next_attempt_at) : null,
    lastError: row.last_error,
    replayOf: row.replay_of,
    createdAt: iso(row.created_at),
    deliveredAt: isoOrNull(row.delivered_at),
    payload: JSON.parse(row.body) as WebhookDelivery['payload'],
    attempts: attempts.map(presentAttempt),
  };
}
