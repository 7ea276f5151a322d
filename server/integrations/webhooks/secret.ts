// Endpoint signing secrets (pure apart from the random bytes): `whsec_` + 32 random bytes in
// base64url (43 characters), shown once when made; afterwards only a hint that tells secrets apart.
import { randomBytes } from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';

export function newSigningSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64url');
}

/** `whsec_…Xy9Z`: the prefix and the last four characters. */
export function secretHint(secret: string): string {
  return `${SECRET_PREFIX}…${secret.slice(-4)}`;
}
