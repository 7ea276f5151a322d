// CSV records from a byte stream, with csv-parse (no hand-written parser): UTF-8 with or without a
// BOM, quoted fields (separators, quotes and line breaks inside), CRLF or LF, blank lines skipped,
// rows of any length. The separator is detected from the header line: whichever of `,` `;` and tab
// occurs most often outside quotes (`,` on a tie or when none does) — spreadsheets in many European
// locales save `;`-separated "CSV". Memory stays bounded: the stream is parsed as it arrives.
import { type Readable, pipeline } from 'node:stream';
import { Readable as ReadableStream } from 'node:stream';
import { parse } from 'csv-parse';

export type Delimiter = ',' | ';' | '\t';

export interface CsvRecord {
  /** The line the record starts on (1 = the first line of the file). */
  row: number;
  values: string[];
}

export interface OpenedCsv {
  delimiter: Delimiter;
  records: AsyncIterable<CsvRecord>;
}

/** How far into a file its first line is looked for. */
const MAX_FIRST_LINE_BYTES = 1024 * 1024;

/** The separator of a header line (pure). */
export function detectDelimiter(line: string): Delimiter {
  const counts: Record<Delimiter, number> = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const c of line) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === ',' || c === ';' || c === '\t')) counts[c] += 1;
  }
  const best = (Object.entries(counts) as Array<[Delimiter, number]>).sort((a, b) => b[1] - a[1])[0]!;
  return best[1] > counts[','] ? best[0] : ',';
}

function firstLineOf(buffer: Buffer): string {
  let text = buffer.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const end = text.search(/\r?\n/);
  return end === -1 ? text : text.slice(0, end);
}

/** Open a CSV byte stream: its separator, then its records in order. */
export async function openCsv(source: AsyncIterable<Buffer>): Promise<OpenedCsv> {
  const iterator = source[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headBytes = 0;
  let done = false;
  while (headBytes < MAX_FIRST_LINE_BYTES) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    head.push(next.value);
    headBytes += next.value.length;
    if (next.value.includes(0x0a)) break;
  }
  const delimiter = detectDelimiter(firstLineOf(Buffer.concat(head)));
  async function* all(): AsyncGenerator<Buffer> {
    yield* head;
    if (done) return;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  const parser = parse({
    delimiter,
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    record_delimiter: ['\r\n', '\n', '\r'],
    max_record_size: 1024 * 1024,
  });
  const input: Readable = ReadableStream.from(all());
  pipeline(input, parser, () => {
    // Errors reach the reader through the parser's iterator.
  });
  return { delimiter, records: records(parser) };
}

async function* records(parser: AsyncIterable<string[]>): AsyncGenerator<CsvRecord> {
  // Row numbers are counted here (csv-parse's own line info costs about as much as the parsing):
  // a record starts on the line after the previous one ends, and spans one more line for each
  // line break inside its quoted fields. Blank lines and lines of empty fields are skipped here.
  let line = 1;
  for await (const record of parser) {
    const row = line;
    line += 1;
    let blank = true;
    for (const value of record) {
      if (blank && value.trim() !== '') blank = false;
      if (value.includes('\n') || value.includes('\r')) line += (value.match(/\r\n|\n|\r/g) ?? []).length;
    }
    if (!blank) yield { row, values: record };
  }
}
