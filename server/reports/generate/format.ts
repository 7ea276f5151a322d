// How a report's values read in print (pure): counts with thousands separators, seconds as
// h:mm:ss (m:ss under an hour), shares as percentages with one decimal, nothing as a dash.
import type { Cell, ColumnKind } from './table.js';

export const NOTHING = '—';

export function formatSeconds(total: number): string {
  const s = Math.round(total);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

export function formatCell(kind: ColumnKind, value: Cell): string {
  if (value === null) return NOTHING;
  if (typeof value === 'string') return value;
  switch (kind) {
    case 'count':
      return value.toLocaleString('en-US');
    case 'seconds':
      return formatSeconds(value);
    case 'share':
      return `${(value * 100).toFixed(1)} %`;
    case 'text':
      return String(value);
  }
}

/** Text the PDF's standard fonts can show (WinAnsi): any other character becomes '?'. */
const WIN_ANSI_EXTRAS = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
export function printable(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    out += (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRAS.has(ch) ? ch : code < 0x20 ? ' ' : '?';
  }
  return out;
}
