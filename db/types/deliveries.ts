// The columns every outbound delivery queue shares (pixel_deliveries, webhook_deliveries; the one
// worker is server/platform/deliveries/), and the attempts tables, which are alike.
import type { ColumnType, Generated } from 'kysely';
import type { BigIntId, CreatedAt } from './columns.js';

type OptionalTime = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface DeliveryQueueColumns {
  id: BigIntId;
  org_id: string;
  event: string;
  url: string;
  status: Generated<'pending' | 'delivered' | 'failed'>;
  attempts: Generated<number>;
  next_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>;
  /** A worker's lease on the row. */
  locked_until: OptionalTime;
  last_error: string | null;
  created_at: CreatedAt;
  delivered_at: OptionalTime;
}

/** pixel_attempts, webhook_attempts: every try of a delivery. */
export interface DeliveryAttemptsTable {
  id: BigIntId;
  delivery_id: string | number;
  attempt: number;
  http_status: number | null;
  error: string | null;
  duration_ms: number | null;
  attempted_at: CreatedAt;
}
