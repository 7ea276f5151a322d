// Audio files made in the test (no binary fixtures in the repository): a PCM WAV, an MP3 of
// MPEG-1 Layer III frames (silence) with an optional ID3v2 tag, and things that are neither.

/** A 16-bit mono PCM WAV of `seconds` at `sampleRate` (a 440 Hz tone). */
export function makeWav(seconds = 1, sampleRate = 8000): Buffer {
  const samples = Math.round(seconds * sampleRate);
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i += 1) data.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / sampleRate)), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28); // byte rate
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, stereo: 417-byte frames (no padding). */
const FRAME_HEADER = [0xff, 0xfb, 0x90, 0x00];
export const MP3_FRAME_BYTES = 417;

export function makeMp3(frames = 40, options: { id3?: boolean } = {}): Buffer {
  const frame = Buffer.alloc(MP3_FRAME_BYTES);
  Buffer.from(FRAME_HEADER).copy(frame);
  const body = Buffer.concat(Array.from({ length: frames }, () => frame));
  if (!options.id3) return body;
  const tagBody = Buffer.alloc(200); // an empty tag with padding
  const tag = Buffer.concat([Buffer.from('ID3\x04\x00\x00', 'latin1'), Buffer.from([0, 0, 1, 72]), tagBody]); // synchsafe 200
  return Buffer.concat([tag, body]);
}

/** A Windows executable's start (MZ, the DOS stub, PE header) — what a renamed .exe looks like. */
export function makeExe(bytes = 4096): Buffer {
  const exe = Buffer.alloc(bytes);
  exe.write('MZ', 0, 'ascii');
  exe.writeUInt32LE(0x80, 0x3c);
  exe.write('This program cannot be run in DOS mode.', 0x4e, 'ascii');
  exe.write('PE\0\0', 0x80, 'latin1');
  return exe;
}
