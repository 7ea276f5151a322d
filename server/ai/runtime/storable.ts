// Text PostgreSQL can store (pure). What a model writes — an answer, a tool's name or arguments, a
// summary — may hold a NUL (text cannot hold it, jsonb refuses its escape) or an unpaired UTF-16
// surrogate (jsonb refuses its escape): one such character failed the whole write it was in (the
// turns, cuts and usage of a batch; a conversation's end). Each becomes U+FFFD.

/** With the u flag a surrogate pair is one code point: only an unpaired half matches. */
const UNSTORABLE = /\u0000|[\uD800-\uDFFF]/gu;

export function storableText(text: string): string {
  return text.replace(UNSTORABLE, '\uFFFD');
}

/** Strings (object keys too) made storable throughout arrays and plain objects; anything else as it is. */
export function storableValue<T>(value: T): T {
  if (typeof value === 'string') return storableText(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => storableValue(v)) as T;
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableText(k), storableValue(v)])) as T;
  }
  return value;
}
