// Where a report table goes on the PDF's pages (pure; text is measured by the caller's function):
// column widths — each its own minimum (its longest label word, its widest value), the rest of the
// line shared out by weight —, the header row's height from its wrapped labels, and which
// rows each page holds — the header row repeated at the top of every page, the totals row kept
// whole on the last page (a page of its own, under the header, when the last one is full).

export interface PageGeometry {
  width: number;
  height: number;
  margin: number;
  /** Kept free at the bottom of every page for the footer. */
  footerHeight: number;
}

export interface TablePage {
  /** Where the header row starts. */
  top: number;
  /** Indices of the rows on this page. */
  rows: number[];
  /** The totals row comes after them. */
  totals: boolean;
}

export interface TableLayout {
  left: number[];
  widths: number[];
  headerHeight: number;
  rowHeight: number;
  pages: TablePage[];
}

export interface LayoutInput {
  weights: readonly number[];
  /** The narrowest each column may be; when they add up to more than the line, all shrink alike. */
  minWidths: readonly number[];
  rowCount: number;
  rowHeight: number;
  /** The header row's height for these column widths (its tallest wrapped label, padding included). */
  headerHeight: (widths: readonly number[]) => number;
  /** Where the table starts on the first page (under the title block). */
  firstTop: number;
}

export function layoutTable(input: LayoutInput, page: PageGeometry): TableLayout {
  const usable = page.width - 2 * page.margin;
  const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
  const least = sum(input.minWidths);
  const extra = usable - least;
  const widths =
    extra <= 0
      ? input.minWidths.map((m) => (m * usable) / least)
      : input.minWidths.map((m, i) => m + (extra * input.weights[i]!) / sum(input.weights));
  const left = widths.map((_, i) => page.margin + widths.slice(0, i).reduce((a, b) => a + b, 0));
  const headerHeight = input.headerHeight(widths);
  const bottom = page.height - page.margin - page.footerHeight;
  /** Rows that fit under the header on a page whose header starts at `top` (at least one). */
  const capacity = (top: number) => Math.max(1, Math.floor((bottom - top - headerHeight) / input.rowHeight));

  const pages: TablePage[] = [];
  let next = 0;
  let top = input.firstTop;
  for (;;) {
    const fits = capacity(top);
    const rows = Array.from({ length: Math.min(fits, input.rowCount - next) }, (_, i) => next + i);
    next += rows.length;
    const last = next >= input.rowCount;
    const totals = last && rows.length < fits;
    pages.push({ top, rows, totals });
    if (last && totals) break;
    if (last) {
      pages.push({ top: page.margin, rows: [], totals: true });
      break;
    }
    top = page.margin;
  }
  return { left, widths, headerHeight, rowHeight: input.rowHeight, pages };
}

/** `text` cut to fit `width` (with an ellipsis) by the caller's measure. */
export function fitText(text: string, width: number, measure: (s: string) => number): string {
  if (measure(text) <= width) return text;
  const chars = [...text];
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure(`${chars.slice(0, mid).join('')}…`) <= width) lo = mid;
    else hi = mid - 1;
  }
  return `${chars.slice(0, lo).join('')}…`;
}

/**
 * The names a filter picked, joined with commas on one line of `width`: every one when they fit,
 * else as many whole names as fit and how many more (the first cut with an ellipsis when even it
 * does not fit); `all` for none.
 */
export function nameList(names: readonly string[], width: number, measure: (s: string) => number): string {
  if (names.length === 0) return 'all';
  const all = names.join(', ');
  if (measure(all) <= width) return all;
  const more = (shown: number) => ` and ${names.length - shown} more`;
  let lo = 0;
  let hi = names.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure(`${names.slice(0, mid).join(', ')}${more(mid)}`) <= width) lo = mid;
    else hi = mid - 1;
  }
  if (lo > 0) return `${names.slice(0, lo).join(', ')}${more(lo)}`;
  return `${fitText(names[0]!, width - measure(more(1)), measure)}${more(1)}`;
}
