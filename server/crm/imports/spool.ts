// A sink that spools an uploaded file to a private temporary file (for the synchronous dry run and
// the do-not-call import, whose form fields may arrive after the file), read back as a stream.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface Spool {
  sink: (file: AsyncIterable<Buffer>) => Promise<void>;
  read: () => AsyncIterable<Buffer>;
  remove: () => Promise<void>;
}

export async function createSpool(): Promise<Spool> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ccp-upload-'));
  const file = path.join(dir, 'upload.csv');
  return {
    sink: (stream) => pipeline(Readable.from(stream), createWriteStream(file, { mode: 0o600 })),
    read: () => createReadStream(file, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Pass a stream through, keeping a copy of its first `max` bytes in `into`. */
export async function* keepHead(stream: AsyncIterable<Buffer>, into: Buffer[], max: number): AsyncGenerator<Buffer> {
  let kept = 0;
  for await (const chunk of stream) {
    if (kept < max) {
      into.push(chunk.subarray(0, max - kept));
      kept += Math.min(chunk.length, max - kept);
    }
    yield chunk;
  }
}
