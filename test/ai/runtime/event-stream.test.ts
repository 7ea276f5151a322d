// A streamed completion's body read as server-sent events: chunks in order across arbitrary splits
// and line endings, `[DONE]` ends the chunks while the rest of the body is still read (the
// connection stays reusable), an `error` event throws the SDK's APIError, a broken chunk throws,
// an aborted stream ends quietly and a failing one does not.
import { PassThrough } from 'node:stream';
import { APIError } from 'openai';
import { describe, expect, it } from 'vitest';
import { chatCompletionChunks } from '../../../server/ai/runtime/event-stream.js';

const chunk = (content: string) => JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] });

async function collect(body: PassThrough, signal = new AbortController().signal): Promise<string[]> {
  const contents: string[] = [];
  for await (const c of chatCompletionChunks(body, signal)) contents.push(c.choices[0]?.delta?.content ?? '');
  return contents;
}

describe('chatCompletionChunks', () => {
  it('yields each chunk in order however the bytes are split, and reads the body to its end after [DONE]', async () => {
    const body = new PassThrough();
    const text = `: a comment\r\ndata: ${chunk('Hel')}\r\n\r\nevent: message\ndata: ${chunk('lo')}\n\ndata: [DONE]\n\ndata: ${chunk('after done')}\n\n`;
    const reading = collect(body);
    // One byte at a time for the first 40, then the rest in two pieces.
    for (let i = 0; i < 40; i += 1) body.write(text[i]);
    body.write(text.slice(40, 90));
    body.end(text.slice(90));
    expect(await reading).toEqual(['Hel', 'lo']);
    expect(body.readableEnded).toBe(true);
    expect(body.destroyed).toBe(true); // ended by itself (autoDestroy), not cut
  });

  it('throws the SDK APIError for an error event sent after the stream began', async () => {
    const body = new PassThrough();
    body.end(`data: ${chunk('Hi')}\n\ndata: {"error":{"message":"model overloaded","type":"server_error"}}\n\n`);
    const contents: string[] = [];
    const reading = (async () => {
      for await (const c of chatCompletionChunks(body, new AbortController().signal)) contents.push(c.choices[0]?.delta?.content ?? '');
    })();
    await expect(reading).rejects.toBeInstanceOf(APIError);
    await expect(reading).rejects.toThrow(/model overloaded/);
    expect(contents).toEqual(['Hi']);
  });

  it('throws on a chunk that is not JSON, and cuts the body', async () => {
    const body = new PassThrough();
    body.write('data: {not json\n\n');
    await expect(collect(body)).rejects.toThrow(SyntaxError);
    expect(body.destroyed).toBe(true);
  });

  it('ends quietly when its signal aborted the body, and throws when the body fails on its own', async () => {
    const aborted = new PassThrough();
    const controller = new AbortController();
    aborted.write(`data: ${chunk('One')}\n\n`);
    const reading = collect(aborted, controller.signal);
    setTimeout(() => {
      controller.abort();
      aborted.destroy(new Error('aborted'));
    }, 10);
    expect(await reading).toEqual(['One']);

    const failing = new PassThrough();
    failing.write(`data: ${chunk('One')}\n\n`);
    setTimeout(() => failing.destroy(new Error('socket hang up')), 10);
    await expect(collect(failing)).rejects.toThrow(/socket hang up/);
  });
});
