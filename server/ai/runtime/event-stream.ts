// A streamed chat completion's body, read as it arrives: the server-sent events (parsed by
// eventsource-parser) of an OpenAI-compatible endpoint, each `data:` a chat-completion chunk as
// JSON, until `[DONE]` (the rest of the body is read and dropped, so the connection is reused).
// A chunk carrying `error` (how the endpoints report a failure after the stream has begun) throws
// the SDK's APIError, as the SDK's own stream does; so does a body that is not JSON. An aborted
// stream just ends (the caller aborted it and knows why). The body is the Node stream under the
// response (model-fetch.ts), not a web stream: the `openai` package still builds and sends the
// request and maps error statuses (see model-client.ts).
import type { Readable } from 'node:stream';
import { createParser } from 'eventsource-parser';
import { APIError } from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';

export async function* chatCompletionChunks(body: Readable, signal: AbortSignal): AsyncGenerator<ChatCompletionChunk> {
  const pending: string[] = [];
  const parser = createParser({ onEvent: (event) => pending.push(event.data) });
  let done = false;
  body.setEncoding('utf8');
  try {
    for await (const text of body as AsyncIterable<string>) {
      if (done) continue;
      parser.feed(text);
      while (pending.length > 0 && !done) {
        const data = pending.shift()!;
        if (data === '[DONE]') {
          done = true;
          break;
        }
        const chunk = JSON.parse(data) as ChatCompletionChunk & { error?: Record<string, unknown> };
        if (chunk.error) throw new APIError(undefined, chunk.error, undefined, undefined);
        yield chunk;
      }
    }
  } catch (err) {
    if (signal.aborted) return;
    throw err;
  } finally {
    // Left early (an error, an abort, the consumer stopped): a connection is not reused mid-body.
    if (!body.readableEnded) body.destroy();
  }
}
