// Secrets at rest (RTB target auth tokens, tracking-pixel and event-webhook signing secrets): AES-256-GCM under
// SECRETS_KEY. A sealed value is `enc:v1:` + base64url(iv | tag | ciphertext); the column name is
// the associated data, so a sealed value copied into another column does not open. A value
// without the prefix is a plaintext row written before encryption existed: it is read as is
// (and sealed at the next start, see seal-stored.ts).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const SEALED_PREFIX = 'enc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretKeyError extends Error {
  constructor(column: string) {
    super(
      `A stored secret (${column}) cannot be decrypted with SECRETS_KEY: the key is not the one it was ` +
        'written with (set the original SECRETS_KEY, or restore secrets.key in DATA_DIR), or the value is damaged.',
    );
    this.name = 'SecretKeyError';
  }
}

export interface SecretBox {
  seal(plain: string, column: string): string;
  /** The plaintext of a sealed value; a legacy plaintext value is returned as it is. */
  open(stored: string, column: string): string;
}

export function isSealed(value: string): boolean {
  return value.startsWith(SEALED_PREFIX);
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('createSecretBox: the key must be 32 bytes');
  return {
    seal(plain, column) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(column, 'utf8'));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return SEALED_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
    },
    open(stored, column) {
      if (!isSealed(stored)) return stored;
      const raw = Buffer.from(stored.slice(SEALED_PREFIX.length), 'base64url');
      if (raw.length < IV_BYTES + TAG_BYTES) throw new SecretKeyError(column);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
        decipher.setAAD(Buffer.from(column, 'utf8'));
        decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretKeyError(column);
      }
    },
  };
}
