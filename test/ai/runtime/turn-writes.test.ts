// The conversation's write batcher (server/ai/runtime/turn-writes.ts) against a recording writer:
// what gathers before the event loop gets to it goes in one batch, batches run one after another,
// usage is summed, a failed batch does not stop the next. The SQL side (record_ai_turn_writes)
// is exercised by the runtime tests on both databases.
import { describe, expect, it } from 'vitest';
import type { NewTurn, TurnWriteBatch } from '../../../server/ai/runtime/queries.js';
import { TurnWrites } from '../../../server/ai/runtime/turn-writes.js';

const turn = (seq: number, content: string): NewTurn => ({ seq, role: seq % 2 ? 'assistant' : 'user', content, startedAt: new Date(0) });
const usage = (promptTokens: number) => ({ promptTokens, completionTokens: 1, sttSeconds: 0.5, ttsCharacters: 10 });

function recording(fail: (n: number) => boolean = () => false, maxWaitMs?: number) {
  const batches: TurnWriteBatch[] = [];
  const errors: unknown[] = [];
  let running = 0;
  let overlapped = false;
  const writes = new TurnWrites(
    async (batch) => {
      running += 1;
      overlapped ||= running > 1;
      batches.push(batch);
      await new Promise((r) => setTimeout(r, 5));
      running -= 1;
      if (fail(batches.length)) throw new Error(`batch ${batches.length} failed`);
    },
    (err) => errors.push(err),
    maxWaitMs,
  );
  return { writes, batches, errors, overlapped: () => overlapped };
}

describe('TurnWrites', () => {
  it('writes what gathered in one tick as one batch, in order, with the usage summed', async () => {
    const r = recording();
    r.writes.turn(turn(0, 'hello'));
    r.writes.turn(turn(1, 'hi, how can I help?'));
    r.writes.addUsage(usage(10));
    r.writes.addUsage(usage(5));
    r.writes.cut(1, 'hi, how');
    expect(r.batches).toHaveLength(0); // nothing is written in the caller's tick
    await r.writes.flush();
    expect(r.batches).toHaveLength(1);
    const [batch] = r.batches;
    expect(batch!.turns.map((t) => t.seq)).toEqual([0, 1]);
    expect([...batch!.cuts]).toEqual([[1, 'hi, how']]);
    expect(batch!.usage).toEqual({ promptTokens: 15, completionTokens: 2, sttSeconds: 1, ttsCharacters: 20 });
  });

  it('runs batches one after another; what comes during a write goes in the next batch', async () => {
    const r = recording();
    r.writes.turn(turn(0, 'first'));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r)); // the first batch is being written now
    r.writes.turn(turn(1, 'second'));
    r.writes.cut(1, 'sec');
    await r.writes.flush();
    expect(r.batches.map((b) => b.turns.map((t) => t.content))).toEqual([['first'], ['second']]);
    expect([...r.batches[1]!.cuts]).toEqual([[1, 'sec']]);
    expect(r.batches[0]!.usage).toBeNull();
    expect(r.overlapped()).toBe(false);
  });

  it('leaves out usage that counts nothing, and writes nothing when nothing gathered', async () => {
    const r = recording();
    r.writes.addUsage({ promptTokens: 0, completionTokens: 0, sttSeconds: 0, ttsCharacters: 0 });
    await r.writes.flush();
    expect(r.batches).toHaveLength(0);
  });

  it('reports a failed batch and goes on with the next', async () => {
    const r = recording((n) => n === 1);
    r.writes.turn(turn(0, 'lost'));
    await r.writes.flush();
    r.writes.turn(turn(1, 'kept'));
    await r.writes.flush();
    expect(r.errors).toHaveLength(1);
    expect(String(r.errors[0])).toContain('batch 1 failed');
    expect(r.batches.map((b) => b.turns[0]!.content)).toEqual(['lost', 'kept']);
  });

  it('writes a turn that may wait together with the next write (the answer after the question)', async () => {
    const r = recording(undefined, 60_000);
    r.writes.turnSoon(turn(2, 'what are your hours?'));
    await new Promise((r) => setTimeout(r, 20));
    expect(r.batches).toHaveLength(0); // still waiting for the answer
    r.writes.turn(turn(3, 'nine to five'));
    r.writes.addUsage(usage(7));
    await r.writes.flush();
    expect(r.batches).toHaveLength(1);
    expect(r.batches[0]!.turns.map((t) => t.content)).toEqual(['what are your hours?', 'nine to five']);
    expect(r.batches[0]!.usage?.promptTokens).toBe(7);
  });

  it('writes a waiting turn alone once its wait is over', async () => {
    const r = recording(undefined, 30);
    r.writes.turnSoon(turn(0, 'hello?'));
    await new Promise((r) => setTimeout(r, 80));
    expect(r.batches.map((b) => b.turns.map((t) => t.content))).toEqual([['hello?']]);
    await r.writes.flush();
    expect(r.batches).toHaveLength(1); // the wait does not write it a second time
  });

  it('writes a waiting turn at once on flush (the conversation ends before its answer)', async () => {
    const r = recording(undefined, 60_000);
    r.writes.turnSoon(turn(0, 'goodbye'));
    const started = Date.now();
    await r.writes.flush();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(r.batches.map((b) => b.turns.map((t) => t.content))).toEqual([['goodbye']]);
  });

  it('a turn that may wait during a write goes in the next batch, after the one being written', async () => {
    const r = recording(undefined, 60_000);
    r.writes.turn(turn(0, 'greeting'));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r)); // the greeting is being written now
    r.writes.turnSoon(turn(1, 'question'));
    r.writes.turn(turn(2, 'answer'));
    await r.writes.flush();
    expect(r.batches.map((b) => b.turns.map((t) => t.content))).toEqual([['greeting'], ['question', 'answer']]);
    expect(r.overlapped()).toBe(false);
  });
});
