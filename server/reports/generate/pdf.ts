// A generated report as a PDF a manager would print (pdfkit): A4 landscape; on the first page the
// title, the organisation, the period and its time zone, the filters and whose figures they are;
// then the table (pdf-layout.ts: its header row on every page, zebra rows, the totals row in
// bold under a rule), and on every page a footer with the report, when it was generated and
// "Page n of m". Standard fonts only (nothing to install); text they cannot show becomes '?'.
import type PDFDocument from 'pdfkit';
import { formatCell, printable } from './format.js';
import type { ReportMeta } from './meta.js';
import { fitText, layoutTable, nameList, type PageGeometry, type TableLayout } from './pdf-layout.js';
import type { ReportTable } from './table.js';

const PAGE: PageGeometry = { width: 841.89, height: 595.28, margin: 36, footerHeight: 20 };
const FONT = 'Helvetica';
const BOLD = 'Helvetica-Bold';
const BODY_SIZE = 7.5;
const HEADER_SIZE = 7;
const ROW_HEIGHT = 14;
const PAD = 3;
const INK = '#1a1a1a';
const MUTED = '#555555';
const HEADER_FILL = '#dde3ec';
const STRIPE_FILL = '#f4f6f9';
const RULE = '#8a94a6';
/** A text column (names) asks for no more than this for its values; longer ones are cut with an ellipsis. */
const TEXT_MIN_CAP = 130;

export interface PdfLabels {
  /** Names of the campaigns and agents the filters name (empty: not filtered). */
  campaigns: string[];
  agents: string[];
}

type Doc = InstanceType<typeof PDFDocument>;

/** Text widths by font, size and text, measured once each (a report's cells repeat: 0, 1, 0:00 …). */
function widths(doc: Doc): (font: string, size: number, text: string) => number {
  const known = new Map<string, number>();
  return (font, size, text) => {
    const key = `${font}\u0000${size}\u0000${text}`;
    let width = known.get(key);
    if (width === undefined) {
      width = doc.font(font).fontSize(size).widthOfString(text);
      known.set(key, width);
    }
    return width;
  };
}
type Measure = ReturnType<typeof widths>;

function titleBlock(doc: Doc, meta: ReportMeta, labels: PdfLabels): number {
  const x = PAGE.margin;
  const width = PAGE.width - 2 * PAGE.margin;
  doc.font(BOLD).fontSize(18).fillColor(INK).text(printable(meta.title), x, PAGE.margin, { width });
  doc.font(FONT).fontSize(11).text(printable(meta.organizationName), { width });
  doc.moveDown(0.4).fontSize(9).fillColor(MUTED);
  const { range } = meta;
  const period = range.startDate === range.endDate ? range.startDate : `${range.startDate} to ${range.endDate}`;
  // One line each, however many names a filter picked (up to 50 campaigns and 100 agents, names of
  // up to 200 characters): the title block stays above the table on the first page.
  const list = (label: string, names: string[]) => {
    const measure = (s: string) => doc.widthOfString(s);
    // A few points spare: pdfkit wraps a line some points short of the width given.
    return `${label}${nameList(names.map(printable), width - measure(label) - 12, measure)}`;
  };
  const outcomes = meta.filters.outcomes.length === 0 ? 'all' : meta.filters.outcomes.join(', ');
  const lines = [
    `Period: ${period} (${range.timeZone}; both days included)`,
    list('Campaigns: ', labels.campaigns),
    list('Agents: ', labels.agents),
    `Logged-call outcomes: ${outcomes}`,
    `Figures: ${meta.scope === 'own' ? 'your own (calls bridged to you, your call logs and leads)' : "the whole organisation's, within the filters"}`,
    `Generated: ${meta.generatedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}`,
  ];
  for (const line of lines) doc.text(printable(line), { width });
  return doc.y + 10;
}

/** Each column's least width: its longest label word (header font), its widest value (body font, totals bold). */
function minWidths(measure: Measure, table: ReportTable): number[] {
  const sized = table.columns.map((column, i) => {
    const word = Math.max(...printable(column.label).split(/\s+/).map((w) => measure(BOLD, HEADER_SIZE, w)));
    let value = Math.max(0, ...table.rows.map((row) => measure(FONT, BODY_SIZE, printable(formatCell(column.kind, row[i] ?? null)))));
    value = Math.max(value, measure(BOLD, BODY_SIZE, printable(formatCell(column.kind, table.totals[i] ?? null))));
    return { text: column.kind === 'text', word, value };
  });
  // Figures are never cut: a text column (names, cut with an ellipsis) asks at most for the room
  // the figures leave it, so that a long name does not make every column shrink alike.
  const figures = sized.reduce((sum, c) => sum + (c.text ? 0 : Math.max(c.word, c.value) + 2 * PAD + 1), 0);
  const textColumns = sized.filter((c) => c.text).length;
  const room = textColumns === 0 ? 0 : (PAGE.width - 2 * PAGE.margin - figures) / textColumns - 2 * PAD - 1;
  return sized.map((c) => Math.max(c.word, c.text ? Math.min(c.value, TEXT_MIN_CAP, room) : c.value) + 2 * PAD + 1);
}

function headerRow(doc: Doc, table: ReportTable, layout: TableLayout, top: number): void {
  doc.rect(PAGE.margin, top, PAGE.width - 2 * PAGE.margin, layout.headerHeight).fill(HEADER_FILL);
  doc.font(BOLD).fontSize(HEADER_SIZE).fillColor(INK);
  table.columns.forEach((column, i) => {
    const align = column.kind === 'text' ? 'left' : 'right';
    doc.text(printable(column.label), layout.left[i]! + PAD, top + PAD, { width: layout.widths[i]! - 2 * PAD, align });
  });
}

function bodyRow(doc: Doc, measure: Measure, table: ReportTable, layout: TableLayout, cells: ReadonlyArray<string | number | null>, y: number, bold: boolean): void {
  const font = bold ? BOLD : FONT;
  table.columns.forEach((column, i) => {
    const width = layout.widths[i]! - 2 * PAD;
    const text = fitText(printable(formatCell(column.kind, cells[i] ?? null)), width, (s) => measure(font, BODY_SIZE, s));
    doc.font(font).fontSize(BODY_SIZE).fillColor(INK);
    doc.text(text, layout.left[i]! + PAD, y + (ROW_HEIGHT - BODY_SIZE) / 2, { width, align: column.kind === 'text' ? 'left' : 'right', lineBreak: false });
  });
}

const FOOTER_SIZE = 7;

function footers(doc: Doc, measure: Measure, meta: ReportMeta): void {
  const range = doc.bufferedPageRange();
  const y = PAGE.height - PAGE.margin - 8;
  // One line: a long organisation name is cut (with an ellipsis), the title and the date are kept.
  const width = PAGE.width - 2 * PAGE.margin - 80;
  const before = printable(`${meta.title} — `);
  const after = ` — generated ${meta.generatedAt}`;
  const room = width - measure(FONT, FOOTER_SIZE, before) - measure(FONT, FOOTER_SIZE, after);
  const left = `${before}${fitText(printable(meta.organizationName), room, (s) => measure(FONT, FOOTER_SIZE, s))}${after}`;
  for (let i = 0; i < range.count; i += 1) {
    doc.switchToPage(range.start + i);
    // The footer sits in the bottom margin: lift the margin so pdfkit does not start a new page.
    doc.page.margins.bottom = 0;
    doc.font(FONT).fontSize(FOOTER_SIZE).fillColor(MUTED);
    // No width for pdfkit's wrapper: it wraps a line some points narrower than the width given.
    doc.text(left, PAGE.margin, y, { lineBreak: false });
    doc.text(`Page ${i + 1} of ${range.count}`, PAGE.width - PAGE.margin - 80, y, { width: 80, align: 'right', lineBreak: false });
  }
}

/** pdfkit is loaded on the first PDF (~0.2 s of a start that may never print one). */
export async function reportPdf(meta: ReportMeta, table: ReportTable, labels: PdfLabels): Promise<Buffer> {
  const { default: PdfDocument } = await import('pdfkit');
  const doc = new PdfDocument({
    size: 'A4',
    layout: 'landscape',
    margin: PAGE.margin,
    bufferPages: true,
    info: { Title: printable(`${meta.title} — ${meta.organizationName}`), Author: 'CallCenter Pro', CreationDate: new Date(meta.generatedAt) },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const firstTop = titleBlock(doc, meta, labels);
  const measure = widths(doc);
  const least = minWidths(measure, table);
  doc.font(BOLD).fontSize(HEADER_SIZE);
  const layout = layoutTable(
    {
      weights: table.columns.map((c) => c.weight),
      minWidths: least,
      rowCount: table.rows.length,
      rowHeight: ROW_HEIGHT,
      firstTop,
      headerHeight: (widths) => Math.max(...table.columns.map((c, i) => doc.heightOfString(printable(c.label), { width: widths[i]! - 2 * PAD }))) + 2 * PAD,
    },
    PAGE,
  );
  layout.pages.forEach((page, p) => {
    if (p > 0) doc.addPage();
    headerRow(doc, table, layout, page.top);
    let y = page.top + layout.headerHeight;
    for (const index of page.rows) {
      if (index % 2 === 1) doc.rect(PAGE.margin, y, PAGE.width - 2 * PAGE.margin, ROW_HEIGHT).fill(STRIPE_FILL);
      bodyRow(doc, measure, table, layout, table.rows[index]!, y, false);
      y += ROW_HEIGHT;
    }
    if (page.totals) {
      doc.moveTo(PAGE.margin, y).lineTo(PAGE.width - PAGE.margin, y).lineWidth(0.8).strokeColor(RULE).stroke();
      bodyRow(doc, measure, table, layout, table.totals, y, true);
    }
  });
  footers(doc, measure, meta);
  doc.end();
  return done;
}
