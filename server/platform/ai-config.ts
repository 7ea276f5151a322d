// The AI settings of Config (issue 20, DESIGN.md 9.4), parsed by loadConfig from the environment
// it is given (this file reads no process.env itself).

/** Prices of one AI call's components, in the account currency (AI_RATES). */
export interface AiRates {
  /** Per minute of the call (the carrier). */
  telephonyPerMinute: number;
  /** Per minute of caller speech turned into text. */
  sttPerMinute: number;
  /** Per 1,000 prompt tokens, and per 1,000 completion tokens. */
  llmInputPer1kTokens: number;
  llmOutputPer1kTokens: number;
  /** Per 1,000 characters spoken. */
  ttsPer1kCharacters: number;
}

export interface AiConfig {
  /** An OpenAI-compatible API (OpenAI, Ollama, llama.cpp's server, …); unset: the local knowledge-base mode. */
  readonly aiBaseUrl: string | undefined;
  readonly aiApiKey: string | undefined;
  /** The model of an agent created without one. */
  readonly aiDefaultModel: string;
  /** How long a turn waits for the model's first token before the agent says a fallback line. */
  readonly aiResponseTimeoutMs: number;
  /**
   * Semantic knowledge-base search (AI_EMBEDDINGS_MODEL): an OpenAI-compatible embeddings endpoint
   * (AI_EMBEDDINGS_BASE_URL, else AI_BASE_URL; AI_EMBEDDINGS_API_KEY, else AI_API_KEY) and pgvector
   * in the database. Unset: full-text search alone.
   */
  readonly aiEmbeddings: Readonly<EmbeddingsConfig> | null;
  readonly aiRates: Readonly<AiRates>;
  /** The largest knowledge-base upload (KB_MAX_BYTES); one byte more is a 413. */
  readonly kbMaxBytes: number;
  /** A document with more pages than this fails its processing (KB_MAX_PAGES). */
  readonly kbMaxPages: number;
  /** How often the knowledge-base worker looks for documents to process (0: off; uploads start theirs at once). */
  readonly kbProcessIntervalMs: number;
  /** How often due AI outbound calls and recurring schedules are looked for (0: off). */
  readonly aiCallIntervalMs: number;
}

export interface EmbeddingsConfig {
  model: string;
  baseUrl: string;
  apiKey: string | undefined;
}

/** Prices by default: a typical cloud stack in USD (Twilio voice, a streaming STT, a small model, a neural voice). */
export const DEFAULT_AI_RATES: Readonly<AiRates> = Object.freeze({
  telephonyPerMinute: 0.014,
  sttPerMinute: 0.024,
  llmInputPer1kTokens: 0.00015,
  llmOutputPer1kTokens: 0.0006,
  ttsPer1kCharacters: 0.03,
});

const RATE_NAMES: Record<string, keyof AiRates> = {
  telephony: 'telephonyPerMinute',
  stt: 'sttPerMinute',
  llmInput: 'llmInputPer1kTokens',
  llmOutput: 'llmOutputPer1kTokens',
  tts: 'ttsPer1kCharacters',
};

/** AI_RATES: `telephony=0.014,stt=0.024,llmInput=0.00015,llmOutput=0.0006,tts=0.03` (any subset). */
export function parseAiRates(raw: string | undefined, problems: string[]): AiRates {
  const rates = { ...DEFAULT_AI_RATES };
  if (!raw) return rates;
  for (const part of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [name, value] = part.split('=').map((p) => p.trim());
    const key = name === undefined ? undefined : RATE_NAMES[name];
    if (!key) {
      problems.push(`AI_RATES: unknown rate "${name ?? part}" (known: ${Object.keys(RATE_NAMES).join(', ')})`);
      continue;
    }
    const price = Number(value);
    if (value === undefined || value === '' || !Number.isFinite(price) || price < 0) {
      problems.push(`AI_RATES: ${name} must be a price >= 0 (got "${value ?? ''}")`);
      continue;
    }
    rates[key] = price;
  }
  return rates;
}

type Env = Record<string, string | undefined>;
type IntegerParser = (name: string, raw: string | undefined, fallback: number, min: number, max: number, problems: string[]) => number;

/** An http(s) base URL without its trailing slashes, or undefined (a problem noted when malformed). */
function baseUrl(name: string, raw: string | undefined, problems: string[]): string | undefined {
  const value = raw?.replace(/\/+$/, '');
  if (!value) return undefined;
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') problems.push(`${name} must be an http(s) URL`);
  } catch {
    problems.push(`${name} must be an absolute URL (got "${value}")`);
  }
  return value;
}

function parseEmbeddings(env: Env, nonEmpty: (v: string | undefined) => string | undefined, aiBaseUrl: string | undefined, aiApiKey: string | undefined, problems: string[]): EmbeddingsConfig | null {
  const model = nonEmpty(env.AI_EMBEDDINGS_MODEL);
  const ownUrl = baseUrl('AI_EMBEDDINGS_BASE_URL', nonEmpty(env.AI_EMBEDDINGS_BASE_URL), problems);
  if (!model) {
    if (ownUrl) problems.push('AI_EMBEDDINGS_BASE_URL is set but AI_EMBEDDINGS_MODEL is not (name the embeddings model)');
    return null;
  }
  const url = ownUrl ?? aiBaseUrl;
  if (!url) {
    problems.push('AI_EMBEDDINGS_MODEL needs an endpoint: set AI_EMBEDDINGS_BASE_URL (or AI_BASE_URL)');
    return null;
  }
  return { model, baseUrl: url, apiKey: nonEmpty(env.AI_EMBEDDINGS_API_KEY) ?? (ownUrl ? undefined : aiApiKey) };
}

export function parseAiConfig(env: Env, nonEmpty: (v: string | undefined) => string | undefined, parseInteger: IntegerParser, problems: string[]): AiConfig {
  const aiBaseUrl = baseUrl('AI_BASE_URL', nonEmpty(env.AI_BASE_URL), problems);
  const aiApiKey = nonEmpty(env.AI_API_KEY);
  const aiEmbeddings = parseEmbeddings(env, nonEmpty, aiBaseUrl, aiApiKey, problems);
  return {
    aiBaseUrl,
    aiApiKey,
    aiEmbeddings: aiEmbeddings ? Object.freeze(aiEmbeddings) : null,
    aiDefaultModel: nonEmpty(env.AI_MODEL) ?? 'gpt-4o-mini',
    aiResponseTimeoutMs: parseInteger('AI_RESPONSE_TIMEOUT_MS', nonEmpty(env.AI_RESPONSE_TIMEOUT_MS), 8000, 100, 120_000, problems),
    aiRates: Object.freeze(parseAiRates(nonEmpty(env.AI_RATES), problems)),
    kbMaxBytes: parseInteger('KB_MAX_BYTES', nonEmpty(env.KB_MAX_BYTES), 20 * 1024 * 1024, 1024, 200 * 1024 * 1024, problems),
    kbMaxPages: parseInteger('KB_MAX_PAGES', nonEmpty(env.KB_MAX_PAGES), 2000, 1, 100_000, problems),
    kbProcessIntervalMs: parseInteger('KB_PROCESS_INTERVAL_MS', nonEmpty(env.KB_PROCESS_INTERVAL_MS), 2000, 0, 3_600_000, problems),
    aiCallIntervalMs: parseInteger('AI_CALL_INTERVAL_MS', nonEmpty(env.AI_CALL_INTERVAL_MS), 1000, 0, 3_600_000, problems),
  };
}
