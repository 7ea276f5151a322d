// A stored file's text, by established extractors only: unpdf (pdf.js) for PDF, page by page, its
// page count checked against the limit before any page is read; mammoth for DOCX, after the zip
// guard (zip-guard.ts) has refused a zip bomb; the HTML and Markdown readers of this folder in a
// worker thread with a time limit (html-bounded.ts); text
// as it is. A file that cannot be read ends in a DocumentFailure whose message is the reason the
// document shows (`failureReason`); anything else thrown is a fault of ours (retried by the lease).
// The two extractors are loaded on first use (together ~0.2 s of a start that may never need them).
import { decodeUtf8, type KnowledgeKind } from './detect.js';
import { DEFAULT_MARKUP_TIMEOUT_MS, markupToTextBounded } from './html-bounded.js';
import { HtmlProblem, tidy } from './html-text.js';
import { checkZipBomb, readZipDirectory, ZipProblem } from './zip-guard.js';

/** Why a document cannot be processed, in words shown to the user. */
export class DocumentFailure extends Error {}

export interface ExtractLimits {
  /** KB_MAX_PAGES: a PDF with more pages fails before any page is read. */
  maxPages: number;
  /** The most text one document may yield (characters). */
  maxTextChars: number;
  /** The most a DOCX's files may unpack to together (bytes). */
  maxUnzippedBytes: number;
  /** How long an HTML or Markdown document may take to read (default DEFAULT_MARKUP_TIMEOUT_MS; html-bounded.ts). */
  markupTimeoutMs?: number;
}

export const DEFAULT_MAX_TEXT_CHARS = 5_000_000;
export const DEFAULT_MAX_UNZIPPED_BYTES = 100 * 1024 * 1024;

/** One stretch of text: a PDF page (1-based), or the whole document (page null). */
export interface TextSection {
  page: number | null;
  text: string;
}

export interface Extracted {
  sections: TextSection[];
  /** A PDF's page count; null for the other types. */
  pageCount: number | null;
}

function tooMuchText(limits: ExtractLimits): DocumentFailure {
  return new DocumentFailure(`the document holds more than ${limits.maxTextChars} characters of text (the most one document may hold); split it into smaller documents`);
}

function checked(text: string, limits: ExtractLimits): string {
  if (text.length > limits.maxTextChars) throw tooMuchText(limits);
  return text;
}

interface PdfTextItem {
  str?: string;
  hasEOL?: boolean;
}

async function extractPdf(data: Buffer, limits: ExtractLimits): Promise<Extracted> {
  let pdf;
  try {
    // pdf.js takes ownership of the bytes it is given: a copy, so the caller's buffer stays whole.
    const { getDocumentProxy } = await import('unpdf');
    pdf = await getDocumentProxy(new Uint8Array(data), { verbosity: 0, stopAtErrors: false });
  } catch (err) {
    const name = (err as { name?: string }).name;
    if (name === 'PasswordException') throw new DocumentFailure('the PDF is encrypted (password-protected); upload it without a password');
    throw new DocumentFailure(`the PDF is corrupt and cannot be read (${err instanceof Error ? err.message.slice(0, 120) : 'unreadable'})`);
  }
  try {
    const pageCount = pdf.numPages;
    if (pageCount > limits.maxPages) throw new DocumentFailure(`the PDF has ${pageCount} pages, more than the ${limits.maxPages} allowed (KB_MAX_PAGES)`);
    const sections: TextSection[] = [];
    let total = 0;
    for (let page = 1; page <= pageCount; page += 1) {
      let text: string;
      try {
        const content = await (await pdf.getPage(page)).getTextContent();
        text = (content.items as PdfTextItem[])
          .filter((item) => typeof item.str === 'string')
          .map((item) => item.str! + (item.hasEOL ? '\n' : ''))
          .join('');
      } catch (err) {
        throw new DocumentFailure(`page ${page} of the PDF cannot be read (${err instanceof Error ? err.message.slice(0, 120) : 'unreadable'})`);
      }
      total += text.length;
      if (total > limits.maxTextChars) throw tooMuchText(limits);
      sections.push({ page, text: tidy(text) });
    }
    return { sections, pageCount };
  } finally {
    await pdf.destroy();
  }
}

async function extractDocx(data: Buffer, limits: ExtractLimits): Promise<Extracted> {
  try {
    const entries = readZipDirectory(data);
    if (!entries) throw new DocumentFailure('the DOCX is corrupt (not a zip archive)');
    checkZipBomb(data, entries, limits.maxUnzippedBytes);
  } catch (err) {
    if (err instanceof ZipProblem) throw new DocumentFailure(`the DOCX cannot be opened: ${err.message}`);
    throw err;
  }
  let text: string;
  try {
    const { default: mammoth } = await import('mammoth');
    text = (await mammoth.extractRawText({ buffer: data })).value;
  } catch (err) {
    throw new DocumentFailure(`the DOCX is corrupt and cannot be read (${err instanceof Error ? err.message.slice(0, 120) : 'unreadable'})`);
  }
  return { sections: [{ page: null, text: tidy(checked(text, limits)) }], pageCount: null };
}

function textOf(data: Buffer): string {
  const text = decodeUtf8(data);
  if (text === null) throw new DocumentFailure('the file is not valid UTF-8 text');
  return text.replace(/^\uFEFF/, '');
}

export async function extractDocument(kind: KnowledgeKind, data: Buffer, limits: ExtractLimits): Promise<Extracted> {
  switch (kind) {
    case 'pdf':
      return extractPdf(data, limits);
    case 'docx':
      return extractDocx(data, limits);
    case 'html': {
      const html = checked(textOf(data), limits);
      try {
        return { sections: [{ page: null, text: await markupToTextBounded('html', html, limits.markupTimeoutMs ?? DEFAULT_MARKUP_TIMEOUT_MS) }], pageCount: null };
      } catch (err) {
        if (err instanceof HtmlProblem) throw new DocumentFailure(err.message);
        throw err;
      }
    }
    case 'markdown': {
      const markdown = checked(textOf(data), limits);
      try {
        return { sections: [{ page: null, text: await markupToTextBounded('markdown', markdown, limits.markupTimeoutMs ?? DEFAULT_MARKUP_TIMEOUT_MS) }], pageCount: null };
      } catch (err) {
        if (err instanceof HtmlProblem) throw new DocumentFailure(err.message);
        throw err;
      }
    }
    case 'text':
      return { sections: [{ page: null, text: tidy(checked(textOf(data), limits)) }], pageCount: null };
  }
}
