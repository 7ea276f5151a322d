// The benchmarks' tables: Markdown, columns padded to their widest cell (left-aligned where
// `leftAligned(column)` says so, else right-aligned, as numbers read best).
export function markdownTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>, leftAligned: (column: number) => boolean): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => (leftAligned(i) ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)];
}
