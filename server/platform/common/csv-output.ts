// Every CSV we write goes through here: csv-stringify with its formula escaping (a cell starting
// with =, +, -, @, tab or carriage return is prefixed with ', so a spreadsheet shows it as text
// instead of running it), CRLF line ends, quoting where needed.
import { stringify } from 'csv-stringify/sync';

export function toCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | null>>): string {
  return stringify([header as string[], ...rows.map((r) => r.map((cell) => (cell === null ? '' : String(cell))))], {
    escape_formulas: true,
    record_delimiter: 'windows',
  });
}
