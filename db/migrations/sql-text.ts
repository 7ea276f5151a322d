// Text helpers for migrations that restate an earlier migration's SQL with one change.

/** `text` with its one occurrence of `from` replaced; throws when `from` is missing or repeated. */
export function replaceOnce(text: string, from: string, to: string, what: string): string {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`migration: ${what} to replace was not found exactly once`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}
