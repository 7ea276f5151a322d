// Knowledge-base files made by the tests: a real PDF (pdfkit), a PDF of thousands of pages (a
// minimal PDF written here: one page tree, empty pages), zip archives (a minimal zip writer: a DOCX
// with a given document.xml, and zip bombs that declare or hide their size), and the DOCX shipped
// in test/fixtures/ai (built with python3's zipfile: minimal WordprocessingML).
import { readFileSync } from 'node:fs';
import { deflateRawSync, crc32 } from 'node:zlib';
import PDFDocument from 'pdfkit';

export const WARRANTY_DOCX = readFileSync(new URL('../../fixtures/ai/warranty.docx', import.meta.url));

/** A real PDF: one page per entry, each page's paragraphs written as text. */
export function makePdf(pages: string[][], options: { userPassword?: string } = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ autoFirstPage: false, ...(options.userPassword ? { userPassword: options.userPassword } : {}), info: { Title: 'Test' } });
    const parts: Buffer[] = [];
    doc.on('data', (part: Buffer) => parts.push(part));
    doc.on('end', () => resolve(Buffer.concat(parts)));
    doc.on('error', reject);
    for (const paragraphs of pages) {
      doc.addPage();
      for (const paragraph of paragraphs) doc.text(paragraph).moveDown();
    }
    doc.end();
  });
}

/** A valid PDF of `count` empty pages (a flat page tree), written directly (ASCII only, so lengths are bytes). */
export function makeManyPagePdf(count: number): Buffer {
  const objects: string[] = [];
  const kids = Array.from({ length: count }, (_, i) => `${i + 3} 0 R`).join(' ');
  objects.push('<< /Type /Catalog /Pages 2 0 R >>');
  objects.push(`<< /Type /Pages /Kids [${kids}] /Count ${count} >>`);
  for (let i = 0; i < count; i += 1) objects.push('<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>');
  const parts: string[] = ['%PDF-1.4\n'];
  let length = parts[0]!.length;
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(length);
    const part = `${i + 1} 0 obj\n${object}\nendobj\n`;
    parts.push(part);
    length += part.length;
  });
  const xref = length;
  parts.push(`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`);
  parts.push(offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join(''));
  parts.push(`trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
  return Buffer.from(parts.join(''), 'latin1');
}

export interface ZipInput {
  name: string;
  data: Buffer;
  /** Store the deflated bytes of this instead of `data` (a lying entry), declaring `data`'s size. */
  deflateInstead?: Buffer;
  /** The uncompressed size to declare (default: the real one). */
  declaredSize?: number;
}

/** A zip archive (deflate), written directly; sizes may be made to lie. */
export function makeZip(entries: ZipInput[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const source = entry.deflateInstead ?? entry.data;
    const compressed = deflateRawSync(source);
    const size = entry.declaredSize ?? source.length;
    const crc = crc32(source);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, compressed);
    centrals.push(central, name);
    offset += local.length + name.length + compressed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const CONTENT_TYPES_XML = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
);
const RELS_XML = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
);

export function documentXml(paragraphs: string[]): Buffer {
  const body = paragraphs.map((p) => `<w:p><w:r><w:t xml:space="preserve">${p}</w:t></w:r></w:p>`).join('');
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`);
}

/** A DOCX whose document.xml is `documentXmlEntry` (so its size can be made to lie). */
export function makeDocx(documentXmlEntry: Omit<ZipInput, 'name'>): Buffer {
  return makeZip([
    { name: '[Content_Types].xml', data: CONTENT_TYPES_XML },
    { name: '_rels/.rels', data: RELS_XML },
    { name: 'word/document.xml', ...documentXmlEntry },
  ]);
}

/** A zip bomb as DOCX that declares it: word/document.xml said to unpack to nearly 4 GiB. */
export function declaredZipBomb(): Buffer {
  return makeDocx({ data: documentXml(['boom']), declaredSize: 0xfffffffe });
}

/** A zip bomb as DOCX that hides it: `bytes` of XML-ish filler declared as a few hundred bytes. */
export function hiddenZipBomb(bytes: number): Buffer {
  const filler = Buffer.alloc(bytes, 0x20);
  documentXml(['boom']).copy(filler, 0);
  return makeDocx({ data: documentXml(['boom']), deflateInstead: filler, declaredSize: 300 });
}

/** A 1×1 PNG (what a "manual.pdf" that is really an image holds). */
export const TINY_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
