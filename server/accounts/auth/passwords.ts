// scrypt password hashes: "scrypt$N$r$p$salt$key" (base64). Never logged, never returned.
// A password is hashed in Unicode NFKC (NIST SP 800-63B): "é" typed as one character or as "e" and
// a combining accent, as keyboards and systems differ, is the same password.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const N = 16384;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, n: number, r: number, p: number, keyLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, { N: n, r, p, maxmem: 128 * n * r * 2 }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

function normalized(password: string): string {
  return password.normalize('NFKC');
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(normalized(password), salt, N, R, P, KEY_LENGTH);
  return ['scrypt', N, R, P, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, saltB64, keyB64] = stored.split('$');
  if (scheme !== 'scrypt' || !saltB64 || !keyB64) return false;
  const expected = Buffer.from(keyB64, 'base64');
  const salt = Buffer.from(saltB64, 'base64');
  const matches = async (text: string) => timingSafeEqual(await derive(text, salt, Number(n), Number(r), Number(p), expected.length), expected);
  const text = normalized(password);
  if (await matches(text)) return true;
  // A hash made before passwords were normalised holds the text as it was typed. (Whether this
  // second check runs depends on the text sent only, never on the account: no timing oracle.)
  return text !== password && matches(password);
}

let dummyHash: Promise<string> | undefined;

/**
 * Which of `hashes` the password opens, always at the cost of `checks` verifications (at least
 * `hashes.length`): the slots no account fills are verified against a dummy hash, all at once. So
 * the time a login takes says nothing of how many accounts its email names — none, one, or
 * several in other organisations (emails are unique per organisation only: anyone can register
 * an organisation with a victim's email and time a wrong password to learn whether it has others).
 */
export async function verifyAgainstEach(password: string, hashes: readonly string[], checks: number): Promise<boolean[]> {
  dummyHash ??= hashPassword(randomBytes(12).toString('hex'));
  const dummy = await dummyHash;
  const padded = [...hashes, ...Array.from({ length: Math.max(0, checks - hashes.length) }, () => dummy)];
  const opened = await Promise.all(padded.map((stored) => verifyPassword(password, stored)));
  return opened.slice(0, hashes.length);
}
