// The only file that reads process.env. One schema, parsed once, frozen, injected.
import path from 'node:path';
import { parseAllowList } from './http/outbound/ip-policy.js';

export const RATE_LIMIT_BUCKETS = ['general', 'login', 'health', 'dni', 'rtb', 'webhook_unsigned'] as const;
export type RateLimitBucket = (typeof RATE_LIMIT_BUCKETS)[number];

const DEFAULT_RATE_LIMITS: Record<RateLimitBucket, number> = {
  general: 100,
  login: 5,
  health: 10,
  dni: 1000,
  rtb: 500,
  webhook_unsigned: 1000,
};

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  readonly production: boolean;
  readonly port: number;
  readonly host: string;
  /** Unset: the embedded PGlite database in `dataDir`. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  /** The public URL Twilio signs; no trailing slash. */
  readonly publicBaseUrl: string;
  /** 32-byte hex key for the session cookie; unset in development means "generate into dataDir". */
  readonly sessionKey: string | undefined;
  /** 32-byte hex key sealing stored secrets (AES-256-GCM); unset in development means "generate into dataDir". */
  readonly secretsKey: string | undefined;
  readonly twilioAccountSid: string | undefined;
  readonly twilioAuthToken: string | undefined;
  readonly telephony: 'twilio' | 'simulator';
  readonly demoAdminEmail: string;
  readonly demoAdminPassword: string | undefined;
  readonly rateLimits: Readonly<Record<RateLimitBucket, number>>;
  readonly outboundAllowPrivate: readonly string[];
  readonly redisUrl: string | undefined;
  readonly logLevel: LogLevel;
  readonly allowRegistration: boolean;
  readonly trustProxy: boolean;
  /** Bid requests in flight at once, process-wide (p-limit). */
  readonly rtbFanoutConcurrency: number;
  /** Background health probe of RTB targets; 0 switches it off. */
  readonly rtbHealthProbeIntervalSeconds: number;
  /** How often the tracking-pixel worker looks for due deliveries; 0 switches it off. */
  readonly pixelDeliveryIntervalMs: number;
  /** How often the lead import worker looks for imports to run or resume (0: off; uploads still start theirs at once). */
  readonly leadImportIntervalMs: number;
  /** First retry delay of a failed pixel delivery (doubled on each further retry). */
  readonly pixelRetryBaseMs: number;
  /** How often report deltas are folded into the hourly summaries; 0 switches it off (reports stay exact). */
  readonly reportRollupIntervalMs: number;
}

function parseInteger(name: string, raw: string | undefined, fallback: number, min: number, max: number, problems: string[]): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
    return fallback;
  }
  return value;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function parseBoolean(name: string, raw: string | undefined, fallback: boolean, problems: string[]): boolean {
  if (raw === undefined) return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  problems.push(`${name} must be true or false (got "${raw}")`);
  return fallback;
}

export function parseRateLimits(raw: string | undefined, problems: string[]): Record<RateLimitBucket, number> {
  const limits = { ...DEFAULT_RATE_LIMITS };
  if (!raw) return limits;
  for (const part of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [name, value] = part.split('=').map((p) => p.trim());
    if (!name || !(RATE_LIMIT_BUCKETS as readonly string[]).includes(name)) {
      problems.push(`RATE_LIMITS: unknown limit "${name ?? part}" (known: ${RATE_LIMIT_BUCKETS.join(', ')})`);
      continue;
    }
    const perMinute = Number(value);
    if (!Number.isInteger(perMinute) || perMinute < 1) {
      problems.push(`RATE_LIMITS: ${name} must be a whole number of requests per minute >= 1 (got "${value ?? ''}")`);
      continue;
    }
    limits[name as RateLimitBucket] = perMinute;
  }
  return limits;
}

/** The PostgreSQL server the scripts (seed-volume, benchmarks) use when told nothing else. */
export const LOCAL_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** The scripts' default PostgreSQL server: DATABASE_URL when set, else the local test database. */
export function scriptDatabaseUrl(env: Env = process.env): string {
  return nonEmpty(env.DATABASE_URL) ?? LOCAL_TEST_DATABASE_URL;
}

/** How scripts/simulate-call.ts reaches a running server (its flags override these). */
export interface SimulatorClientSettings {
  /** CCP_BASE_URL, else http://HOST:PORT (the server's own defaults). */
  baseUrl: string;
  /** CCP_API_KEY: an admin's API key (ccp_live_...). */
  apiKey: string | undefined;
  /** DEMO_ADMIN_EMAIL / DEMO_ADMIN_PASSWORD: a login, when there is no API key. */
  email: string;
  password: string | undefined;
}

export function simulatorClientSettings(env: Env = process.env): SimulatorClientSettings {
  const host = nonEmpty(env.HOST) ?? '127.0.0.1';
  const port = nonEmpty(env.PORT) ?? '3000';
  return {
    baseUrl: nonEmpty(env.CCP_BASE_URL) ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    apiKey: nonEmpty(env.CCP_API_KEY),
    email: nonEmpty(env.DEMO_ADMIN_EMAIL) ?? 'admin@example.com',
    password: nonEmpty(env.DEMO_ADMIN_PASSWORD),
  };
}

/** Parse the environment into a frozen Config, or throw one ConfigError naming every problem. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const production = env.NODE_ENV === 'production';

  const portRaw = nonEmpty(env.PORT) ?? '3000';
  const port = Number(portRaw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`PORT must be a port number (got "${portRaw}")`);

  const host = nonEmpty(env.HOST) ?? '127.0.0.1';

  const databaseUrl = nonEmpty(env.DATABASE_URL);
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }

  const dataDir = path.resolve(nonEmpty(env.DATA_DIR) ?? './.data');

  const explicitBaseUrl = nonEmpty(env.PUBLIC_BASE_URL);
  let publicBaseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (explicitBaseUrl) {
    try {
      const url = new URL(explicitBaseUrl);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') problems.push('PUBLIC_BASE_URL must be an http(s) URL');
      publicBaseUrl = explicitBaseUrl.replace(/\/+$/, '');
    } catch {
      problems.push(`PUBLIC_BASE_URL must be an absolute URL (got "${explicitBaseUrl}")`);
    }
  }

  const sessionKey = nonEmpty(env.SESSION_KEY);
  if (sessionKey && !/^[0-9a-fA-F]{64}$/.test(sessionKey)) {
    problems.push('SESSION_KEY must be 64 hex characters (32 bytes); generate one with `openssl rand -hex 32`');
  }
  if (!sessionKey && production) problems.push('SESSION_KEY is required when NODE_ENV=production');

  const secretsKey = nonEmpty(env.SECRETS_KEY);
  if (secretsKey && !/^[0-9a-fA-F]{64}$/.test(secretsKey)) {
    problems.push('SECRETS_KEY must be 64 hex characters (32 bytes); generate one with `openssl rand -hex 32`');
  }
  if (!secretsKey && production) problems.push('SECRETS_KEY is required when NODE_ENV=production (it encrypts stored tokens and secrets)');

  const twilioAccountSid = nonEmpty(env.TWILIO_ACCOUNT_SID);
  const twilioAuthToken = nonEmpty(env.TWILIO_AUTH_TOKEN);
  if (twilioAccountSid && !/^AC[0-9a-fA-F]{32}$/.test(twilioAccountSid)) {
    problems.push('TWILIO_ACCOUNT_SID must look like AC followed by 32 hex characters');
  }
  // In production the simulator runs only when TELEPHONY=simulator says so (main warns then).
  const telephonyRaw = nonEmpty(env.TELEPHONY) ?? (twilioAccountSid || production ? 'twilio' : 'simulator');
  let telephony: Config['telephony'] = 'simulator';
  if (telephonyRaw === 'twilio' || telephonyRaw === 'simulator') telephony = telephonyRaw;
  else problems.push(`TELEPHONY must be "twilio" or "simulator" (got "${telephonyRaw}")`);
  if (telephony === 'twilio') {
    const missing = [twilioAccountSid ? null : 'TWILIO_ACCOUNT_SID', twilioAuthToken ? null : 'TWILIO_AUTH_TOKEN'].filter(Boolean);
    if (missing.length > 0) {
      const byDefault = !nonEmpty(env.TELEPHONY) && !twilioAccountSid;
      problems.push(
        `TELEPHONY=twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (missing: ${missing.join(', ')})` +
          (byDefault ? '; Twilio is the default when NODE_ENV=production (TELEPHONY=simulator runs the simulator instead)' : ''),
      );
    }
  }

  const demoAdminEmail = nonEmpty(env.DEMO_ADMIN_EMAIL) ?? 'admin@example.com';
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(demoAdminEmail)) problems.push('DEMO_ADMIN_EMAIL must be an email address');
  const demoAdminPassword = nonEmpty(env.DEMO_ADMIN_PASSWORD);
  if (demoAdminPassword && demoAdminPassword.length < 8) problems.push('DEMO_ADMIN_PASSWORD must be at least 8 characters');

  const rateLimits = parseRateLimits(nonEmpty(env.RATE_LIMITS), problems);

  const outboundAllowPrivate = (nonEmpty(env.OUTBOUND_ALLOW_PRIVATE) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  try {
    parseAllowList(outboundAllowPrivate);
  } catch (err) {
    problems.push(`OUTBOUND_ALLOW_PRIVATE: ${(err as Error).message}`);
  }

  const redisUrl = nonEmpty(env.REDIS_URL);
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) problems.push('REDIS_URL must be a redis:// or rediss:// URL');

  const logLevelRaw = nonEmpty(env.LOG_LEVEL) ?? 'info';
  const logLevel = (LOG_LEVELS as readonly string[]).includes(logLevelRaw) ? (logLevelRaw as LogLevel) : 'info';
  if (logLevel !== logLevelRaw) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  // Open sign-up is a development convenience; a production server opens it only when told to.
  const allowRegistration = parseBoolean('ALLOW_REGISTRATION', nonEmpty(env.ALLOW_REGISTRATION), !production, problems);
  const trustProxy = parseBoolean('TRUST_PROXY', nonEmpty(env.TRUST_PROXY), false, problems);
  const rtbFanoutConcurrency = parseInteger('RTB_FANOUT_CONCURRENCY', nonEmpty(env.RTB_FANOUT_CONCURRENCY), 512, 1, 10000, problems);
  const rtbHealthProbeIntervalSeconds = parseInteger(
    'RTB_HEALTH_PROBE_INTERVAL_SECONDS',
    nonEmpty(env.RTB_HEALTH_PROBE_INTERVAL_SECONDS),
    300,
    0,
    86400,
    problems,
  );

  const leadImportIntervalMs = parseInteger('LEAD_IMPORT_INTERVAL_MS', nonEmpty(env.LEAD_IMPORT_INTERVAL_MS), 5000, 0, 3_600_000, problems);
  const pixelDeliveryIntervalMs = parseInteger('PIXEL_DELIVERY_INTERVAL_MS', nonEmpty(env.PIXEL_DELIVERY_INTERVAL_MS), 1000, 0, 3_600_000, problems);
  const pixelRetryBaseMs = parseInteger('PIXEL_RETRY_BASE_MS', nonEmpty(env.PIXEL_RETRY_BASE_MS), 1000, 0, 3_600_000, problems);
  const reportRollupIntervalMs = parseInteger('REPORT_ROLLUP_INTERVAL_MS', nonEmpty(env.REPORT_ROLLUP_INTERVAL_MS), 2000, 0, 3_600_000, problems);

  if (problems.length > 0) throw new ConfigError(problems);

  return Object.freeze({
    production,
    port,
    host,
    databaseUrl,
    dataDir,
    publicBaseUrl,
    sessionKey,
    secretsKey,
    twilioAccountSid,
    twilioAuthToken,
    telephony,
    demoAdminEmail,
    demoAdminPassword,
    rateLimits: Object.freeze(rateLimits),
    outboundAllowPrivate: Object.freeze(outboundAllowPrivate),
    redisUrl,
    logLevel,
    allowRegistration,
    trustProxy,
    rtbFanoutConcurrency,
    rtbHealthProbeIntervalSeconds,
    pixelDeliveryIntervalMs,
    leadImportIntervalMs,
    pixelRetryBaseMs,
    reportRollupIntervalMs,
  });
}
