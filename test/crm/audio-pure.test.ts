// The pure parts of audio: what a file is (by content), byte ranges, and the signed play URL.
import { describe, expect, it } from 'vitest';
import { decideRange } from '../../server/crm/audio/range.js';
import { createAudioUrlSigner, deriveAudioUrlKey, playUrlExpiry } from '../../server/crm/audio/signed-url.js';
import { detectAudio, readMpegFrame } from '../../server/crm/audio/sniff.js';
import { MP3_FRAME_BYTES, makeExe, makeMp3, makeWav } from './audio-fixtures.js';

describe('detectAudio (by content only)', () => {
  it('knows a PCM WAV and its duration', () => {
    expect(detectAudio(makeWav(2, 8000))).toEqual({ format: 'wav', contentType: 'audio/wav', durationSeconds: 2 });
  });

  it('knows an MP3, with or without an ID3v2 tag, and its constant-bit-rate duration', () => {
    const plain = detectAudio(makeMp3(40));
    expect(plain).toMatchObject({ format: 'mp3', contentType: 'audio/mpeg' });
    expect(plain!.durationSeconds).toBeCloseTo((40 * MP3_FRAME_BYTES * 8) / 128_000, 3);
    expect(detectAudio(makeMp3(40, { id3: true }))).toMatchObject({ format: 'mp3' });
  });

  it('reads the frame count of a Xing/Info frame', () => {
    const mp3 = makeMp3(10);
    // Stereo MPEG-1: the tag sits after the 4-byte header and 32 bytes of side information.
    mp3.write('Info', 36, 'ascii');
    mp3.writeUInt32BE(1, 40);
    mp3.writeUInt32BE(1000, 44);
    expect(detectAudio(mp3)!.durationSeconds).toBeCloseTo((1000 * 1152) / 44100, 3);
  });

  it('refuses what is neither, whatever it is called', () => {
    const cases: Array<[string, Buffer]> = [
      ['a Windows executable', makeExe()],
      ['text', Buffer.from('just some text, saved as greeting.mp3\n'.repeat(20))],
      ['an empty file', Buffer.alloc(0)],
      ['ID3 without audio after it', Buffer.concat([Buffer.from('ID3\x04\x00\x00\x00\x00\x00\x0a', 'latin1'), Buffer.alloc(10), Buffer.from('MZ')])],
      ['a lone frame sync followed by garbage', Buffer.concat([Buffer.from([0xff, 0xfb, 0x90, 0x00]), Buffer.alloc(413, 0x41), Buffer.from('garbage!')])],
      ['RIFF that is not WAVE', Buffer.concat([Buffer.from('RIFF\x10\x00\x00\x00AVI LIST', 'latin1'), Buffer.alloc(64)])],
      ['WAVE without a data chunk', makeWav(1).subarray(0, 36)],
      ['a PNG', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(100)])],
    ];
    for (const [what, bytes] of cases) expect(detectAudio(bytes), what).toBeNull();
  });

  it('refuses WAV formats Twilio cannot play and a data chunk before fmt', () => {
    const mp3InWav = makeWav(1);
    mp3InWav.writeUInt16LE(0x55, 20); // MPEG Layer 3 inside RIFF
    expect(detectAudio(mp3InWav)).toBeNull();
    const noRate = makeWav(1);
    noRate.writeUInt32LE(0, 28);
    expect(detectAudio(noRate)).toBeNull();
  });

  it('reads Layer III frame headers and nothing else', () => {
    expect(readMpegFrame(Buffer.from([0xff, 0xfb, 0x90, 0x00]), 0)).toMatchObject({ mpeg1: true, bitrateKbps: 128, sampleRate: 44100, length: 417 });
    expect(readMpegFrame(Buffer.from([0xff, 0xfd, 0x90, 0x00]), 0)).toBeNull(); // Layer II
    expect(readMpegFrame(Buffer.from([0xff, 0xfb, 0xf0, 0x00]), 0)).toBeNull(); // bad bit rate
    expect(readMpegFrame(Buffer.from([0xff, 0xfb, 0x9c, 0x00]), 0)).toBeNull(); // reserved sample rate
    expect(readMpegFrame(Buffer.from([0xff, 0xf3, 0x90, 0x00]), 0)).toMatchObject({ mpeg1: false, sampleRate: 22050 });
  });
});

describe('decideRange', () => {
  const size = 1000;
  it.each([
    ['bytes=0-99', { kind: 'partial', start: 0, end: 99 }],
    ['bytes=100-', { kind: 'partial', start: 100, end: 999 }],
    ['bytes=-200', { kind: 'partial', start: 800, end: 999 }],
    ['bytes=-5000', { kind: 'partial', start: 0, end: 999 }],
    ['bytes=990-5000', { kind: 'partial', start: 990, end: 999 }],
    ['bytes=999-999', { kind: 'partial', start: 999, end: 999 }],
    ['bytes=1000-', { kind: 'unsatisfiable' }],
    ['bytes=5000-6000', { kind: 'unsatisfiable' }],
    ['bytes=-0', { kind: 'unsatisfiable' }],
    ['bytes=0-1,5-9', { kind: 'full' }],
    ['bytes=9-1', { kind: 'full' }],
    ['bytes=-', { kind: 'full' }],
    ['bytes=abc', { kind: 'full' }],
    ['items=0-9', { kind: 'full' }],
    ['bytes=99999999999999999999-', { kind: 'full' }],
  ])('%s', (header, expected) => {
    expect(decideRange(header, size)).toEqual(expected);
  });

  it('serves the whole file without a Range, or when If-Range names another version', () => {
    expect(decideRange(undefined, size)).toEqual({ kind: 'full' });
    expect(decideRange('bytes=0-9', size, '"old"', '"new"')).toEqual({ kind: 'full' });
    expect(decideRange('bytes=0-9', size, '"new"', '"new"')).toEqual({ kind: 'partial', start: 0, end: 9 });
  });
});

describe('the signed play URL', () => {
  const key = deriveAudioUrlKey(Buffer.alloc(32, 7));
  const signer = createAudioUrlSigner(key, 'https://calls.example.com/');
  const id = '0b9d6a1e-3c2f-4e5a-9b7c-1d2e3f4a5b6c';
  const now = new Date('2025-08-04T12:34:56Z');

  function parts(url: string) {
    const parsed = new URL(url);
    return { path: parsed.pathname, expires: Number(parsed.searchParams.get('expires')), signature: parsed.searchParams.get('signature')! };
  }

  it('names /api/audio/{id}/play, lives one to two hours and is the same URL within the hour', () => {
    const url = signer.playUrl(id, now);
    const { path, expires, signature } = parts(url);
    expect(path).toBe(`/api/audio/${id}/play`);
    expect(expires).toBe(Date.parse('2025-08-04T14:00:00Z') / 1000);
    expect(signer.playUrl(id, new Date('2025-08-04T12:00:01Z'))).toBe(url);
    expect(playUrlExpiry(new Date('2025-08-04T12:59:59Z'))).toBe(expires);
    expect(signer.verify(id, expires, signature, now)).toBe('ok');
  });

  it('refuses another id, another expiry, another key, a tampered signature, and an expired URL', () => {
    const { expires, signature } = parts(signer.playUrl(id, now));
    expect(signer.verify('0b9d6a1e-3c2f-4e5a-9b7c-1d2e3f4a5b6d', expires, signature, now)).toBe('bad_signature');
    expect(signer.verify(id, expires + 3600, signature, now)).toBe('bad_signature');
    expect(createAudioUrlSigner(deriveAudioUrlKey(Buffer.alloc(32, 8)), 'https://x').verify(id, expires, signature, now)).toBe('bad_signature');
    expect(signer.verify(id, expires, `${signature.slice(0, -1)}A`, now)).not.toBe('ok');
    expect(signer.verify(id, expires, 'short', now)).toBe('bad_signature');
    expect(signer.verify(id, expires, signature, new Date(expires * 1000))).toBe('expired');
  });

  it('derives a key of its own from SECRETS_KEY', () => {
    expect(key.equals(Buffer.alloc(32, 7))).toBe(false);
    expect(key).toHaveLength(32);
  });
});
