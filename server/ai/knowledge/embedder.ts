// Embeddings for semantic knowledge-base search (AI_EMBEDDINGS_MODEL): any OpenAI-compatible
// embeddings endpoint (OpenAI, Ollama, llama.cpp's server) through the `openai` package, carried by
// the model client's transport (model-fetch.ts). The endpoint is the operator's setting, not a
// user's, so the guarded client for user-supplied URLs does not apply. An answer is checked before
// it is used: one vector per input, every number finite, every vector of the same length.
import OpenAI from 'openai';
import type { EmbeddingsConfig } from '../../platform/ai-config.js';
import { modelFetch } from '../runtime/model-fetch.js';

export interface Embedder {
  /** The model's name: stored with every vector, so a change of model re-embeds every passage. */
  readonly model: string;
  /** One vector per text, in order. Throws EmbeddingFailure when the endpoint fails or answers badly. */
  embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]>;
}

export class EmbeddingFailure extends Error {}

/** Texts per request (OpenAI takes up to 2,048; local servers are slower with large batches). */
export const EMBED_BATCH = 64;
/** How long one request may take (a search waits for its query's vector). */
const REQUEST_TIMEOUT_MS = 30_000;
/** Local servers take any key; the client needs one. */
const NO_KEY = 'no-key-needed';

/** The vectors of an endpoint's answer, checked (pure). */
export function checkedVectors(data: ReadonlyArray<{ index: number; embedding: unknown }>, expected: number): number[][] {
  if (data.length !== expected) throw new EmbeddingFailure(`the embeddings endpoint answered ${data.length} vectors for ${expected} texts`);
  const vectors: number[][] = new Array(expected);
  for (const item of data) {
    const v = item.embedding;
    if (!Number.isInteger(item.index) || item.index < 0 || item.index >= expected || vectors[item.index]) throw new EmbeddingFailure('the embeddings endpoint answered an index out of order');
    if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) throw new EmbeddingFailure('the embeddings endpoint answered a vector that is not a list of numbers');
    vectors[item.index] = v as number[];
  }
  const size = vectors[0]!.length;
  if (vectors.some((v) => v.length !== size)) throw new EmbeddingFailure('the embeddings endpoint answered vectors of different lengths');
  return vectors;
}

/**
 * What a failed request is called where users read it (a search's `notice`): the status or the
 * kind of failure, never the endpoint's own words (they may quote the key). The cause is kept for
 * the server's log.
 */
export function failureText(err: unknown): string {
  if (err instanceof OpenAI.APIConnectionTimeoutError) return 'the embeddings endpoint did not answer in time';
  if (err instanceof OpenAI.APIConnectionError) return 'the embeddings endpoint could not be reached';
  if (err instanceof OpenAI.APIUserAbortError) return 'the embeddings request was cancelled';
  if (err instanceof OpenAI.APIError && err.status !== undefined) return `the embeddings endpoint answered HTTP ${err.status}`;
  return 'the embeddings endpoint failed';
}

/** The embedder, or null when semantic search is not configured. */
export function createEmbedder(config: Readonly<EmbeddingsConfig> | null): Embedder | null {
  if (!config) return null;
  const client = new OpenAI({ baseURL: config.baseUrl, apiKey: config.apiKey ?? NO_KEY, maxRetries: 1, timeout: REQUEST_TIMEOUT_MS, fetch: modelFetch });
  return {
    model: config.model,
    async embed(texts, signal) {
      const vectors: number[][] = [];
      for (let i = 0; i < texts.length; i += EMBED_BATCH) {
        const batch = texts.slice(i, i + EMBED_BATCH);
        let answer;
        try {
          answer = await client.embeddings.create({ model: config.model, input: batch, encoding_format: 'float' }, signal ? { signal } : {});
        } catch (err) {
          throw new EmbeddingFailure(failureText(err), { cause: err });
        }
        vectors.push(...checkedVectors(answer.data, batch.length));
      }
      return vectors;
    },
  };
}
