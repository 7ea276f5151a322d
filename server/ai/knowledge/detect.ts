// What an uploaded file is, decided by its content alone (never its name or the part's content
// type): PDF by its `%PDF-` header, DOCX by a zip whose central directory lists
// `word/document.xml`, and otherwise text — valid UTF-8 without NUL bytes — told apart as HTML
// (it opens with a doctype or an <html>/<head>/<body> element), Markdown (headings, fences, links
// or lists in Markdown syntax) or plain text. Pure.
import { readZipDirectory, ZipProblem } from './zip-guard.js';

export type KnowledgeKind = 'pdf' | 'docx' | 'html' | 'markdown' | 'text';

export const CONTENT_TYPES: Record<KnowledgeKind, string> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  html: 'text/html',
  markdown: 'text/markdown',
  text: 'text/plain',
};

export function kindOfContentType(contentType: string): KnowledgeKind | null {
  const found = (Object.keys(CONTENT_TYPES) as KnowledgeKind[]).find((kind) => CONTENT_TYPES[kind] === contentType);
  return found ?? null;
}

export type Detection = { ok: true; kind: KnowledgeKind } | { ok: false; reason: string };

const PDF_MAGIC = Buffer.from('%PDF-');
const UTF8 = new TextDecoder('utf-8', { fatal: true });

// Every pattern runs on the request path (an upload is typed before it is stored), so none may
// backtrack: comments before the HTML are skipped by hand, and the link's parts are bounded.
const HTML_OPENING = /^<(?:!doctype\s+html|html|head|body)[\s>]/i;
const MARKDOWN_SIGNS = [
  /^#{1,6}[ \t]+\S/m, // ATX heading
  /^(?:```|~~~)/m, // fenced code
  /\[[^\]\n]{1,300}\]\([^)\s]{1,2000}\)/, // inline link
  /^\S.*\n(?:=+|-+)\s*$/m, // setext heading
  /^[ \t]{0,3}(?:[-*+]|\d+[.)])[ \t]+\S.*\n[ \t]{0,3}(?:[-*+]|\d+[.)])[ \t]+\S/m, // a list of two items or more
  /^[ \t]{0,3}>[ \t]+\S/m, // block quote
];

export function decodeUtf8(data: Buffer): string | null {
  try {
    return UTF8.decode(data);
  } catch {
    return null;
  }
}

/** Whether the text opens (after any comments) with a doctype or an <html>, <head> or <body> element. */
function opensAsHtml(head: string): boolean {
  let rest = head;
  while (rest.startsWith('<!--')) {
    const end = rest.indexOf('-->', 4);
    if (end === -1) return false;
    rest = rest.slice(end + 3).trimStart();
  }
  return HTML_OPENING.test(rest);
}

export function textKind(text: string): 'html' | 'markdown' | 'text' {
  const head = text.replace(/^\uFEFF/, '').trimStart().slice(0, 4096);
  if (opensAsHtml(head)) return 'html';
  if (MARKDOWN_SIGNS.some((sign) => sign.test(text.slice(0, 65_536)))) return 'markdown';
  return 'text';
}

export function detectKnowledgeFile(data: Buffer): Detection {
  if (data.length === 0) return { ok: false, reason: 'is empty' };
  if (data.subarray(0, PDF_MAGIC.length).equals(PDF_MAGIC)) return { ok: true, kind: 'pdf' };
  if (data.length >= 4 && data.readUInt32LE(0) === 0x04034b50) {
    try {
      const entries = readZipDirectory(data);
      if (entries?.some((e) => e.name === 'word/document.xml')) return { ok: true, kind: 'docx' };
    } catch (err) {
      if (!(err instanceof ZipProblem)) throw err;
      return { ok: false, reason: `is a zip archive that cannot be read as DOCX (${err.message})` };
    }
    return { ok: false, reason: 'is a zip archive but not a DOCX document (no word/document.xml)' };
  }
  if (data.includes(0)) return { ok: false, reason: NOT_ACCEPTED };
  const text = decodeUtf8(data);
  if (text === null) return { ok: false, reason: NOT_ACCEPTED };
  return { ok: true, kind: textKind(text) };
}

export const NOT_ACCEPTED = 'must be a PDF, DOCX, HTML, Markdown or plain-text (UTF-8) file (by its content: this one is none of them)';
