// HTML → plain text through an established parser (@xmldom/xmldom in its lenient HTML mode, which
// knows HTML's named entities and void elements and reads <script>/<style> as raw text; installed
// with mammoth). The tree is walked (iteratively: deep nesting cannot exhaust the stack) keeping the
// text a reader sees: scripts, styles, templates and the head (except its title) are left out,
// block elements and <br> become line breaks. Pure.
import { createRequire } from 'node:module';

/** The part of the DOM this walk reads (xmldom's nodes). */
interface DomNode {
  nodeType: number;
  nodeName: string;
  nodeValue: string | null;
  firstChild: DomNode | null;
  nextSibling: DomNode | null;
}
interface XmlDomParser {
  parseFromString(source: string, mimeType: string): { documentElement: DomNode | null; firstChild: DomNode | null };
}
type ErrorHandler = { warning: (msg: string) => void; error: (msg: string) => void; fatalError: (msg: string) => void };
const { DOMParser } = createRequire(import.meta.url)('@xmldom/xmldom') as { DOMParser: new (options: { errorHandler: ErrorHandler }) => XmlDomParser };

const ELEMENT = 1;
const TEXT = 3;
const CDATA = 4;

const SKIPPED = new Set(['script', 'style', 'noscript', 'template', 'head', 'svg', 'math', 'iframe', 'object']);
const BLOCKS = new Set([
  'address', 'article', 'aside', 'blockquote', 'body', 'dd', 'details', 'dialog', 'div', 'dl', 'dt', 'fieldset', 'figcaption', 'figure',
  'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'html', 'li', 'main', 'nav', 'ol', 'p', 'pre', 'section', 'summary',
  'table', 'tbody', 'thead', 'tfoot', 'tr', 'ul', 'caption', 'title',
]);
const CELLS = new Set(['td', 'th']);

export class HtmlProblem extends Error {}

/** The readable text of an HTML document, paragraphs separated by blank lines. */
export function htmlToText(html: string): string {
  const ignore = () => {};
  let doc;
  try {
    doc = new DOMParser({ errorHandler: { warning: ignore, error: ignore, fatalError: ignore } }).parseFromString(html, 'text/html');
  } catch (err) {
    throw new HtmlProblem(`the HTML cannot be read (${err instanceof Error ? err.message.slice(0, 100) : 'parse error'})`);
  }
  const out: string[] = [];
  const title = findTitle(doc.documentElement);
  if (title) out.push(title, '\n\n');
  // Depth-first: the stack holds the next sibling to visit and the closing break of each open block.
  const stack: Array<DomNode | string> = [];
  let node: DomNode | null = doc.documentElement ?? doc.firstChild;
  while (node !== null || stack.length > 0) {
    if (node === null) {
      const next = stack.pop()!;
      if (typeof next === 'string') out.push(next);
      else node = next;
      continue;
    }
    if (node.nextSibling) stack.push(node.nextSibling);
    if (node.nodeType === TEXT || node.nodeType === CDATA) {
      out.push(node.nodeValue ?? '');
      node = null;
      continue;
    }
    if (node.nodeType !== ELEMENT) {
      node = null;
      continue;
    }
    const name = node.nodeName.toLowerCase();
    if (SKIPPED.has(name)) {
      node = null;
      continue;
    }
    if (name === 'br') out.push('\n');
    else if (BLOCKS.has(name)) {
      out.push('\n\n');
      stack.push('\n\n');
    } else if (CELLS.has(name)) {
      out.push(' ');
      stack.push(' ');
    }
    node = node.firstChild;
  }
  return tidy(out.join(''));
}

function findTitle(root: DomNode | null): string | null {
  const stack: DomNode[] = root ? [root] : [];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.nodeType === ELEMENT && node.nodeName.toLowerCase() === 'title') {
      const parts: string[] = [];
      for (let child = node.firstChild; child; child = child.nextSibling) if (child.nodeType === TEXT) parts.push(child.nodeValue ?? '');
      return parts.join('').replace(/\s+/g, ' ').trim() || null;
    }
    if (node.nodeType === ELEMENT && node.nodeName.toLowerCase() === 'body') continue;
    if (node.nextSibling) stack.push(node.nextSibling);
    if (node.firstChild) stack.push(node.firstChild);
  }
  return null;
}

/**
 * Runs of spaces to one, lines trimmed, at most one blank line between paragraphs. A NUL (which
 * markup can spell, e.g. HTML's or a DOCX's `&#0;`, and which PostgreSQL text cannot hold) is a space.
 */
export function tidy(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t\f\v\u00a0\u0000]+/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
