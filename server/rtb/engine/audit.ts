// Audit bodies: secrets redacted first (so a token cut at the boundary cannot leave a prefix),
// then truncated to at most 4 KiB of UTF-8 without splitting a character.

export const AUDIT_MAX_BYTES = 4096;
export const REDACTED = '[REDACTED]';
const MARK = '…[truncated]';
const MARK_BYTES = Buffer.byteLength(MARK);

/** The forms a secret can take in a body or query: as is, JSON-escaped, percent-encoded. */
export function secretForms(secret: string | null | undefined): string[] {
  if (!secret) return [];
  const forms = new Set<string>([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]);
  // Longest first, so a shorter form never leaves part of a longer one behind.
  return [...forms].filter((f) => f.length > 0).sort((a, b) => b.length - a.length);
}

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length > 0 && out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}

export function truncateUtf8(text: string, maxBytes: number = AUDIT_MAX_BYTES): string {
  // Fast path: every UTF-16 unit is at most 3 UTF-8 bytes.
  if (text.length * 3 <= maxBytes) return text;
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const budget = maxBytes - MARK_BYTES;
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const code = text.codePointAt(i) ?? 0;
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (bytes + size > budget) break;
    bytes += size;
    i += code >= 0x10000 ? 2 : 1;
  }
  return text.slice(0, i) + MARK;
}

/** Any surrogate or NUL (the quick test); with the u flag a surrogate pair is one code point, so only an unpaired half matches. */
const MAY_BE_UNSTORABLE = /[\u0000\uD800-\uDFFF]/;
const UNSTORABLE = /\u0000|[\uD800-\uDFFF]/gu;

/**
 * The text with every U+0000 and every unpaired UTF-16 surrogate replaced by U+FFFD: PostgreSQL's
 * text and jsonb cannot hold a NUL, jsonb refuses a lone surrogate's escape (a bidder's answer may
 * carry `"\ud800"` in a value read from it), and such an answer must not fail the auction's audit.
 * The same UTF-8 length for a surrogate (3 bytes either way).
 */
export function withoutNul(text: string): string {
  return MAY_BE_UNSTORABLE.test(text) ? text.replace(UNSTORABLE, '\uFFFD') : text;
}

export function auditText(text: string | null | undefined, secrets: readonly string[] = []): string | null {
  if (text === null || text === undefined) return null;
  return truncateUtf8(withoutNul(redact(text, secrets)));
}
