// A zip archive's table of contents, read from its central directory before any library inflates
// it: the names and the uncompressed sizes each entry DECLARES. DOCX detection asks it for
// `word/document.xml`; the zip-bomb guard refuses an archive whose declared total is beyond a limit
// and then inflates every entry itself with a hard output cap (node:zlib `maxOutputLength`), so an
// entry that lies about its size is caught too before mammoth ever sees the file. Pure, no I/O.
import { inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflate. */
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const ZIP64_MARK = 0xffffffff;
/** The end-of-central-directory record is 22 bytes plus a comment of at most 65,535. */
const EOCD_MAX_DISTANCE = 22 + 0xffff;
export const MAX_ZIP_ENTRIES = 10_000;

export class ZipProblem extends Error {}

/** The entries of a zip archive, or null when the bytes are not one (no end-of-central-directory record). */
export function readZipDirectory(data: Buffer): ZipEntry[] | null {
  if (data.length < 22 || data.readUInt32LE(0) !== LOCAL_SIGNATURE) return null;
  let eocd = -1;
  for (let at = data.length - 22; at >= Math.max(0, data.length - EOCD_MAX_DISTANCE); at -= 1) {
    if (data.readUInt32LE(at) === EOCD_SIGNATURE) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) return null;
  const count = data.readUInt16LE(eocd + 10);
  const size = data.readUInt32LE(eocd + 12);
  const offset = data.readUInt32LE(eocd + 16);
  if (count === 0xffff || size === ZIP64_MARK || offset === ZIP64_MARK) throw new ZipProblem('it is a ZIP64 archive (too large for a document)');
  if (offset + size > eocd) throw new ZipProblem('its central directory is outside the file');
  if (count > MAX_ZIP_ENTRIES) throw new ZipProblem(`it holds ${count} files (more than ${MAX_ZIP_ENTRIES})`);
  const entries: ZipEntry[] = [];
  let at = offset;
  for (let i = 0; i < count; i += 1) {
    if (at + 46 > eocd || data.readUInt32LE(at) !== CENTRAL_SIGNATURE) throw new ZipProblem('its central directory is damaged');
    const nameLength = data.readUInt16LE(at + 28);
    const extraLength = data.readUInt16LE(at + 30);
    const commentLength = data.readUInt16LE(at + 32);
    const entry: ZipEntry = {
      method: data.readUInt16LE(at + 10),
      compressedSize: data.readUInt32LE(at + 20),
      uncompressedSize: data.readUInt32LE(at + 24),
      localHeaderOffset: data.readUInt32LE(at + 42),
      name: data.toString('utf8', at + 46, Math.min(at + 46 + nameLength, eocd)),
    };
    if (entry.compressedSize === ZIP64_MARK || entry.uncompressedSize === ZIP64_MARK || entry.localHeaderOffset === ZIP64_MARK) {
      throw new ZipProblem('it is a ZIP64 archive (too large for a document)');
    }
    entries.push(entry);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The sum of the sizes the entries declare. */
export function declaredSize(entries: readonly ZipEntry[]): number {
  return entries.reduce((sum, e) => sum + e.uncompressedSize, 0);
}

/**
 * Refuse a zip bomb: the declared total beyond `maxBytes`, or entries that really inflate to more
 * than `maxBytes` together (whatever they declare). Throws ZipProblem with the reason in words.
 */
export function checkZipBomb(data: Buffer, entries: readonly ZipEntry[], maxBytes: number): void {
  const declared = declaredSize(entries);
  if (declared > maxBytes) throw new ZipProblem(`its files would unpack to ${declared} bytes (more than ${maxBytes}): a zip bomb`);
  let budget = maxBytes;
  for (const entry of entries) {
    if (entry.name.endsWith('/') && entry.compressedSize === 0) continue;
    const at = entry.localHeaderOffset;
    if (at + 30 > data.length || data.readUInt32LE(at) !== LOCAL_SIGNATURE) throw new ZipProblem(`its entry ${entry.name} is damaged`);
    const start = at + 30 + data.readUInt16LE(at + 26) + data.readUInt16LE(at + 28);
    const end = start + entry.compressedSize;
    if (end > data.length) throw new ZipProblem(`its entry ${entry.name} is cut short`);
    let size: number;
    if (entry.method === 0) size = entry.compressedSize;
    else if (entry.method === 8) {
      try {
        size = inflateRawSync(data.subarray(start, end), { maxOutputLength: Math.max(1, budget + 1) }).length;
      } catch (err) {
        if (err instanceof RangeError || (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
          throw new ZipProblem(`its files unpack to more than ${maxBytes} bytes (whatever they declare): a zip bomb`);
        }
        throw new ZipProblem(`its entry ${entry.name} cannot be inflated`);
      }
    } else throw new ZipProblem(`its entry ${entry.name} uses an unsupported compression method (${entry.method})`);
    budget -= size;
    if (budget < 0) throw new ZipProblem(`its files unpack to more than ${maxBytes} bytes (whatever they declare): a zip bomb`);
  }
}
