// When no passage holds every word of a query (a question asked in a sentence), the search
// loosens it step by step: first passages holding at least two of its words (every pair AND-ed,
// OR-ed together: selective, so still cheap and relevant), then passages holding any one. Only for
// a plain query — words AND-ed, no phrase the caller quoted, no `or`, no excluded `-word` — as
// PostgreSQL printed its tsquery. Pure: tsquery text in, tsquery texts out.

/** At most this many words are loosened (8 words: 28 pairs). */
export const MAX_LOOSE_WORDS = 8;

const LEXEME = "'((?:[^']|'')+)'";
const ONE_LEXEME = new RegExp(`^${LEXEME}$`);
/** A phrase of lexemes (`'e-mail' <-> 'e' <-> 'mail'`, `'state' <3> 'art'`). */
const PHRASE = new RegExp(`^${LEXEME}(?: <(?:-|\\d+)> ${LEXEME})+$`);
const LEXEMES = new RegExp(LEXEME, 'g');

/**
 * The lexemes of a plain AND query (`'a' & 'b' & 'c'`), or null for anything else or fewer than
 * two. With `compounds`, a phrase among them counts as its words: PostgreSQL makes one of a
 * hyphenated or otherwise joined word (e-mail, follow-up, o'brien), so the caller — who quoted
 * nothing — asked for words, not a phrase.
 */
export function plainLexemes(tsquery: string, compounds = false): string[] | null {
  const parts = tsquery.split(' & ');
  const lexemes: string[] = [];
  const add = (lexeme: string) => {
    if (!lexemes.includes(lexeme)) lexemes.push(lexeme);
  };
  for (const raw of parts) {
    const part = raw.trim();
    const m = ONE_LEXEME.exec(part);
    if (m) add(m[1]!);
    else if (compounds && PHRASE.test(part)) for (const word of part.matchAll(LEXEMES)) add(word[1]!);
    else return null;
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
