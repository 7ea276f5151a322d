// The URL Twilio fetches an audio from (a <Play> in a flow's Play node or a campaign's fallback).
// Twilio's fetch carries no session, key or signature of its own, so the URL carries its
// authorisation: `expires` (epoch seconds) and `signature` = base64url(HMAC-SHA256(key,
// "audio-play:v1:<id>.<expires>")). The key is derived from SECRETS_KEY with HKDF (its own
// purpose label), so it is never the key that seals stored secrets. Checking costs no database
// look-up; a wrong or expired URL is refused before anything is read.
//
// Expiry: rounded up to the next full hour, plus one hour: a URL lives one to two hours, and the
// URL of a file stays the same within an hour, so Twilio's media cache keeps working.
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

export const PLAY_URL_HOUR_SECONDS = 3600;

export interface AudioUrlSigner {
  /** The absolute URL Twilio can fetch `audioId` from, valid for one to two hours from `now`. */
  playUrl(audioId: string, now?: Date): string;
  /** Whether `signature` is right for `audioId` and `expires`, and `expires` is still ahead. */
  verify(audioId: string, expires: number, signature: string, now?: Date): 'ok' | 'bad_signature' | 'expired';
}

export function deriveAudioUrlKey(secretsKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', secretsKey, Buffer.alloc(0), 'ccp audio play url v1', 32));
}

export function playUrlExpiry(now: Date): number {
  const seconds = Math.floor(now.getTime() / 1000);
  return (Math.floor(seconds / PLAY_URL_HOUR_SECONDS) + 2) * PLAY_URL_HOUR_SECONDS;
}

export function createAudioUrlSigner(key: Buffer, publicBaseUrl: string): AudioUrlSigner {
  const base = publicBaseUrl.replace(/\/+$/, '');
  const sign = (audioId: string, expires: number) =>
    createHmac('sha256', key).update(`audio-play:v1:${audioId}.${expires}`).digest('base64url');
  return {
    playUrl(audioId, now = new Date()) {
      const expires = playUrlExpiry(now);
      const query = new URLSearchParams({ expires: String(expires), signature: sign(audioId, expires) });
      return `${base}/api/audio/${encodeURIComponent(audioId)}/play?${query.toString()}`;
    },
    verify(audioId, expires, signature, now = new Date()) {
      const expected = Buffer.from(sign(audioId, expires));
      const given = Buffer.from(signature);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad_signature';
      return expires * 1000 > now.getTime() ? 'ok' : 'expired';
    },
  };
}
