// Secrets kept in DATA_DIR: the session key when SESSION_KEY is unset and the key sealing stored
// secrets when SECRETS_KEY is unset (never in production, where config refuses to start without
// them), and the simulator's webhook signing token.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from './config.js';

async function readOrCreateHexSecret(file: string, bytes: number): Promise<string> {
  try {
    const existing = (await readFile(file, 'utf8')).trim();
    if (new RegExp(`^[0-9a-f]{${bytes * 2}}$`).test(existing)) return existing;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const created = randomBytes(bytes).toString('hex');
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${created}\n`, { mode: 0o600 });
  return created;
}

export async function resolveSessionKey(config: Config): Promise<Buffer> {
  const hex = config.sessionKey ?? (await readOrCreateHexSecret(path.join(config.dataDir, 'session.key'), 32));
  return Buffer.from(hex, 'hex');
}

/** The key stored secrets are sealed with: SECRETS_KEY, or one generated into DATA_DIR (development). */
export async function resolveSecretsKey(config: Config): Promise<Buffer> {
  const hex = config.secretsKey ?? (await readOrCreateHexSecret(path.join(config.dataDir, 'secrets.key'), 32));
  return Buffer.from(hex, 'hex');
}

export interface WebhookToken {
  token: string;
  /** Generated into DATA_DIR (simulator mode without TWILIO_AUTH_TOKEN). Never printed. */
  generated: boolean;
  /** The file that holds a generated token (what the start banner names), else null. */
  file: string | null;
}

/**
 * The token Twilio webhooks are signed with: TWILIO_AUTH_TOKEN when set; in simulator mode
 * without one, a token generated into DATA_DIR (webhooks are always signature-checked).
 */
export async function resolveWebhookToken(config: Config): Promise<WebhookToken> {
  if (config.twilioAuthToken) return { token: config.twilioAuthToken, generated: false, file: null };
  const file = path.join(config.dataDir, 'twilio-webhook.token');
  const token = await readOrCreateHexSecret(file, 16);
  return { token, generated: true, file };
}
