// Markdown → plain text: the text is kept as written, minus the markup that is trivially safe to
// drop (heading and quote markers, emphasis, inline-code ticks, code fences, link and image syntax
// kept as their words, HTML comments); headings become paragraphs of their own. Anything
// ambiguous stays as it is. Every pattern is bounded (no quadratic scan of a hostile line); HTML
// comments and a heading's closing #s are taken off by hand. Pure.
import { tidy } from './html-text.js';

export function markdownToText(markdown: string): string {
  const text = withoutComments(markdown.replace(/\r\n?/g, '\n'))
    .replace(/^[ \t]{0,3}(?:```|~~~).*$/gm, '')
    .replace(/^[ \t]{0,3}#{1,6}[ \t]+(.*)$/gm, (_line, rest: string) => `\n${headingText(rest)}\n`)
    .replace(/^[ \t]{0,3}(?:=+|-+)[ \t]*$/gm, '')
    .replace(/^[ \t]{0,3}>[ \t]?/gm, '')
    .replace(/!\[([^\]\n]{0,300})\]\([^)\n]{0,2000}\)/g, '$1')
    .replace(/\[([^\]\n]{1,300})\]\([^)\n]{0,2000}\)/g, '$1')
    .replace(/(\*\*|__)(?=\S)([^\n]{0,300}?\S)\1/g, '$2')
    .replace(/`([^`\n]{1,300})`/g, '$1');
  return tidy(text);
}

/**
 * A heading's words without its closing sequence of #s (one preceded by a space or tab, as
 * CommonMark has it: "C#" stays), by hand: the same as a pattern would backtrack over every space.
 */
function headingText(rest: string): string {
  const text = rest.trimEnd();
  let end = text.length;
  while (end > 0 && text[end - 1] === '#') end -= 1;
  const closed = end === 0 || text[end - 1] === ' ' || text[end - 1] === '\t';
  return (closed ? text.slice(0, end) : text).trim();
}

/**
 * The text without its HTML comments (an unclosed one stays), by hand: a bounded pattern still
 * scanned ahead from every `<!--`, 20 s for a megabyte of them.
 */
function withoutComments(text: string): string {
  const kept: string[] = [];
  let from = 0;
  for (;;) {
    const start = text.indexOf('<!--', from);
    if (start === -1) break;
    const end = text.indexOf('-->', start + 4);
    if (end === -1) break;
    kept.push(text.slice(from, start));
    from = end + 3;
  }
  kept.push(text.slice(from));
  return kept.join('');
}
