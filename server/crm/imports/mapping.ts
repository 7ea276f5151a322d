// Import rows -> API shapes (pure).
import type { components } from '../../../client/schema.js';
import type { LeadImportErrorRow, LeadImportRow } from '../../../db/types.js';
import { iso, isoOrNull } from '../../platform/common/dates.js';
import type { RowError } from './rows.js';

/** Row errors shown in an import's answer (all kept ones as CSV at /errors). */
export const ERRORS_IN_ANSWER = 100;

export function presentRowError(e: LeadImportErrorRow | RowError): components['schemas']['LeadRowError'] {
  return 'row_number' in e ? { row: e.row_number, field: e.field, value: e.value, message: e.message } : e;
}

export function presentImport(row: LeadImportRow, errors: LeadImportErrorRow[]): components['schemas']['LeadImport'] {
  return {
    id: row.id,
    campaignId: row.campaign_id,
    fileName: row.file_name,
    fileBytes: Number(row.file_bytes),
    status: row.status,
    totalRows: row.total_rows,
    validRows: row.valid_rows,
    invalidRows: row.invalid_rows,
    duplicateRows: row.duplicate_rows,
    dncRows: row.dnc_rows,
    insertedRows: row.inserted_rows,
    errorCount: row.error_count,
    errors: errors.slice(0, ERRORS_IN_ANSWER).map(presentRowError),
    errorsTruncated: row.error_count > Math.min(errors.length, ERRORS_IN_ANSWER),
    failure: row.failure,
    createdAt: iso(row.created_at),
    startedAt: isoOrNull(row.started_at),
    completedAt: isoOrNull(row.completed_at),
  };
}
