// Markdown → plain text: the text is kept as written, minus the markup that is trivially safe to
// drop (heading and quote markers, emphasis, inline-code ticks, code fences, link and image syntax
// kept as their words, HTML comments); headings become paragraphs of their own. Anything
// ambiguous stays as it is. Every pattern is bounded (no quadratic scan of a hostile line). Pure.
import { tidy } from './html-text.js';

export function markdownToText(markdown: string): string {
  const text = markdown
    .replace(/\r\n?/g, '\n')
    .replace(/<!--[\s\S]{0,10000}?-->/g, '')
    .replace(/^[ \t]{0,3}(?:```|~~~).*$/gm, '')
    .replace(/^[ \t]{0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$/gm, '\n$1\n')
    .replace(/^[ \t]{0,3}(?:=+|-+)[ \t]*$/gm, '')
    .replace(/^[ \t]{0,3}>[ \t]?/gm, '')
    .replace(/!\[([^\]\n]{0,300})\]\([^)\n]{0,2000}\)/g, '$1')
    .replace(/\[([^\]\n]{1,300})\]\([^)\n]{0,2000}\)/g, '$1')
    .replace(/(\*\*|__)(?=\S)([^\n]{0,300}?\S)\1/g, '$2')
    .replace(/`([^`\n]{1,300})`/g, '$1');
  return tidy(text);
}
