// Event webhooks: endpoints, their delivery queue and its attempts (server/platform/events,
// server/integrations/webhooks; migration 0025). The event types are listed once, in
// server/platform/events/types.ts.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { CreatedAt, Json, UpdatedAt } from './columns.js';
import type { DeliveryAttemptsTable, DeliveryQueueColumns } from './deliveries.js';

export interface WebhookEndpointsTable {
  id: Generated<string>;
  org_id: string;
  url: string;
  description: string | null;
  /** Event types, or ['*'] for every one. */
  events: Json<string[]>;
  signing_secret: string;
  is_active: Generated<boolean>;
  consecutive_failures: Generated<number>;
  disabled_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  disabled_reason: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface WebhookDeliveriesTable extends DeliveryQueueColumns {
  endpoint_id: string;
  event_id: string;
  method: Generated<'POST'>;
  headers: Json<Record<string, string>>;
  body: string;
  replay_of: ColumnType<string | null, string | number | null | undefined, never>;
}

export type WebhookAttemptsTable = DeliveryAttemptsTable;

export type WebhookEndpointRow = Selectable<WebhookEndpointsTable>;
export type NewWebhookEndpoint = Insertable<WebhookEndpointsTable>;
export type WebhookEndpointPatch = Updateable<WebhookEndpointsTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
export type WebhookAttemptRow = Selectable<WebhookAttemptsTable>;
