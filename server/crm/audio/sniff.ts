// What an uploaded file is, told from its bytes alone (pure). The file name's extension and the
// client's content type are never consulted: a renamed .exe is neither of these.
//
// - MP3: MPEG audio Layer III frames (MPEG-1, 2 or 2.5), optionally after an ID3v2 tag (and its
//   zero padding). The first frame header must be valid (sync, version, layer III, a bit rate and
//   sample rate from the tables, not the reserved emphasis) and so must the header that follows it
//   where the file is long enough to hold one (an ID3v1 `TAG` trailer also counts as an end).
//   Duration: the Xing/Info frame count when the first frame carries one, else the constant bit
//   rate; never a guess from anything else.
// - WAV: `RIFF` … `WAVE` with a `fmt ` chunk of a format Twilio can play (PCM, IEEE float, A-law,
//   µ-law, or WAVE_FORMAT_EXTENSIBLE), sane channels / sample rate / byte rate, and a non-empty
//   `data` chunk after it. Duration: data bytes / byte rate.
import type { AudioContentType, AudioFormat } from '../../../db/types.js';

export interface DetectedAudio {
  format: AudioFormat;
  contentType: AudioContentType;
  /** Seconds (3 decimals), or null when the file does not say. */
  durationSeconds: number | null;
}

/** Bytes enough to decide (an ID3v2 tag can be large: album art). */
const MAX_ID3_PADDING = 64 * 1024;

const MPEG1_L3_KBPS = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const MPEG2_L3_KBPS = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
const SAMPLE_RATES: Record<number, readonly number[]> = {
  3: [44100, 48000, 32000], // MPEG-1
  2: [22050, 24000, 16000], // MPEG-2
  0: [11025, 12000, 8000], // MPEG-2.5
};

export interface MpegFrame {
  mpeg1: boolean;
  bitrateKbps: number;
  sampleRate: number;
  mono: boolean;
  /** Bytes of the whole frame, header included. */
  length: number;
  samples: number;
}

/** The Layer III frame header at `at`, or null. */
export function readMpegFrame(buf: Uint8Array, at: number): MpegFrame | null {
  if (at < 0 || at + 4 > buf.length) return null;
  const b1 = buf[at + 1]!;
  const b2 = buf[at + 2]!;
  const b3 = buf[at + 3]!;
  if (buf[at] !== 0xff || (b1 & 0xe0) !== 0xe0) return null;
  const version = (b1 >> 3) & 3;
  if (version === 1) return null; // reserved
  if (((b1 >> 1) & 3) !== 1) return null; // not Layer III
  const bitrateIndex = (b2 >> 4) & 0xf;
  const rateIndex = (b2 >> 2) & 3;
  if (bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return null; // free format, bad, reserved
  if ((b3 & 3) === 2) return null; // reserved emphasis
  const mpeg1 = version === 3;
  const bitrateKbps = (mpeg1 ? MPEG1_L3_KBPS : MPEG2_L3_KBPS)[bitrateIndex]!;
  const sampleRate = SAMPLE_RATES[version]![rateIndex]!;
  const padding = (b2 >> 1) & 1;
  const length = Math.floor(((mpeg1 ? 144_000 : 72_000) * bitrateKbps) / sampleRate) + padding;
  return { mpeg1, bitrateKbps, sampleRate, mono: ((b3 >> 6) & 3) === 3, length, samples: mpeg1 ? 1152 : 576 };
}

/** Where the audio starts after an ID3v2 tag (and zero padding), or 0 without one. */
function skipId3(buf: Uint8Array): number {
  if (buf.length < 10 || buf[0] !== 0x49 || buf[1] !== 0x44 || buf[2] !== 0x33) return 0; // "ID3"
  const size = buf.subarray(6, 10);
  if (size.some((b) => b >= 0x80)) return -1; // not synchsafe: not a tag
  const tagSize = (size[0]! << 21) | (size[1]! << 14) | (size[2]! << 7) | size[3]!;
  let at = 10 + tagSize + ((buf[5]! & 0x10) !== 0 ? 10 : 0);
  const limit = Math.min(buf.length, at + MAX_ID3_PADDING);
  while (at < limit && buf[at] === 0) at += 1;
  return at;
}

const ascii = (buf: Uint8Array, at: number, text: string): boolean =>
  at + text.length <= buf.length && [...text].every((c, i) => buf[at + i] === c.charCodeAt(0));

const u32be = (buf: Uint8Array, at: number): number =>
  ((buf[at]! << 24) >>> 0) + (buf[at + 1]! << 16) + (buf[at + 2]! << 8) + buf[at + 3]!;

const round3 = (value: number): number => Math.round(value * 1000) / 1000;

function detectMp3(buf: Uint8Array): DetectedAudio | null {
  const start = skipId3(buf);
  if (start < 0) return null;
  const first = readMpegFrame(buf, start);
  if (!first || start + first.length > buf.length) return null;
  const next = start + first.length;
  // A second frame where there is room for its header (or the ID3v1 trailer, or the end).
  if (next + 4 <= buf.length && !readMpegFrame(buf, next) && !ascii(buf, next, 'TAG')) return null;
  return { format: 'mp3', contentType: 'audio/mpeg', durationSeconds: mp3Duration(buf, start, first) };
}

function mp3Duration(buf: Uint8Array, start: number, first: MpegFrame): number | null {
  const sideInfo = first.mpeg1 ? (first.mono ? 17 : 32) : first.mono ? 9 : 17;
  const tag = start + 4 + sideInfo;
  if ((ascii(buf, tag, 'Xing') || ascii(buf, tag, 'Info')) && tag + 12 <= buf.length && (u32be(buf, tag + 4) & 1) === 1) {
    return round3((u32be(buf, tag + 8) * first.samples) / first.sampleRate);
  }
  const trailer = buf.length >= 128 && ascii(buf, buf.length - 128, 'TAG') ? 128 : 0;
  const audioBytes = buf.length - start - trailer;
  return audioBytes > 0 ? round3((audioBytes * 8) / (first.bitrateKbps * 1000)) : null;
}

/** WAVE format codes Twilio plays: PCM, IEEE float, A-law, µ-law, extensible. */
const WAV_FORMATS = new Set([0x0001, 0x0003, 0x0006, 0x0007, 0xfffe]);

function detectWav(buf: Uint8Array): DetectedAudio | null {
  if (buf.length < 12 || !ascii(buf, 0, 'RIFF') || !ascii(buf, 8, 'WAVE')) return null;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let byteRate = 0;
  let at = 12;
  while (at + 8 <= buf.length) {
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (ascii(buf, at, 'fmt ')) {
      if (size < 16 || body + 16 > buf.length) return null;
      const format = view.getUint16(body, true);
      const channels = view.getUint16(body + 2, true);
      const sampleRate = view.getUint32(body + 4, true);
      byteRate = view.getUint32(body + 8, true);
      if (!WAV_FORMATS.has(format) || channels < 1 || channels > 8 || sampleRate < 1000 || sampleRate > 384_000 || byteRate < 1) return null;
    } else if (ascii(buf, at, 'data')) {
      if (byteRate === 0) return null; // no fmt before the data
      // A streamed WAV may say 0xFFFFFFFF: count what is there.
      const dataBytes = Math.min(size, buf.length - body);
      if (dataBytes <= 0) return null;
      return { format: 'wav', contentType: 'audio/wav', durationSeconds: round3(dataBytes / byteRate) };
    }
    at = body + size + (size % 2);
  }
  return null;
}

/** MP3 or WAV by content, or null for anything else. */
export function detectAudio(buf: Uint8Array): DetectedAudio | null {
  return detectWav(buf) ?? detectMp3(buf);
}
