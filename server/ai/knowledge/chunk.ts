// Passages for search: the text cut on paragraph boundaries (sentences, then words, when a
// paragraph is too long) into chunks of about TARGET_CHARS to MAX_CHARS — closed at a paragraph
// boundary once TARGET_CHARS is reached — each starting with the last sentence of the one before
// (a little overlap, so an answer cut by a boundary is still found whole). A PDF's passages carry
// the page they start on. Pure.
import type { TextSection } from './extract.js';

export const TARGET_CHARS = 600;
export const MAX_CHARS = 1000;
/** The overlap: the previous passage's last sentence, when it is at most this long. */
export const OVERLAP_MAX_CHARS = 200;

export interface Passage {
  position: number;
  page: number | null;
  content: string;
}

interface Unit {
  text: string;
  page: number | null;
  /** The first unit of a paragraph (joined to the one before by a blank line, else by a space). */
  opensParagraph: boolean;
}

const SENTENCE_END = /(?<=[.!?…])\s+(?=\S)/u;

/** Cut a text longer than MAX_CHARS at word boundaries (at a hard limit where a word is longer). */
function cutWords(text: string): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > MAX_CHARS) {
    let at = rest.lastIndexOf(' ', MAX_CHARS);
    if (at < MAX_CHARS / 2) at = MAX_CHARS;
    pieces.push(rest.slice(0, at).trim());
    rest = rest.slice(at).trim();
  }
  if (rest) pieces.push(rest);
  return pieces;
}

function unitsOf(sections: readonly TextSection[]): Unit[] {
  const units: Unit[] = [];
  for (const section of sections) {
    for (const raw of section.text.split(/\n\s*\n/)) {
      const paragraph = raw.replace(/\s*\n\s*/g, ' ').trim();
      if (!paragraph) continue;
      const sentences = paragraph.length <= MAX_CHARS ? [paragraph] : paragraph.split(SENTENCE_END).flatMap(cutWords);
      sentences.forEach((text, i) => units.push({ text, page: section.page, opensParagraph: i === 0 }));
    }
  }
  return units;
}

function lastSentence(units: readonly Unit[]): string | null {
  const last = units[units.length - 1];
  if (!last) return null;
  const sentences = last.text.split(SENTENCE_END);
  const sentence = sentences[sentences.length - 1]!;
  return sentences.length > 1 && sentence.length <= OVERLAP_MAX_CHARS ? sentence : null;
}

export function chunkText(sections: readonly TextSection[]): Passage[] {
  const passages: Passage[] = [];
  let current: Unit[] = [];
  let overlap: string | null = null;
  let length = 0;
  const flush = () => {
    if (current.length === 0) return;
    const body = current.map((u, i) => (i === 0 ? u.text : `${u.opensParagraph ? '\n\n' : ' '}${u.text}`)).join('');
    const content = overlap && overlap.length + 1 + body.length <= MAX_CHARS ? `${overlap} ${body}` : body;
    passages.push({ position: passages.length, page: current[0]!.page, content });
    overlap = lastSentence(current);
    current = [];
    length = 0;
  };
  for (const unit of unitsOf(sections)) {
    const joined = length + (current.length > 0 ? 2 : 0) + unit.text.length;
    // Close the passage at a paragraph boundary once it is long enough, or before it grows too long.
    if (current.length > 0 && (joined > MAX_CHARS - OVERLAP_MAX_CHARS || (unit.opensParagraph && length >= TARGET_CHARS))) flush();
    current.push(unit);
    length += (current.length > 1 ? 2 : 0) + unit.text.length;
  }
  flush();
  return passages;
}
