// When no passage holds every word of a query (a question asked in a sentence), the search
// loosens it step by step: first passages holding at least two of its words (every pair AND-ed,
// OR-ed together: selective, so still cheap and relevant), then passages holding any one. Only for
// a plain query — words AND-ed, no phrase, no `or`, no excluded `-word` — as PostgreSQL printed its
// tsquery. Pure: tsquery text in, tsquery texts out.

/** At most this many words are loosened (8 words: 28 pairs). */
export const MAX_LOOSE_WORDS = 8;

/** The lexemes of a plain AND query (`'a' & 'b' & 'c'`), or null for anything else or fewer than two. */
export function plainLexemes(tsquery: string): string[] | null {
  const parts = tsquery.split(' & ');
  const lexemes: string[] = [];
  for (const part of parts) {
    const m = /^'((?:[^']|'')+)'$/.exec(part.trim());
    if (!m) return null;
    if (!lexemes.includes(m[1]!)) lexemes.push(m[1]!);
  }
  return lexemes.length >= 2 ? lexemes.slice(0, MAX_LOOSE_WORDS) : null;
}

/** The looser queries to try in order (tsquery text, lexemes already normalised and quoted). */
export function looseQueries(lexemes: readonly string[]): string[] {
  const quoted = lexemes.map((l) => `'${l}'`);
  const queries: string[] = [];
  if (quoted.length >= 3) {
    const pairs: string[] = [];
    for (let i = 0; i < quoted.length; i += 1) for (let j = i + 1; j < quoted.length; j += 1) pairs.push(`( ${quoted[i]} & ${quoted[j]} )`);
    queries.push(pairs.join(' | '));
  }
  queries.push(quoted.join(' | '));
  return queries;
}
