// The knowledge base's pure parts: type by content, the zip guard, text extraction of every type
// (real PDF and DOCX, hostile ones), HTML and Markdown to text, and chunking.
import { describe, expect, it } from 'vitest';
import { chunkText, MAX_CHARS } from '../../../server/ai/knowledge/chunk.js';
import { detectKnowledgeFile, textKind } from '../../../server/ai/knowledge/detect.js';
import { DocumentFailure, extractDocument, type ExtractLimits } from '../../../server/ai/knowledge/extract.js';
import { htmlToText } from '../../../server/ai/knowledge/html-text.js';
import { looseQueries, MAX_LOOSE_WORDS, plainLexemes } from '../../../server/ai/knowledge/loose-query.js';
import { markdownToText } from '../../../server/ai/knowledge/markdown-text.js';
import { checkZipBomb, readZipDirectory, ZipProblem } from '../../../server/ai/knowledge/zip-guard.js';
import { declaredZipBomb, documentXml, hiddenZipBomb, makeDocx, makeManyPagePdf, makePdf, makeZip, TINY_PNG, WARRANTY_DOCX } from './fixtures.js';

const LIMITS: ExtractLimits = { maxPages: 2000, maxTextChars: 5_000_000, maxUnzippedBytes: 10 * 1024 * 1024 };

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(DocumentFailure);
    return (err as Error).message;
  }
  throw new Error('expected a DocumentFailure');
}

describe('detectKnowledgeFile: the type is the content, never the name', () => {
  it('recognises PDF, DOCX, HTML, Markdown and text, and refuses the rest naming why', async () => {
    const pdf = await makePdf([['Hello']]);
    const cases: Array<[string, Buffer, string]> = [
      ['pdf', pdf, 'pdf'],
      ['docx', WARRANTY_DOCX, 'docx'],
      ['html', Buffer.from('<!DOCTYPE html><html><body><p>Hi</p></body></html>'), 'html'],
      ['html after a comment', Buffer.from('<!-- saved page -->\n<html lang="en"><p>Hi</p></html>'), 'html'],
      ['markdown', Buffer.from('# Returns\n\nWithin 30 days.'), 'markdown'],
      ['markdown list', Buffer.from('Steps:\n- unplug it\n- plug it back'), 'markdown'],
      ['text', Buffer.from('Opening hours: 9 to 5, Monday to Friday.'), 'text'],
      ['text with a BOM and accents', Buffer.from('\uFEFFCafé crème à 2 €.'), 'text'],
    ];
    expect(cases.map(([label, data]) => [label, detectKnowledgeFile(data)])).toEqual(cases.map(([label, , kind]) => [label, { ok: true, kind }]));
  });

  it('refuses a PNG, bytes with NULs, invalid UTF-8, an empty file, a zip that is not a DOCX', () => {
    const refused = [TINY_PNG, Buffer.from('text\u0000with a NUL'), Buffer.from([0x48, 0x69, 0xff, 0xfe]), Buffer.alloc(0), makeZip([{ name: 'a.txt', data: Buffer.from('x') }])];
    const verdicts = refused.map((data) => detectKnowledgeFile(data));
    expect(verdicts.every((v) => !v.ok)).toBe(true);
    expect(verdicts.map((v) => (v.ok ? '' : v.reason))).toEqual([
      expect.stringContaining('must be a PDF, DOCX, HTML, Markdown or plain-text'),
      expect.stringContaining('must be a PDF, DOCX'),
      expect.stringContaining('must be a PDF, DOCX'),
      'is empty',
      expect.stringContaining('not a DOCX document'),
    ]);
  });

  it('tells HTML from Markdown from text by what the text holds', () => {
    expect(textKind('<html><body>x</body></html>')).toBe('html');
    expect(textKind('Use the `reset` button, see [the guide](https://example.com/guide).')).toBe('markdown');
    expect(textKind('a < b and c > d is not HTML')).toBe('text');
  });

  it('decides in linear time, whatever the text (an upload is typed on the request path)', () => {
    const hostile: Array<[string, string, string]> = [
      // Empty HTML comments before anything else: the comment prefix used to backtrack exponentially.
      ['comments', `${'<!---->'.repeat(500)}x`, 'text'],
      ['comments, then HTML', `${'<!-- a -->\n'.repeat(300)}<html><p>Hi</p></html>`, 'html'],
      ['an unclosed comment', `<!--${' -- '.repeat(1000)}<html>`, 'text'],
      // Brackets never closed: the link pattern used to scan the rest of the text from each one.
      ['brackets', '['.repeat(65_536), 'text'],
      ['bracketed words', '[a'.repeat(32_768), 'text'],
    ];
    for (const [label, text, kind] of hostile) {
      const started = performance.now();
      expect(detectKnowledgeFile(Buffer.from(text)), label).toEqual({ ok: true, kind });
      expect(performance.now() - started, label).toBeLessThan(5000);
    }
  });
});

describe('the zip guard', () => {
  it('lists a real DOCX and lets it through', () => {
    const entries = readZipDirectory(WARRANTY_DOCX)!;
    expect(entries.map((e) => e.name).sort()).toEqual(['[Content_Types].xml', '_rels/.rels', 'word/document.xml']);
    expect(() => checkZipBomb(WARRANTY_DOCX, entries, 1024 * 1024)).not.toThrow();
  });

  it('refuses a declared bomb before inflating anything, and a hidden one while inflating with a cap', () => {
    const declared = declaredZipBomb();
    expect(() => checkZipBomb(declared, readZipDirectory(declared)!, LIMITS.maxUnzippedBytes)).toThrow(/would unpack to 4294967\d+ bytes .*zip bomb/);
    const hidden = hiddenZipBomb(LIMITS.maxUnzippedBytes + 1024);
    const entries = readZipDirectory(hidden)!;
    expect(entries.find((e) => e.name === 'word/document.xml')?.uncompressedSize).toBe(300);
    expect(hidden.length).toBeLessThan(LIMITS.maxUnzippedBytes / 50);
    expect(() => checkZipBomb(hidden, entries, LIMITS.maxUnzippedBytes)).toThrow(/whatever they declare.*zip bomb/);
  });

  it('refuses a damaged central directory with a reason', () => {
    const zip = makeDocx({ data: documentXml(['x']) });
    const broken = Buffer.from(zip);
    broken.writeUInt32LE(0x12345678, zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])));
    expect(() => readZipDirectory(broken)).toThrow(ZipProblem);
    expect(() => readZipDirectory(broken)).toThrow('its central directory is damaged');
    // A zip whose end record points outside the file.
    const outside = Buffer.from(zip);
    outside.writeUInt32LE(zip.length, zip.length - 6);
    expect(() => readZipDirectory(outside)).toThrow('its central directory is outside the file');
  });
});

describe('extractDocument', () => {
  it('reads a real PDF page by page', async () => {
    const pdf = await makePdf([['Return policy', 'Returns are accepted within 30 days.'], ['Shipping', 'Orders ship in three working days.']]);
    const extracted = await extractDocument('pdf', pdf, LIMITS);
    expect(extracted.pageCount).toBe(2);
    expect(extracted.sections.map((s) => s.page)).toEqual([1, 2]);
    expect(extracted.sections[0]!.text).toContain('Returns are accepted within 30 days.');
    expect(extracted.sections[1]!.text).toContain('Orders ship in three working days.');
  });

  it('fails a PDF of 10,000 pages on its page count, before reading any page, fast', async () => {
    const pdf = makeManyPagePdf(10_000);
    const started = performance.now();
    expect(await failure(extractDocument('pdf', pdf, LIMITS))).toBe('the PDF has 10000 pages, more than the 2000 allowed (KB_MAX_PAGES)');
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('fails an encrypted PDF, a corrupt one, and one without text, each with its reason', async () => {
    expect(await failure(extractDocument('pdf', await makePdf([['secret']], { userPassword: 'pw' }), LIMITS))).toMatch(/encrypted/);
    expect(await failure(extractDocument('pdf', Buffer.from('%PDF-1.7\nnot really a PDF'), LIMITS))).toMatch(/corrupt/);
    const blank = await extractDocument('pdf', makeManyPagePdf(3), LIMITS);
    expect(blank).toEqual({ pageCount: 3, sections: [1, 2, 3].map((page) => ({ page, text: '' })) });
    expect(chunkText(blank.sections)).toEqual([]);
  });

  it('reads a real DOCX (mammoth) and fails a zip bomb and a broken DOCX', async () => {
    const docx = await extractDocument('docx', WARRANTY_DOCX, LIMITS);
    expect(docx.pageCount).toBeNull();
    expect(docx.sections[0]!.text).toMatch(/^Warranty Handbook\n\nEvery appliance we sell carries a two-year warranty/);
    expect(await failure(extractDocument('docx', declaredZipBomb(), LIMITS))).toMatch(/zip bomb/);
    expect(await failure(extractDocument('docx', hiddenZipBomb(LIMITS.maxUnzippedBytes + 1), LIMITS))).toMatch(/zip bomb/);
    const notXml = makeDocx({ data: Buffer.from('this is not XML <<<') });
    expect(await failure(extractDocument('docx', notXml, LIMITS))).toMatch(/DOCX is corrupt/);
  });

  it('reads HTML off the main thread: hostile markup fails on its time limit while the server goes on', async () => {
    const fine = await extractDocument('html', Buffer.from('<html><body><p>Hi &amp; there</p></body></html>'), LIMITS);
    expect(fine.sections).toEqual([{ page: null, text: 'Hi & there' }]);
    // 200 KB of '<': the parser is quadratic on it (minutes); the main thread must stay free meanwhile.
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 50);
    const started = performance.now();
    const failure = await extractDocument('html', Buffer.from(`<html><body>${'<'.repeat(200_000)}`), { ...LIMITS, markupTimeoutMs: 2000 }).catch((err: unknown) => err);
    clearInterval(ticker);
    expect(failure).toBeInstanceOf(DocumentFailure);
    expect((failure as Error).message).toBe('the HTML took more than 2 s to read (its markup is malformed past what a reader can follow)');
    expect(performance.now() - started).toBeLessThan(5000);
    expect(ticks).toBeGreaterThan(10);
  });

  it('reads Markdown off the main thread too: 5 MB of unclosed links leave the server free', async () => {
    const fine = await extractDocument('markdown', Buffer.from('# Returns\n\nWithin **30 days**.'), LIMITS);
    expect(fine.sections).toEqual([{ page: null, text: 'Returns\n\nWithin 30 days.' }]);
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 50);
    const failure = await extractDocument('markdown', Buffer.from('[a]('.repeat(1_200_000)), { ...LIMITS, markupTimeoutMs: 1000 }).catch((err: unknown) => err);
    clearInterval(ticker);
    expect((failure as Error).message).toBe('the Markdown took more than 1 s to read (its markup is malformed past what a reader can follow)');
    expect(ticks).toBeGreaterThan(5);
  });

  it('caps the text a document may yield', async () => {
    const big = Buffer.from('word '.repeat(2000));
    expect(await failure(extractDocument('text', big, { ...LIMITS, maxTextChars: 5000 }))).toMatch(/more than 5000 characters/);
    const docx = makeDocx({ data: documentXml(['word '.repeat(2000)]) });
    expect(await failure(extractDocument('docx', docx, { ...LIMITS, maxTextChars: 5000 }))).toMatch(/more than 5000 characters/);
  });
});

describe('HTML and Markdown to text', () => {
  it('keeps what a reader sees of HTML: no scripts, styles or head; entities decoded; blocks apart', () => {
    const html = `<!DOCTYPE html><html><head><title>Store FAQ</title><style>p { color: red }</style>
      <script>if (a < b && c > d) document.write("<p>injected</p>")</script></head>
      <body><h1>Returns &amp; refunds</h1><p>Within 30&nbsp;days<br>with the receipt.
      <p>Unclosed paragraph, caf&eacute; &#8364;5 <b>bold <i>mixed</b></i> <img src=x alt=y>
      <ul><li>one<li>two</ul><table><tr><td>a<td>b</table><!-- hidden --></body></html>`;
    const text = htmlToText(html);
    expect(text).toContain('Store FAQ');
    expect(text).toContain('Returns & refunds');
    expect(text).toContain('Within 30 days\nwith the receipt.');
    expect(text).toContain('café €5 bold mixed');
    expect(text).not.toMatch(/color|injected|document\.write|hidden/);
    expect(text.split('\n\n')).toEqual(expect.arrayContaining(['Returns & refunds', 'one', 'two']));
  });

  it('survives deeply nested HTML without exhausting the stack', () => {
    const depth = 20_000;
    const html = `<html><body>${'<div>'.repeat(depth)}deep text${'</div>'.repeat(depth)}</body></html>`;
    expect(htmlToText(html)).toBe('deep text');
  });

  it('drops the trivially safe Markdown markup and keeps the words', () => {
    const md = '# Returns\nItems come back **within 30 days** with `RMA` numbers.\n\n> Quoted note\n\nSee [the policy](https://example.com/p) ![logo](l.png).\n\n```\ncode stays\n```';
    expect(markdownToText(md)).toBe('Returns\n\nItems come back within 30 days with RMA numbers.\n\nQuoted note\n\nSee the policy logo.\n\ncode stays');
  });

  it('reads a hostile Markdown heading in linear time, and keeps headings as they were read', () => {
    // Spaces and tabs after a heading's words: three patterns over them used to backtrack cubically.
    for (const line of [`# a${' \t'.repeat(1000)}x`, `# a${' #'.repeat(50_000)}x`, `## ${'#'.repeat(100_000)}x`]) {
      const started = performance.now();
      expect(markdownToText(line)).toBe(line.slice(line.indexOf(' ') + 1).replace(/\s+/g, ' '));
      expect(performance.now() - started).toBeLessThan(5000);
    }
    expect(markdownToText('# Title #\n## Sub  ##  \n### Keep C# ###\n#### ####\nbody')).toBe('Title\n\nSub\n\nKeep C#\n\nbody');
  });

  it('drops HTML comments from Markdown in linear time (many openings, none closed)', () => {
    const started = performance.now();
    const text = '<!--'.repeat(400_000);
    expect(markdownToText(text)).toBe(text);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(markdownToText('Keep <!-- drop\nthis --> these <!---->words<!-- and --> <!-- open')).toBe('Keep these words <!-- open');
  });

  it('reads a hostile Markdown line in linear time', () => {
    const line = '**['.repeat(200_000);
    const started = performance.now();
    markdownToText(line);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('chunkText', () => {
  const paragraph = (i: number) => `Paragraph ${i} talks about topic ${i}. It has a second sentence to give it some body, like real documents do.`;

  it('cuts on paragraph boundaries into passages of at most MAX_CHARS, with a little overlap, in order', () => {
    const text = Array.from({ length: 60 }, (_, i) => paragraph(i)).join('\n\n');
    const passages = chunkText([{ page: null, text }]);
    expect(passages.length).toBeGreaterThan(5);
    expect(passages.map((p) => p.position)).toEqual(passages.map((_, i) => i));
    for (const p of passages) expect(p.content.length).toBeLessThanOrEqual(MAX_CHARS);
    for (const p of passages.slice(0, -1)) expect(p.content.length).toBeGreaterThanOrEqual(500);
    // Every paragraph is in some passage whole; the next passage starts with the last sentence of the one before.
    for (let i = 0; i < 60; i += 1) expect(passages.some((p) => p.content.includes(paragraph(i)))).toBe(true);
    const lastSentence = passages[0]!.content.split(/(?<=\.)\s+/).pop()!;
    expect(passages[1]!.content.startsWith(lastSentence)).toBe(true);
  });

  it('splits a paragraph longer than MAX_CHARS at sentences, then words', () => {
    const sentences = Array.from({ length: 40 }, (_, i) => `Sentence number ${i} is here.`).join(' ');
    const word = 'x'.repeat(2500);
    const passages = chunkText([{ page: null, text: `${sentences}\n\n${word}` }]);
    for (const p of passages) expect(p.content.length).toBeLessThanOrEqual(MAX_CHARS);
    expect(passages.map((p) => p.content).join(' ')).toContain('Sentence number 39 is here.');
    expect(passages.map((p) => p.content.replace(/[^x]/g, '')).join('').length).toBeGreaterThanOrEqual(2500);
  });

  it('gives each passage of a PDF the page it starts on', () => {
    const pages = [1, 2, 3].map((page) => ({ page, text: Array.from({ length: 8 }, (_, i) => paragraph(page * 10 + i)).join('\n\n') }));
    const passages = chunkText(pages);
    expect(passages[0]!.page).toBe(1);
    expect(passages[passages.length - 1]!.page).toBe(3);
    // The first paragraph a passage holds (the overlap before it is a sentence without a number) is on its page.
    for (const p of passages) expect(Math.floor(Number(p.content.match(/Paragraph (\d+)/)![1]) / 10)).toBe(p.page);
    expect([...new Set(passages.map((p) => p.page))]).toEqual([1, 2, 3]);
  });

  it('makes nothing of empty text', () => {
    expect(chunkText([{ page: null, text: '  \n\n  ' }])).toEqual([]);
  });
});

describe('loosening a query no passage fully matches', () => {
  it('takes the words of a plain AND query only (no phrase, or, or excluded word), at most MAX_LOOSE_WORDS', () => {
    expect(plainLexemes("'return' & 'polici' & 'damag'")).toEqual(['return', 'polici', 'damag']);
    expect(plainLexemes("'it''s' & 'ok' & 'ok'")).toEqual(["it''s", 'ok']);
    expect(plainLexemes("'return'")).toBeNull();
    expect(plainLexemes('')).toBeNull();
    expect(plainLexemes("'return' <-> 'polici' & 'item'")).toBeNull();
    expect(plainLexemes("'return' & !'polici'")).toBeNull();
    expect(plainLexemes("'return' | 'polici'")).toBeNull();
    expect(plainLexemes(Array.from({ length: 12 }, (_, i) => `'w${i}'`).join(' & '))).toHaveLength(MAX_LOOSE_WORDS);
  });

  it("with compounds (nothing quoted), takes a phrase PostgreSQL made of a joined word as its words", () => {
    expect(plainLexemes("'e-mail' <-> 'e' <-> 'mail' & 'track' & 'state' <3> 'art'", true)).toEqual(['e-mail', 'e', 'mail', 'track', 'state', 'art']);
    expect(plainLexemes("'e-mail' <-> 'e' <-> 'mail' & 'track'")).toBeNull();
    expect(plainLexemes("'e-mail' <-> 'e' <-> 'mail' & !'track'", true)).toBeNull();
    expect(plainLexemes("( 'a' | 'b' ) & 'c'", true)).toBeNull();
  });

  it('tries two words of the query, then any one', () => {
    expect(looseQueries(['a', 'b', 'c'])).toEqual(["( 'a' & 'b' ) | ( 'a' & 'c' ) | ( 'b' & 'c' )", "'a' | 'b' | 'c'"]);
    expect(looseQueries(['a', 'b'])).toEqual(["'a' | 'b'"]);
  });
});
