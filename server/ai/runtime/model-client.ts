// The model: any OpenAI-compatible chat-completions endpoint (AI_BASE_URL, AI_API_KEY) through the
// `openai` package. `stream` yields each content delta as it arrives, then the tool calls the
// model asked for (assembled from their deltas) and the usage when the endpoint reports it;
// `complete` is one plain answer (the summary after a conversation) with the tokens it used (as
// reported, else estimated as for a stream without usage). No retries: a turn that
// fails is answered by the runtime with a spoken apology instead. The SDK builds and sends both
// requests and turns an error status into its APIError; a streamed answer's events are read from
// the raw response (`asResponse()`, event-stream.ts) rather than through a web stream and the
// SDK's reader, which cost 0.2–0.45 ms more server CPU per turn under load (docs/benchmarks.md).
import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import type { Config } from '../../platform/config.js';
import { chatCompletionChunks } from './event-stream.js';
import { eventStreamFetch, takeEventStream } from './model-fetch.js';
import { estimateTokens } from './usage.js';

export interface ChatRequest {
  model: string;
  temperature: number;
  maxTokens: number;
  messages: ChatCompletionMessageParam[];
  tools: ChatCompletionTool[];
}

export interface ToolCallRequest {
  id: string;
  name: string;
  arguments: string;
}

export type StreamEvent =
  | { type: 'text'; text: string }
  /** A piece of a tool call (its name or arguments): the model is answering (each one re-arms the runtime's timeout). */
  | { type: 'toolCallDelta' }
  | { type: 'toolCalls'; calls: ToolCallRequest[] }
  | { type: 'usage'; promptTokens: number; completionTokens: number };

/** The tokens of one request: as the endpoint reported them, else estimated. */
export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface Completion {
  text: string;
  usage: TokenUsage;
}

export interface ModelClient {
  stream(request: ChatRequest, signal: AbortSignal): AsyncGenerator<StreamEvent>;
  complete(request: Omit<ChatRequest, 'tools'>, signal: AbortSignal): Promise<Completion>;
}

/** A request's tokens when the endpoint reports none (≈ 4 characters a token, as for a stream). */
export function estimatedUsage(messages: readonly ChatCompletionMessageParam[], answer: string): TokenUsage {
  return { promptTokens: estimateTokens(messages.map((m) => (typeof m.content === 'string' ? m.content : '')).join(' ')), completionTokens: estimateTokens(answer) };
}

/** Local servers (Ollama, llama.cpp) take any key; the client needs one. */
const NO_KEY = 'no-key-needed';

/** The model client, or null in the local mode (no AI_BASE_URL). */
export function createModelClient(config: Pick<Config, 'aiBaseUrl' | 'aiApiKey'>): ModelClient | null {
  if (!config.aiBaseUrl) return null;
  // eventStreamFetch: a streamed answer's body is left for takeEventStream; `complete`'s JSON
  // answers and every error keep their body for the SDK.
  const client = new OpenAI({ baseURL: config.aiBaseUrl, apiKey: config.aiApiKey ?? NO_KEY, maxRetries: 0, timeout: 120_000, fetch: eventStreamFetch });
  return {
    async *stream(request, signal) {
      const response = await client.chat.completions
        .create(
          {
            model: request.model,
            temperature: request.temperature,
            max_tokens: request.maxTokens,
            messages: request.messages,
            ...(request.tools.length > 0 ? { tools: request.tools } : {}),
            stream: true,
            stream_options: { include_usage: true },
          },
          { signal },
        )
        .asResponse();
      const body = takeEventStream(response);
      if (!body) {
        await response.body?.cancel();
        throw new Error(`the model answered ${response.status} without an event stream (content-type ${response.headers.get('content-type') ?? 'none'})`);
      }
      const calls = new Map<number, ToolCallRequest>();
      // The request's usage: a total, which some providers repeat as a running total in every
      // chunk (OpenAI sends it once, in the last). Reported once, the last seen, at the end.
      let usage: { prompt_tokens: number; completion_tokens: number } | null = null;
      for await (const chunk of chatCompletionChunks(body, signal)) {
        const delta = chunk.choices[0]?.delta;
        if (delta?.content) yield { type: 'text', text: delta.content };
        for (const part of delta?.tool_calls ?? []) {
          yield { type: 'toolCallDelta' };
          const call = calls.get(part.index) ?? { id: '', name: '', arguments: '' };
          if (part.id) call.id = part.id;
          if (part.function?.name) call.name += part.function.name;
          if (part.function?.arguments) call.arguments += part.function.arguments;
          calls.set(part.index, call);
        }
        if (chunk.usage) usage = chunk.usage;
      }
      if (usage) yield { type: 'usage', promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens };
      if (calls.size > 0) {
        const ordered = [...calls.entries()].sort(([a], [b]) => a - b).map(([index, call]) => ({ ...call, id: call.id || `call_${index}` }));
        yield { type: 'toolCalls', calls: ordered };
      }
    },
    async complete(request, signal) {
      const answer = await client.chat.completions.create(
        { model: request.model, temperature: request.temperature, max_tokens: request.maxTokens, messages: request.messages },
        { signal },
      );
      const text = answer.choices[0]?.message?.content ?? '';
      const usage = answer.usage ? { promptTokens: answer.usage.prompt_tokens, completionTokens: answer.usage.completion_tokens } : estimatedUsage(request.messages, text);
      return { text, usage };
    },
  };
}
