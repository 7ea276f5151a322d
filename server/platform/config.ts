// The only file that reads process.env. One schema, parsed once, frozen, injected.
import path from 'node:path';
import { parseAllowList } from './http/outbound/ip-policy.js';
import { type AiConfig, parseAiConfig } from './ai-config.js';

export const RATE_LIMIT_BUCKETS = ['general', 'login', 'health', 'dni', 'rtb', 'webhook_unsigned', 'uploads', 'leads', 'call_logs', 'analytics'] as const;
export type RateLimitBucket = (typeof RATE_LIMIT_BUCKETS)[number];

/** Requests allowed per window (RATE_LIMITS overrides the number; the window stays). */
const DEFAULT_RATE_LIMITS: Record<RateLimitBucket, number> = {
  general: 100,
  login: 5,
  health: 10,
  dni: 1000,
  rtb: 500,
  webhook_unsigned: 1000,
  uploads: 10,
  leads: 100,
  call_logs: 200,
  analytics: 50,
};

const MINUTE_MS = 60_000;

/**
 * Each bucket's window. One minute as seeds 000/001 give them, except seed 003's categories:
 * authentication 5 per 5 minutes (stricter than seed 004's 5 per minute), audio (and other)
 * uploads 10 per hour, lead management, call logging and analytics per 15 minutes.
 */
export const RATE_LIMIT_WINDOWS_MS: Readonly<Record<RateLimitBucket, number>> = Object.freeze({
  general: MINUTE_MS,
  login: 5 * MINUTE_MS,
  health: MINUTE_MS,
  dni: MINUTE_MS,
  rtb: MINUTE_MS,
  webhook_unsigned: MINUTE_MS,
  uploads: 60 * MINUTE_MS,
  leads: 15 * MINUTE_MS,
  call_logs: 15 * MINUTE_MS,
  analytics: 15 * MINUTE_MS,
});

/**
 * Seed 003's "burst" column: the most requests taken in quick succession. Read as a second, short
 * window in which at most `burst` requests pass, its length chosen so that bursts alone cannot beat
 * the sustained rate (window × burst ÷ limit: 90 s for all three of seed 003's). A limit changed
 * with RATE_LIMITS keeps the same ratio (leads=1000 allows bursts of 100).
 */
const DEFAULT_BURSTS: Readonly<Partial<Record<RateLimitBucket, number>>> = { leads: 10, call_logs: 20, analytics: 5 };

export interface RateLimitPolicy {
  limit: number;
  windowMs: number;
  burst: { limit: number; windowMs: number } | null;
}

export function rateLimitPolicies(limits: Readonly<Record<RateLimitBucket, number>>): Record<RateLimitBucket, RateLimitPolicy> {
  const policies = {} as Record<RateLimitBucket, RateLimitPolicy>;
  for (const bucket of RATE_LIMIT_BUCKETS) {
    const limit = limits[bucket];
    const windowMs = RATE_LIMIT_WINDOWS_MS[bucket];
    const burst = DEFAULT_BURSTS[bucket];
    policies[bucket] = {
      limit,
      windowMs,
      burst:
        burst === undefined
          ? null
          : { limit: Math.max(1, Math.round((limit * burst) / DEFAULT_RATE_LIMITS[bucket])), windowMs: Math.round((windowMs * burst) / DEFAULT_RATE_LIMITS[bucket]) },
    };
  }
  return policies;
}

/** "1 minute", "5 minutes", "1 hour": a window in words (messages, docs). */
export function windowInWords(ms: number): string {
  if (ms % (60 * MINUTE_MS) === 0) return ms === 60 * MINUTE_MS ? '1 hour' : `${ms / (60 * MINUTE_MS)} hours`;
  if (ms % MINUTE_MS === 0) return ms === MINUTE_MS ? '1 minute' : `${ms / MINUTE_MS} minutes`;
  return `${ms / 1000} seconds`;
}

/** AUDIO_MAX_BYTES default: 10 MiB (a few minutes of mp3, a minute of 8 kHz wav). */
const DEFAULT_AUDIO_MAX_BYTES = 10 * 1024 * 1024;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config extends AiConfig {
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
  /** Requests per bucket and window (RATE_LIMIT_WINDOWS_MS); see rateLimitPolicies for the bursts. */
  readonly rateLimits: Readonly<Record<RateLimitBucket, number>>;
  /** The largest audio file an upload may carry (AUDIO_MAX_BYTES); one byte more is a 413. */
  readonly audioMaxBytes: number;
  readonly outboundAllowPrivate: readonly string[];
  readonly redisUrl: string | undefined;
  readonly logLevel: LogLevel;
  readonly allowRegistration: boolean;
  /**
   * How many proxies in front of the server append to X-Forwarded-For (0: none, the socket's
   * address is the client's). Only those hops are believed: what the client itself wrote into the
   * header, in front of them, is not.
   */
  readonly trustProxy: number;
  /** Bid requests in flight at once, process-wide (p-limit). */
  readonly rtbFanoutConcurrency: number;
  /** Background health probe of RTB targets; 0 switches it off. */
  readonly rtbHealthProbeIntervalSeconds: number;
  /** How often the tracking-pixel worker looks for due deliveries; 0 switches it off. */
  readonly pixelDeliveryIntervalMs: number;
  /** How often the lead import worker looks for imports to run or resume (0: off; uploads still start theirs at once). */
  readonly leadImportIntervalMs: number;
  /** How often the outbound dialer passes over the active outbound campaigns (0: off). */
  readonly dialerIntervalMs: number;
  /** First retry delay of a failed pixel delivery (doubled on each further retry). */
  readonly pixelRetryBaseMs: number;
  /** How often the event-webhook worker looks for due deliveries; 0 switches it off. */
  readonly webhookDeliveryIntervalMs: number;
  /** First retry delay of a failed event-webhook delivery (doubled on each further retry, 8 tries in all). */
  readonly webhookRetryBaseMs: number;
  /** How often report deltas are folded into the hourly summaries; 0 switches it off (reports stay exact). */
  readonly reportRollupIntervalMs: number;
  /** How often bid copies an RTB answer left unwritten (a crash) become bid_responses rows; 0 switches the sweep off. */
  readonly rtbBidRowSweepIntervalMs: number;
  /** How much faster than real time the simulator plays outbound calls (1: real time). */
  readonly simulatorSpeedup: number;
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

const MAX_PROXY_HOPS = 10;

/** TRUST_PROXY: false (0), true (one proxy: 1), or the number of proxies in a chain. */
function parseTrustProxy(raw: string | undefined, problems: string[]): number {
  if (raw === undefined || /^(false|no|off)$/i.test(raw)) return 0;
  if (/^(true|yes|on)$/i.test(raw)) return 1;
  if (/^\d{1,2}$/.test(raw) && Number(raw) <= MAX_PROXY_HOPS) return Number(raw);
  problems.push(`TRUST_PROXY must be true, false or a number of proxies from 0 to ${MAX_PROXY_HOPS} (got "${raw}")`);
  return 0;
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
    const perWindow = Number(value);
    if (!Number.isInteger(perWindow) || perWindow < 1) {
      const window = windowInWords(RATE_LIMIT_WINDOWS_MS[name as RateLimitBucket]);
      problems.push(`RATE_LIMITS: ${name} must be a whole number of requests per ${window} >= 1 (got "${value ?? ''}")`);
      continue;
    }
    limits[name as RateLimitBucket] = perWindow;
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
      // Paths are appended to it (`${publicBaseUrl}/webhooks/...`): a query or fragment would swallow them.
      if (url.search || url.hash || url.username || url.password) {
        problems.push('PUBLIC_BASE_URL must not have a query, a fragment or credentials: paths are appended to it');
      }
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

  // Twilio must reach the numbers' webhooks and signs their public URL: the http://HOST:PORT fallback
  // is only the server's own address, so a production Twilio deployment has to say where it is reached.
  if (telephony === 'twilio' && production && !explicitBaseUrl) {
    problems.push(
      'PUBLIC_BASE_URL is required when NODE_ENV=production and TELEPHONY=twilio: it is the public https URL Twilio calls ' +
        "(numbers' voice and status webhooks) and signs; without it they would point at " + publicBaseUrl,
    );
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
  const trustProxy = parseTrustProxy(nonEmpty(env.TRUST_PROXY), problems);
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
  const dialerIntervalMs = parseInteger('DIALER_INTERVAL_MS', nonEmpty(env.DIALER_INTERVAL_MS), 1000, 0, 3_600_000, problems);
  const pixelDeliveryIntervalMs = parseInteger('PIXEL_DELIVERY_INTERVAL_MS', nonEmpty(env.PIXEL_DELIVERY_INTERVAL_MS), 1000, 0, 3_600_000, problems);
  const pixelRetryBaseMs = parseInteger('PIXEL_RETRY_BASE_MS', nonEmpty(env.PIXEL_RETRY_BASE_MS), 1000, 0, 3_600_000, problems);
  const webhookDeliveryIntervalMs = parseInteger('WEBHOOK_DELIVERY_INTERVAL_MS', nonEmpty(env.WEBHOOK_DELIVERY_INTERVAL_MS), 1000, 0, 3_600_000, problems);
  const webhookRetryBaseMs = parseInteger('WEBHOOK_RETRY_BASE_MS', nonEmpty(env.WEBHOOK_RETRY_BASE_MS), 60_000, 0, 3_600_000, problems);
  const reportRollupIntervalMs = parseInteger('REPORT_ROLLUP_INTERVAL_MS', nonEmpty(env.REPORT_ROLLUP_INTERVAL_MS), 2000, 0, 3_600_000, problems);
  const rtbBidRowSweepIntervalMs = parseInteger('RTB_BID_ROW_SWEEP_INTERVAL_MS', nonEmpty(env.RTB_BID_ROW_SWEEP_INTERVAL_MS), 5000, 0, 3_600_000, problems);
  const simulatorSpeedup = parseInteger('SIMULATOR_SPEEDUP', nonEmpty(env.SIMULATOR_SPEEDUP), 1, 1, 1000, problems);
  const audioMaxBytes = parseInteger('AUDIO_MAX_BYTES', nonEmpty(env.AUDIO_MAX_BYTES), DEFAULT_AUDIO_MAX_BYTES, 1024, 50 * 1024 * 1024, problems);

  const ai = parseAiConfig(env, nonEmpty, parseInteger, problems);

  if (problems.length > 0) throw new ConfigError(problems);

  return Object.freeze({
    ...ai,
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
    audioMaxBytes,
    outboundAllowPrivate: Object.freeze(outboundAllowPrivate),
    redisUrl,
    logLevel,
    allowRegistration,
    trustProxy,
    rtbFanoutConcurrency,
    rtbHealthProbeIntervalSeconds,
    pixelDeliveryIntervalMs,
    leadImportIntervalMs,
    dialerIntervalMs,
    pixelRetryBaseMs,
    webhookDeliveryIntervalMs,
    webhookRetryBaseMs,
    reportRollupIntervalMs,
    rtbBidRowSweepIntervalMs,
    simulatorSpeedup,
  });
}
