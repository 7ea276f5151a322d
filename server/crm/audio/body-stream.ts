// The bytes of an audio answer, read from PostgreSQL one slice at a time as the client takes them:
// memory per answer is one slice, whatever the file's size.
import { Readable } from 'node:stream';
import type { Db } from '../../../db/types.js';
import { readAudioSlice } from './queries.js';

export const AUDIO_SLICE_BYTES = 256 * 1024;

/** Bytes `start`..`end` (inclusive) of the audio `id`. */
export function audioBodyStream(db: Db, id: string, start: number, end: number, sliceBytes = AUDIO_SLICE_BYTES): Readable {
  let next = start;
  return new Readable({
    read() {
      if (next > end) {
        this.push(null);
        return;
      }
      const length = Math.min(sliceBytes, end - next + 1);
      readAudioSlice(db, id, next, length).then(
        (chunk) => {
          // Deleted while being sent: end the answer short rather than send anything else.
          if (!chunk || chunk.length === 0) {
            this.destroy(new Error(`audio ${id} ended before byte ${next}`));
            return;
          }
          next += chunk.length;
          this.push(chunk);
        },
        (err: unknown) => this.destroy(err instanceof Error ? err : new Error(String(err))),
      );
    },
  });
}
