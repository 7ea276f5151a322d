// Markdown → plain text: the text is kept as written, minus the markup that is trivially safe to
// drop (heading and quote markers, emphasis, inline-code ticks, code fences, link and image syntax
// kept as their words, HTML comments). Anything ambiguous stays as it is. Pure.
import { tidy } from './html-text.js';

export function markdownToText(markdown: string): string {
  const text = markdown
    .replace(/\r\n?/g, '\n')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/^\s{0,3}(?:```|~~~).*$/gm, '')
    .replace(/^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/gm, '$1')
    .replace(/^\s{0,3}(?:=+|-+)\s*$/gm, '')
    .replace(/^\s{0,3}>\s?/gm, '')
    .replace(/!\[([^\]\n]*)\]\([^)\n]*\)/g, '$1')
    .replace(/\[([^\]\n]+)\]\([^)\n]*\)/g, '$1')
    .replace(/(\*\*|__)(?=\S)([^\n]*?\S)\1/g, '$2')
    .replace(/`([^`\n]+)`/g, '$1');
  return tidy(text);
}
