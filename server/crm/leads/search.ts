// What a search text means (pure): a phone fragment in any format, or words of a name, company or
// email. The SQL it becomes is in queries.ts.

export type SearchPlan =
  | { kind: 'phone'; fragments: string[] }
  | { kind: 'text'; text: string; prefixQuery: string | null };

const PHONE_LIKE = /^[\s\d()+.\-/]+$/;
const WORD = /[\p{L}\p{N}]+/gu;

/**
 * `(555) 123`, `555123`, `+1555123...`: the digits, matched anywhere in the E.164 digits (a national
 * trunk prefix 0 or an international 00 is also tried without). Anything else is text: lower-cased,
 * and a full-text prefix query of its words (`john:* & smi:*`; words are letters and digits only,
 * so nothing in it is tsquery syntax).
 */
export function planSearch(q: string): SearchPlan | null {
  const trimmed = q.trim();
  if (trimmed === '') return null;
  const digits = trimmed.replace(/\D/g, '');
  if (PHONE_LIKE.test(trimmed) && digits.length >= 3) {
    const fragments = [digits];
    if (digits.startsWith('00') && digits.length > 5) fragments.push(digits.slice(2));
    else if (digits.startsWith('0') && digits.length > 4) fragments.push(digits.slice(1));
    return { kind: 'phone', fragments };
  }
  const text = trimmed.toLowerCase().replace(/\s+/g, ' ');
  const words = text.match(WORD) ?? [];
  return { kind: 'text', text, prefixQuery: words.length > 0 ? words.slice(0, 8).map((w) => `${w}:*`).join(' & ') : null };
}

/** `text` with LIKE's wildcards escaped (the default escape character is the backslash). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
