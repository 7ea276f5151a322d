// The dry run of an import (seed 004 validate): every row checked as the import would, duplicates
// counted within the file, the first errors and a preview of the first valid rows. Nothing stored.
import type { components } from '../../../client/schema.js';
import type { LeadImportOptions } from '../../../db/types.js';
import { obfuscatePhone } from '../../platform/common/phone.js';
import { ERRORS } from '../../platform/errors.js';
import { type ColumnPlan, planColumns } from './columns.js';
import { openCsv } from './csv-reader.js';
import { ERRORS_IN_ANSWER } from './mapping.js';
import { readRow, type RowError } from './rows.js';

type Validation = components['schemas']['LeadImportValidation'];
const PREVIEW_ROWS = 10;

/** `campaignTimeZone`: the zone call times without an offset are read in for leads without one of their own. */
export async function dryRun(source: AsyncIterable<Buffer>, options: LeadImportOptions, campaignTimeZone: string | null): Promise<Validation> {
  const csv = await openCsv(source);
  let plan: ColumnPlan | null = null;
  const seen = new Set<string>();
  const errors: RowError[] = [];
  const preview: Validation['preview'] = [];
  const out = { totalRows: 0, validRows: 0, invalidRows: 0, duplicateRows: 0, errorCount: 0 };
  try {
    for await (const record of csv.records) {
      if (!plan) {
        const planned = planColumns(options.hasHeader ? record.values : null, record.values.length, options.fieldMapping);
        if ('problems' in planned) throw ERRORS.validation(planned.problems);
        plan = planned;
        if (options.hasHeader) continue;
      }
      out.totalRows += 1;
      const result = readRow(record.values, record.row, plan, options.defaultCountry, campaignTimeZone);
      if (!result.ok) {
        out.invalidRows += 1;
        out.errorCount += result.errors.length;
        if (errors.length < ERRORS_IN_ANSWER) errors.push(...result.errors.slice(0, ERRORS_IN_ANSWER - errors.length));
        continue;
      }
      out.validRows += 1;
      if (seen.has(result.lead.phoneE164)) out.duplicateRows += 1;
      else seen.add(result.lead.phoneE164);
      if (preview.length < PREVIEW_ROWS) {
        const l = result.lead;
        preview.push({
          row: record.row,
          name: l.name,
          firstName: l.firstName,
          lastName: l.lastName,
          company: l.company,
          phoneE164: obfuscatePhone(l.phoneE164) ?? '',
          email: l.email,
          country: l.country,
          timeZone: l.timeZone,
          priority: l.priority,
          stage: l.stage,
          nextCallAt: l.nextCallAt,
          customFields: l.customFields,
        });
      }
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('CSV_')) throw ERRORS.validation({ file: `is not readable as CSV: ${(err as Error).message.slice(0, 200)}` });
    throw err;
  }
  if (!plan) throw ERRORS.validation({ file: 'is empty' });
  return { ...out, errors, errorsTruncated: out.errorCount > errors.length, columns: plan.described, delimiter: csv.delimiter, preview };
}
