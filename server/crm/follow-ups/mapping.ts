// Follow-up rows -> API shapes (pure).
import type { components } from '../../../client/schema.js';
import type { FollowUpRow } from '../../../db/types.js';
import { iso, isoOrNull } from '../../platform/common/dates.js';

export function presentFollowUp(row: FollowUpRow): components['schemas']['FollowUp'] {
  return {
    id: row.id,
    leadId: row.lead_id,
    callLogId: row.call_log_id,
    userId: row.user_id,
    dueAt: iso(row.due_at),
    status: row.status,
    completedAt: isoOrNull(row.completed_at),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}
