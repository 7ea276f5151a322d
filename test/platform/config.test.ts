import { DEFAULT_AI_RATES } from '../../server/platform/ai-config.js';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseRateLimits, RATE_LIMIT_BUCKETS, rateLimitPolicies } from '../../server/platform/config.js';

const SID = `AC${'0123456789abcdef'.repeat(2)}`;
const DEFAULT_LIMITS = { general: 100, login: 5, health: 10, dni: 1000, rtb: 500, webhook_unsigned: 1000, uploads: 10, leads: 100, call_logs: 200, analytics: 50 };

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error(`loadConfig(${JSON.stringify(env)}) did not throw`);
}

describe('loadConfig defaults', () => {
  it('fills in every default from an empty environment', () => {
    const config = loadConfig({});
    expect(config).toEqual({
      production: false,
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      dataDir: path.resolve('./.data'),
      publicBaseUrl: 'http://127.0.0.1:3000',
      sessionKey: undefined,
      secretsKey: undefined,
      twilioAccountSid: undefined,
      twilioAuthToken: undefined,
      telephony: 'simulator',
      demoAdminEmail: 'admin@example.com',
      demoAdminPassword: undefined,
      rateLimits: DEFAULT_LIMITS,
      audioMaxBytes: 10 * 1024 * 1024,
      outboundAllowPrivate: [],
      redisUrl: undefined,
      logLevel: 'info',
      allowRegistration: true,
      trustProxy: 0,
      rtbFanoutConcurrency: 512,
      rtbHealthProbeIntervalSeconds: 300,
      pixelDeliveryIntervalMs: 1000,
      leadImportIntervalMs: 5000,
      dialerIntervalMs: 1000,
      pixelRetryBaseMs: 1000,
      webhookDeliveryIntervalMs: 1000,
      webhookRetryBaseMs: 60_000,
      reportRollupIntervalMs: 2000,
      rtbBidRowSweepIntervalMs: 5000,
      simulatorSpeedup: 1,
      aiBaseUrl: undefined,
      aiApiKey: undefined,
      aiDefaultModel: 'gpt-4o-mini',
      aiResponseTimeoutMs: 8000,
      aiEmbeddings: null,
      aiRates: DEFAULT_AI_RATES,
      kbMaxBytes: 20 * 1024 * 1024,
      kbMaxPages: 2000,
      kbProcessIntervalMs: 2000,
      aiCallIntervalMs: 1000,
    });
    expect(path.isAbsolute(config.dataDir)).toBe(true);
  });

  it('reads the AI settings: an OpenAI-compatible URL, rates by name, and names every bad one', () => {
    const config = loadConfig({ AI_BASE_URL: 'http://127.0.0.1:11434/v1/', AI_API_KEY: 'sk-local', AI_MODEL: 'llama3.1', AI_RATES: 'stt=0.01, tts=0' });
    expect(config).toMatchObject({ aiBaseUrl: 'http://127.0.0.1:11434/v1', aiApiKey: 'sk-local', aiDefaultModel: 'llama3.1' });
    expect(config.aiRates).toEqual({ ...DEFAULT_AI_RATES, sttPerMinute: 0.01, ttsPer1kCharacters: 0 });
    expect(() => loadConfig({ AI_BASE_URL: 'ftp://models', AI_RATES: 'gpu=1,llmInput=-2', KB_MAX_PAGES: '0' })).toThrow(
      /AI_BASE_URL must be an http\(s\) URL[\s\S]*AI_RATES: unknown rate "gpu"[\s\S]*AI_RATES: llmInput must be a price >= 0[\s\S]*KB_MAX_PAGES must be a whole number from 1/,
    );
  });

  it('reads the embeddings settings: their own endpoint and key, or the model endpoint and its key', () => {
    expect(loadConfig({ AI_BASE_URL: 'https://api.example.com/v1', AI_API_KEY: 'sk-main', AI_EMBEDDINGS_MODEL: 'text-embedding-3-small' }).aiEmbeddings).toEqual({
      model: 'text-embedding-3-small',
      baseUrl: 'https://api.example.com/v1',
      apiKey: 'sk-main',
    });
    // An endpoint of its own never receives AI_API_KEY (another host).
    expect(loadConfig({ AI_API_KEY: 'sk-main', AI_EMBEDDINGS_MODEL: 'nomic-embed-text', AI_EMBEDDINGS_BASE_URL: 'http://127.0.0.1:11434/v1/' }).aiEmbeddings).toEqual({
      model: 'nomic-embed-text',
      baseUrl: 'http://127.0.0.1:11434/v1',
      apiKey: undefined,
    });
    expect(loadConfig({ AI_EMBEDDINGS_MODEL: 'm', AI_EMBEDDINGS_BASE_URL: 'http://e/v1', AI_EMBEDDINGS_API_KEY: 'sk-emb' }).aiEmbeddings?.apiKey).toBe('sk-emb');
    expect(() => loadConfig({ AI_EMBEDDINGS_MODEL: 'm' })).toThrow(/AI_EMBEDDINGS_MODEL needs an endpoint: set AI_EMBEDDINGS_BASE_URL \(or AI_BASE_URL\)/);
    expect(() => loadConfig({ AI_EMBEDDINGS_BASE_URL: 'http://e/v1' })).toThrow(/AI_EMBEDDINGS_BASE_URL is set but AI_EMBEDDINGS_MODEL is not/);
    expect(() => loadConfig({ AI_EMBEDDINGS_MODEL: 'm', AI_EMBEDDINGS_BASE_URL: 'file:///x' })).toThrow(/AI_EMBEDDINGS_BASE_URL must be an http\(s\) URL/);
  });

  it('never reads process.env when given an environment', () => {
    const saved = process.env.PORT;
    process.env.PORT = '4567';
    try {
      expect(loadConfig({}).port).toBe(3000);
    } finally {
      if (saved === undefined) delete process.env.PORT;
      else process.env.PORT = saved;
    }
  });

  it('treats blank values as unset', () => {
    const config = loadConfig({ PORT: '  ', HOST: '', DATA_DIR: ' ', LOG_LEVEL: '' });
    expect(config).toMatchObject({ port: 3000, host: '127.0.0.1', dataDir: path.resolve('./.data'), logLevel: 'info' });
  });

  it('resolves DATA_DIR to an absolute path', () => {
    expect(loadConfig({ DATA_DIR: 'var/data' }).dataDir).toBe(path.resolve('var/data'));
    expect(loadConfig({ DATA_DIR: '/srv/ccp' }).dataDir).toBe('/srv/ccp');
  });

  it('derives PUBLIC_BASE_URL from HOST and PORT, brackets IPv6, and strips trailing slashes', () => {
    expect(loadConfig({ HOST: '0.0.0.0', PORT: '8080' }).publicBaseUrl).toBe('http://0.0.0.0:8080');
    expect(loadConfig({ HOST: '::1', PORT: '8080' }).publicBaseUrl).toBe('http://[::1]:8080');
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://calls.example.com//' }).publicBaseUrl).toBe('https://calls.example.com');
  });

  it('uses the simulator without TWILIO_ACCOUNT_SID, and Twilio with a SID and token', () => {
    expect(loadConfig({}).telephony).toBe('simulator');
    expect(loadConfig({ TWILIO_AUTH_TOKEN: 'token' }).telephony).toBe('simulator');
    const twilio = loadConfig({ TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 'secret-token' });
    expect(twilio).toMatchObject({ telephony: 'twilio', twilioAccountSid: SID, twilioAuthToken: 'secret-token' });
    // The simulator can be forced even with credentials.
    expect(loadConfig({ TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 'x', TELEPHONY: 'simulator' }).telephony).toBe('simulator');
  });

  it.each([
    ['1', true],
    ['true', true],
    ['YES', true],
    ['on', true],
    ['0', false],
    ['false', false],
    ['No', false],
    ['off', false],
  ])('parses TRUST_PROXY=%s as %s', (raw, expected) => {
    expect(loadConfig({ TRUST_PROXY: raw }).trustProxy).toBe(expected ? 1 : 0);
    expect(loadConfig({ ALLOW_REGISTRATION: raw }).allowRegistration).toBe(expected);
  });

  it('reads TRUST_PROXY as a number of proxies (a chain of them), and refuses more than 10', () => {
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({}).trustProxy).toBe(0);
    expect(() => loadConfig({ TRUST_PROXY: '11' })).toThrow(/TRUST_PROXY must be true, false or a number of proxies from 0 to 10 \(got "11"\)/);
  });

  it('reads production, the session key, redis and the outbound allow-list', () => {
    const key = 'ab'.repeat(32);
    const config = loadConfig({
      NODE_ENV: 'production',
      SESSION_KEY: key,
      SECRETS_KEY: 'cd'.repeat(32),
      TELEPHONY: 'simulator',
      REDIS_URL: 'redis://cache:6379',
      DATABASE_URL: 'postgresql://db/ccp',
      OUTBOUND_ALLOW_PRIVATE: ' 10.0.0.0/8 , ,192.168.1.5 ',
    });
    expect(config).toMatchObject({
      production: true,
      sessionKey: key,
      redisUrl: 'redis://cache:6379',
      databaseUrl: 'postgresql://db/ccp',
      outboundAllowPrivate: ['10.0.0.0/8', '192.168.1.5'],
    });
  });

  it('returns a deeply frozen config', () => {
    const config = loadConfig({ RATE_LIMITS: 'general=7', OUTBOUND_ALLOW_PRIVATE: '10.0.0.1' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.rateLimits)).toBe(true);
    expect(Object.isFrozen(config.outboundAllowPrivate)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(() => {
      (config.rateLimits as Record<string, number>).general = 1_000_000;
    }).toThrow(TypeError);
    expect(config.port).toBe(3000);
    expect(config.rateLimits.general).toBe(7);
  });
});

describe('rate-limit windows and bursts (seeds 000, 001, 003)', () => {
  const MIN = 60_000;
  it('gives each bucket its window and seed 003 its bursts', () => {
    const policies = rateLimitPolicies(loadConfig({}).rateLimits);
    expect(policies.general).toEqual({ limit: 100, windowMs: MIN, burst: null });
    // Authentication: seed 003's 5 per 5 minutes, stricter than seed 004's 5 per minute.
    expect(policies.login).toEqual({ limit: 5, windowMs: 5 * MIN, burst: null });
    expect(policies.uploads).toEqual({ limit: 10, windowMs: 60 * MIN, burst: null });
    expect(policies.leads).toEqual({ limit: 100, windowMs: 15 * MIN, burst: { limit: 10, windowMs: 90_000 } });
    expect(policies.call_logs).toEqual({ limit: 200, windowMs: 15 * MIN, burst: { limit: 20, windowMs: 90_000 } });
    expect(policies.analytics).toEqual({ limit: 50, windowMs: 15 * MIN, burst: { limit: 5, windowMs: 90_000 } });
    for (const bucket of ['health', 'dni', 'rtb', 'webhook_unsigned'] as const) expect(policies[bucket].windowMs).toBe(MIN);
  });

  it('keeps the burst in proportion when RATE_LIMITS changes a limit (the window stays)', () => {
    const policies = rateLimitPolicies(loadConfig({ RATE_LIMITS: 'leads=1000,analytics=1,uploads=3' }).rateLimits);
    expect(policies.leads).toEqual({ limit: 1000, windowMs: 15 * MIN, burst: { limit: 100, windowMs: 90_000 } });
    expect(policies.analytics.burst).toEqual({ limit: 1, windowMs: 90_000 });
    expect(policies.uploads).toEqual({ limit: 3, windowMs: 60 * MIN, burst: null });
  });

  it('names the window in its complaint', () => {
    expect(problemsOf({ RATE_LIMITS: 'uploads=0' })).toEqual([expect.stringMatching(/uploads must be a whole number of requests per 1 hour >= 1/)]);
    expect(problemsOf({ RATE_LIMITS: 'login=x' })).toEqual([expect.stringMatching(/login must be a whole number of requests per 5 minutes/)]);
  });
});

describe('AUDIO_MAX_BYTES', () => {
  it('is 10 MiB unless set, from 1 KiB to 50 MiB', () => {
    expect(loadConfig({ AUDIO_MAX_BYTES: '2048' }).audioMaxBytes).toBe(2048);
    expect(problemsOf({ AUDIO_MAX_BYTES: '10' })).toEqual([expect.stringMatching(/^AUDIO_MAX_BYTES must be a whole number from 1024 to 52428800/)]);
    expect(problemsOf({ AUDIO_MAX_BYTES: 'big' })).toHaveLength(1);
  });
});

describe('RATE_LIMITS', () => {
  it('overrides only the buckets named, keeping the others at their defaults', () => {
    expect(loadConfig({ RATE_LIMITS: 'general=3,login=2' }).rateLimits).toEqual({ ...DEFAULT_LIMITS, general: 3, login: 2 });
  });

  it('tolerates spaces and empty parts', () => {
    expect(loadConfig({ RATE_LIMITS: ' general = 7 ,, rtb=9, ' }).rateLimits).toEqual({ ...DEFAULT_LIMITS, general: 7, rtb: 9 });
  });

  it('accepts every known bucket', () => {
    const raw = RATE_LIMIT_BUCKETS.map((b, i) => `${b}=${i + 1}`).join(',');
    const limits = loadConfig({ RATE_LIMITS: raw }).rateLimits;
    expect(RATE_LIMIT_BUCKETS.map((b) => limits[b])).toEqual(RATE_LIMIT_BUCKETS.map((_, i) => i + 1));
  });

  it('does not mutate the defaults between calls', () => {
    const problems: string[] = [];
    parseRateLimits('general=1', problems);
    expect(parseRateLimits(undefined, problems).general).toBe(100);
    expect(problems).toEqual([]);
  });

  it.each([
    ['bogus=5', /unknown limit "bogus"/],
    ['=5', /unknown limit/],
    ['general=0', /general must be a whole number .* >= 1 \(got "0"\)/],
    ['general=-3', /general must be a whole number/],
    ['general=2.5', /general must be a whole number .*\(got "2\.5"\)/],
    ['general=lots', /general must be a whole number .*\(got "lots"\)/],
    ['general', /general must be a whole number .*\(got ""\)/],
    ['general=', /general must be a whole number/],
  ])('refuses %j', (raw, message) => {
    const problems = problemsOf({ RATE_LIMITS: raw });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^RATE_LIMITS: /);
    expect(problems[0]).toMatch(message);
  });

  it('reports every bad part, not just the first', () => {
    const problems = problemsOf({ RATE_LIMITS: 'bogus=1,general=0,login=x,rtb=4' });
    expect(problems).toEqual([
      expect.stringMatching(/unknown limit "bogus"/),
      expect.stringMatching(/general must be/),
      expect.stringMatching(/login must be/),
    ]);
  });

  it('names the known buckets when one is unknown', () => {
    const [problem] = problemsOf({ RATE_LIMITS: 'gneral=5' });
    for (const bucket of RATE_LIMIT_BUCKETS) expect(problem).toContain(bucket);
  });
});

describe('ConfigError', () => {
  it('lists every problem at once', () => {
    let caught: unknown;
    try {
      loadConfig({
        PORT: 'not-a-port',
        RATE_LIMITS: 'general=0',
        LOG_LEVEL: 'loud',
        TELEPHONY: 'twilio',
        NODE_ENV: 'production',
      });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.name).toBe('ConfigError');
    expect(error.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PORT must be a port number \(got "not-a-port"\)/),
        expect.stringMatching(/^RATE_LIMITS: general must be/),
        expect.stringMatching(/^LOG_LEVEL must be one of/),
        expect.stringMatching(/^TELEPHONY=twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN/),
        expect.stringMatching(/^SESSION_KEY is required when NODE_ENV=production/),
        expect.stringMatching(/^SECRETS_KEY is required when NODE_ENV=production/),
      ]),
    );
    for (const problem of error.problems) expect(error.message).toContain(`  - ${problem}`);
    expect(error.message).toMatch(/^Invalid configuration:/);
  });

  it('blames only PORT for a bad PORT, not the PUBLIC_BASE_URL nobody set', () => {
    expect(problemsOf({ PORT: 'not-a-port' })).toEqual(['PORT must be a port number (got "not-a-port")']);
    expect(problemsOf({ PORT: '70000' })).toEqual(['PORT must be a port number (got "70000")']);
  });

  it.each([
    [{ PORT: '-1' }, /^PORT must be a port number/],
    [{ PORT: '80.5' }, /^PORT must be a port number/],
    [{ DATABASE_URL: 'mysql://db/ccp' }, /^DATABASE_URL must be a postgres/],
    [{ PUBLIC_BASE_URL: 'ftp://example.com' }, /^PUBLIC_BASE_URL must be an http\(s\) URL/],
    [{ PUBLIC_BASE_URL: 'not a url' }, /^PUBLIC_BASE_URL must be an absolute URL/],
    [{ PUBLIC_BASE_URL: 'https://calls.example.com/?tenant=1' }, /^PUBLIC_BASE_URL must not have a query, a fragment or credentials/],
    [{ PUBLIC_BASE_URL: 'https://calls.example.com/#top' }, /^PUBLIC_BASE_URL must not have a query, a fragment or credentials/],
    [{ PUBLIC_BASE_URL: 'https://user:pw@calls.example.com' }, /^PUBLIC_BASE_URL must not have a query, a fragment or credentials/],
    [{ SESSION_KEY: 'abc' }, /^SESSION_KEY must be 64 hex characters/],
    [{ SESSION_KEY: 'g'.repeat(64) }, /^SESSION_KEY must be 64 hex characters/],
    [{ SECRETS_KEY: 'abc' }, /^SECRETS_KEY must be 64 hex characters/],
    [{ TWILIO_ACCOUNT_SID: 'AC123', TWILIO_AUTH_TOKEN: 'x' }, /^TWILIO_ACCOUNT_SID must look like/],
    [{ TELEPHONY: 'carrier-pigeon' }, /^TELEPHONY must be "twilio" or "simulator"/],
    [{ TWILIO_ACCOUNT_SID: SID }, /^TELEPHONY=twilio needs/],
    [{ DEMO_ADMIN_EMAIL: 'admin' }, /^DEMO_ADMIN_EMAIL must be an email address/],
    [{ DEMO_ADMIN_PASSWORD: 'short' }, /^DEMO_ADMIN_PASSWORD must be at least 8/],
    [{ REDIS_URL: 'http://cache:6379' }, /^REDIS_URL must be a redis/],
    [{ LOG_LEVEL: 'verbose' }, /^LOG_LEVEL must be one of/],
    [{ TRUST_PROXY: 'maybe' }, /^TRUST_PROXY must be true, false or a number of proxies from 0 to 10 \(got "maybe"\)/],
    [{ ALLOW_REGISTRATION: 'sometimes' }, /^ALLOW_REGISTRATION must be true or false/],
    [{ OUTBOUND_ALLOW_PRIVATE: '10.0.0.0/33' }, /^OUTBOUND_ALLOW_PRIVATE: .*10\.0\.0\.0\/33/],
    [{ RTB_FANOUT_CONCURRENCY: '0' }, /^RTB_FANOUT_CONCURRENCY must be a whole number from 1/],
    [{ RTB_HEALTH_PROBE_INTERVAL_SECONDS: '-5' }, /^RTB_HEALTH_PROBE_INTERVAL_SECONDS must be a whole number from 0/],
    [{ PIXEL_DELIVERY_INTERVAL_MS: '1.5' }, /^PIXEL_DELIVERY_INTERVAL_MS must be a whole number from 0/],
    [{ PIXEL_RETRY_BASE_MS: '-1' }, /^PIXEL_RETRY_BASE_MS must be a whole number from 0/],
    [{ WEBHOOK_DELIVERY_INTERVAL_MS: '0.5' }, /^WEBHOOK_DELIVERY_INTERVAL_MS must be a whole number from 0/],
    [{ WEBHOOK_RETRY_BASE_MS: '3600001' }, /^WEBHOOK_RETRY_BASE_MS must be a whole number from 0/],
    [{ SIMULATOR_SPEEDUP: '0' }, /^SIMULATOR_SPEEDUP must be a whole number from 1/],
  ])('refuses %j', (env, message) => {
    const problems = problemsOf(env);
    expect(problems.some((p) => message.test(p)), problems.join(' | ')).toBe(true);
  });
});

describe('production defaults', () => {
  const key = 'cd'.repeat(32);

  it('closes registration unless ALLOW_REGISTRATION=true opens it; development keeps it open', () => {
    const base = { NODE_ENV: 'production', SESSION_KEY: key, SECRETS_KEY: key, TELEPHONY: 'simulator' };
    expect(loadConfig(base).allowRegistration).toBe(false);
    expect(loadConfig({ ...base, ALLOW_REGISTRATION: 'true' }).allowRegistration).toBe(true);
    expect(loadConfig({}).allowRegistration).toBe(true);
    expect(loadConfig({ ALLOW_REGISTRATION: 'false' }).allowRegistration).toBe(false);
  });

  it('uses Twilio, not the simulator, unless TELEPHONY=simulator is explicit', () => {
    expect(problemsOf({ NODE_ENV: 'production', SESSION_KEY: key, SECRETS_KEY: key })).toEqual([
      'TELEPHONY=twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (missing: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN); ' +
        'Twilio is the default when NODE_ENV=production (TELEPHONY=simulator runs the simulator instead)',
      expect.stringMatching(/^PUBLIC_BASE_URL is required when NODE_ENV=production and TELEPHONY=twilio/),
    ]);
    expect(loadConfig({ NODE_ENV: 'production', SESSION_KEY: key, SECRETS_KEY: key, TELEPHONY: 'simulator' }).telephony).toBe('simulator');
    const twilio = loadConfig({
      NODE_ENV: 'production', SESSION_KEY: key, SECRETS_KEY: key, TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 'tok',
      PUBLIC_BASE_URL: 'https://calls.example.com',
    });
    expect(twilio.telephony).toBe('twilio');
    expect(twilio.publicBaseUrl).toBe('https://calls.example.com');
  });

  it('refuses Twilio in production without PUBLIC_BASE_URL (numbers would call http://HOST:PORT, signatures never match)', () => {
    const twilio = { NODE_ENV: 'production', SESSION_KEY: key, SECRETS_KEY: key, TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 'tok' };
    expect(problemsOf(twilio)).toEqual([expect.stringMatching(/^PUBLIC_BASE_URL is required when NODE_ENV=production and TELEPHONY=twilio/)]);
    expect(problemsOf({ ...twilio, PUBLIC_BASE_URL: '  ' })).toEqual([expect.stringMatching(/^PUBLIC_BASE_URL is required/)]);
    // The simulator in production, and Twilio in development, keep the http://HOST:PORT default.
    expect(loadConfig({ NODE_ENV: 'production', SESSION_KEY: key, SECRETS_KEY: key, TELEPHONY: 'simulator' }).publicBaseUrl).toBe('http://127.0.0.1:3000');
    expect(loadConfig({ TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 'tok' }).publicBaseUrl).toBe('http://127.0.0.1:3000');
  });

  it('names each missing secret: the session key, the secrets key, and the Twilio auth token when Twilio is on', () => {
    expect(problemsOf({ NODE_ENV: 'production', TELEPHONY: 'simulator' })).toEqual([
      expect.stringMatching(/^SESSION_KEY is required when NODE_ENV=production/),
      expect.stringMatching(/^SECRETS_KEY is required when NODE_ENV=production/),
    ]);
    expect(problemsOf({ NODE_ENV: 'production', SESSION_KEY: key, SECRETS_KEY: key, TWILIO_ACCOUNT_SID: SID, PUBLIC_BASE_URL: 'https://calls.example.com' })).toEqual([
      'TELEPHONY=twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (missing: TWILIO_AUTH_TOKEN)',
    ]);
  });
});
