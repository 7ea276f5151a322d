// A report table as CSV (pure): a header row, one row per group and the totals row, values as
// the JSON report has them (seconds, shares as fractions; an empty cell for "none"), through the
// project's one CSV writer (formula escaping, CRLF).
import { toCsv } from '../../platform/common/csv-output.js';
import type { ReportTable } from './table.js';

export function reportCsv(table: ReportTable): string {
  return toCsv(
    table.columns.map((c) => c.label),
    [...table.rows, table.totals],
  );
}
