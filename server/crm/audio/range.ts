// Byte ranges (RFC 9110 §14) for the audio answers (pure).
//
// - One range: `bytes=0-99`, `bytes=100-` (to the end), `bytes=-500` (the last 500 bytes; the
//   whole file when it is shorter). An end beyond the file is cut to the file.
// - Unsatisfiable (416): a first byte at or beyond the end, or a suffix of 0 bytes (`bytes=-0`).
// - Ignored (the whole file, 200), as RFC 9110 allows: no header, another unit, a malformed
//   range (`bytes=9-1`, `bytes=abc`), several ranges (we do not answer multipart/byteranges),
//   or an If-Range that is not the file's current ETag.
export type RangeDecision =
  | { kind: 'full' }
  | { kind: 'partial'; start: number; end: number }
  | { kind: 'unsatisfiable' };

const SPEC = /^bytes=(\d*)-(\d*)$/;

export function decideRange(header: string | undefined, size: number, ifRange?: string, etag?: string): RangeDecision {
  if (header === undefined) return { kind: 'full' };
  if (ifRange !== undefined && ifRange !== etag) return { kind: 'full' };
  const match = SPEC.exec(header.replace(/\s+/g, ''));
  if (!match) return { kind: 'full' };
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return { kind: 'full' };
  if (first === '') {
    const suffix = Number(last);
    if (!Number.isSafeInteger(suffix)) return { kind: 'full' };
    if (suffix === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? Math.max(start, size - 1) : Number(last);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) return { kind: 'full' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end: Math.min(end, size - 1) };
}
