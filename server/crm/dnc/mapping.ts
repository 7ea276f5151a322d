// Do-not-call rows -> API shapes (pure).
import type { components } from '../../../client/schema.js';
import type { DncNumberRow } from '../../../db/types.js';
import { iso } from '../../platform/common/dates.js';
import { obfuscatePhone } from '../../platform/common/phone.js';

export function presentDncNumber(row: DncNumberRow): components['schemas']['DncNumber'] {
  return { id: row.id, phoneNumber: obfuscatePhone(row.phone_e164) ?? '', reason: row.reason, source: row.source, createdAt: iso(row.created_at) };
}
