// PDFs as a reader sees them, through poppler-utils (apt `poppler-utils`; .ci/run installs it):
// the page count (pdfinfo), the text of a page (pdftotext, layout kept) and a page rendered to
// grey pixels (pdftoppm, read from its PGM output).
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function withFile<T>(pdf: Uint8Array, fn: (path: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'ccp-pdf-'));
  try {
    const path = join(dir, 'report.pdf');
    await writeFile(path, pdf);
    return await fn(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function pdfInfo(pdf: Uint8Array): Promise<Record<string, string>> {
  const { stdout } = await withFile(pdf, (path) => run('pdfinfo', [path]));
  return Object.fromEntries(stdout.split('\n').flatMap((line) => (line.includes(':') ? [[line.slice(0, line.indexOf(':')).trim(), line.slice(line.indexOf(':') + 1).trim()]] : [])));
}

/** The text of one page (1-based), or of all pages, laid out as printed. */
export async function pdfText(pdf: Uint8Array, page?: number): Promise<string> {
  const range = page === undefined ? [] : ['-f', String(page), '-l', String(page)];
  const { stdout } = await withFile(pdf, (path) => run('pdftotext', ['-layout', ...range, path, '-']));
  return stdout;
}

export interface GreyImage {
  width: number;
  height: number;
  /** One byte per pixel, 0 black … 255 white, row by row. */
  pixels: Uint8Array;
}

/** One page (1-based) rendered at `dpi`, in grey. */
export async function renderPage(pdf: Uint8Array, page: number, dpi = 50): Promise<GreyImage> {
  const { stdout } = await withFile(pdf, (path) =>
    run('pdftoppm', ['-gray', '-r', String(dpi), '-f', String(page), '-l', String(page), '-singlefile', path], { encoding: 'buffer', maxBuffer: 64 << 20 }),
  );
  // PGM (P5): "P5", width, height, maxval, each followed by whitespace, then the bytes.
  const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(stdout.subarray(0, 64).toString('latin1'));
  if (!header) throw new Error('pdftoppm did not answer a PGM image');
  const width = Number(header[1]);
  const height = Number(header[2]);
  return { width, height, pixels: stdout.subarray(header[0].length, header[0].length + width * height) };
}

/** The share of pixels darker than `threshold` inside a box given in fractions of the page. */
export function inkShare(image: GreyImage, box: { left: number; top: number; right: number; bottom: number }, threshold = 250): number {
  const x0 = Math.floor(box.left * image.width);
  const x1 = Math.ceil(box.right * image.width);
  const y0 = Math.floor(box.top * image.height);
  const y1 = Math.ceil(box.bottom * image.height);
  let dark = 0;
  for (let y = y0; y < y1; y += 1) for (let x = x0; x < x1; x += 1) if (image.pixels[y * image.width + x]! < threshold) dark += 1;
  return dark / Math.max(1, (x1 - x0) * (y1 - y0));
}

/**
 * Runs of pixel rows shaded almost edge to edge (between 5 % and 95 % of the width, darker than
 * `threshold`: 240 takes a report's header fill, not its paler zebra stripes), as fractions of the height.
 */
export function shadedBands(image: GreyImage, share = 0.9, threshold = 240): Array<{ top: number; bottom: number }> {
  const bands: Array<{ top: number; bottom: number }> = [];
  let start = -1;
  for (let y = 0; y <= image.height; y += 1) {
    const shaded = y < image.height && inkShare(image, { left: 0.05, top: y / image.height, right: 0.95, bottom: (y + 1) / image.height }, threshold) >= share;
    if (shaded && start < 0) start = y;
    if (!shaded && start >= 0) {
      bands.push({ top: start / image.height, bottom: y / image.height });
      start = -1;
    }
  }
  return bands;
}
