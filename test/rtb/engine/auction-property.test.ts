// runAuction with an injected fake `send` on a controllable clock (vitest fake timers: setTimeout
// and performance.now), so that the properties are exact and independent of machine load. The
// expected schedule (p-limit queueing, per-target waits, the one deadline) and the expected winner
// are recomputed by a small independent model of the rules.
import fc from 'fast-check';
import pLimit from 'p-limit';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runAuction, type RunAuctionInput } from '../../../server/rtb/engine/auction.js';
import { decideAuction } from '../../../server/rtb/engine/decide.js';
import type { AuctionResult, AuctionType, RtbTargetConfig, SendAnswer, SendFn } from '../../../server/rtb/engine/types.js';
import { bidBody, makeContext, makeSettings, makeTarget } from './helpers.js';

const DEADLINE = 100;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Runs the auction to completion on the fake clock. */
async function run(input: RunAuctionInput): Promise<AuctionResult> {
  const pending = runAuction(input);
  await vi.runAllTimersAsync();
  return pending;
}

type Behaviour = 'answers' | 'hangs' | 'throws';
type Answer = 'valid' | 'below_min' | 'above_max' | 'bad_destination' | 'http_500' | 'not_accepted' | 'invalid_json' | 'no_bid';

interface Spec {
  behaviour: Behaviour;
  answer: Answer;
  latency: number;
  timeoutMs: number;
  cents: number;
  priority: number;
  active: boolean;
  ignoresAbort: boolean;
}

const specArb: fc.Arbitrary<Spec> = fc.record({
  behaviour: fc.oneof(
    { arbitrary: fc.constant<Behaviour>('answers'), weight: 10 },
    { arbitrary: fc.constantFrom<Behaviour>('hangs', 'throws'), weight: 1 },
  ),
  answer: fc.oneof(
    { arbitrary: fc.constant<Answer>('valid'), weight: 3 },
    { arbitrary: fc.constantFrom<Answer>('below_min', 'above_max', 'bad_destination', 'http_500', 'not_accepted', 'invalid_json', 'no_bid'), weight: 2 },
  ),
  // Latencies around and beyond the deadline, including exactly on it.
  latency: fc.oneof(fc.integer({ min: 0, max: 150 }), fc.constantFrom(0, DEADLINE - 1, DEADLINE, DEADLINE + 1)),
  // Mostly the deadline governs; sometimes the target's own, shorter timeout.
  timeoutMs: fc.oneof({ arbitrary: fc.constant(5000), weight: 3 }, { arbitrary: fc.integer({ min: 1, max: 120 }), weight: 1 }),
  cents: fc.constantFrom(1000, 1001, 1002), // few values, so that equal bids (ties) are common
  priority: fc.integer({ min: 1, max: 3 }),
  active: fc.integer({ min: 0, max: 19 }).map((n) => n < 17), // mostly active
  ignoresAbort: fc.boolean(),
});

function targetFor(id: number, spec: Spec): RtbTargetConfig {
  return makeTarget({ id, priority: spec.priority, isActive: spec.active, minBidAmount: 10, maxBidAmount: 10.1, timeoutMs: spec.timeoutMs });
}

function bodyFor(spec: Spec): { status: number; body: string } {
  const amount = spec.cents / 100;
  switch (spec.answer) {
    case 'valid':
      return { status: 200, body: bidBody(amount) };
    case 'below_min':
      return { status: 200, body: bidBody(9.99) };
    case 'above_max':
      return { status: 200, body: bidBody(10.11) };
    case 'bad_destination':
      return { status: 200, body: bidBody(amount, '5551234') };
    case 'http_500':
      return { status: 500, body: bidBody(amount) };
    case 'not_accepted':
      return { status: 200, body: bidBody(amount, '+19876543210', { accepted: false }) };
    case 'invalid_json':
      return { status: 200, body: '{"bidAmount": ' };
    case 'no_bid':
      return { status: 204, body: '' };
  }
}

const REASON: Record<Answer, string | null> = {
  valid: null,
  below_min: 'below_min_bid',
  above_max: 'above_max_bid',
  bad_destination: 'invalid_destination',
  http_500: 'http_500',
  not_accepted: 'not_accepted',
  invalid_json: 'invalid_json',
  no_bid: 'no_bid',
};

/** A fake transport: each target behaves as its spec says. */
function fakeSend(specs: ReadonlyMap<string, Spec>) {
  const calls: Array<{ url: string; at: number; timeoutMs: number; signal: AbortSignal }> = [];
  const send: SendFn = (request, { timeoutMs, signal }) => {
    calls.push({ url: request.url, at: performance.now(), timeoutMs, signal });
    const spec = specs.get(request.url);
    if (spec === undefined) return Promise.reject(new Error(`unknown url ${request.url}`));
    if (spec.behaviour === 'throws') throw new Error('transport exploded');
    return new Promise<SendAnswer>((resolve) => {
      if (!spec.ignoresAbort) {
        signal.addEventListener('abort', () => resolve({ ok: false, status: null, body: null, errorKind: 'aborted', responseTimeMs: null }), { once: true });
      }
      if (spec.behaviour === 'hangs') return;
      const { status, body } = bodyFor(spec);
      setTimeout(() => resolve({ ok: true, status, body, errorKind: null, responseTimeMs: spec.latency }), spec.latency);
    });
  };
  return { send, calls };
}

interface Planned {
  sent: boolean;
  start: number;
  end: number;
  answered: boolean;
}

/**
 * The independent model: FIFO slots; a target starts when a slot frees (at time 0 or when an
 * earlier target ends); a start at or after the deadline is never sent; a sent target waits
 * min(timeoutMs, deadline - start) and has answered only if its latency is strictly shorter.
 */
function plan(specs: Spec[], concurrency: number): Array<Planned | null> {
  const running: number[] = [];
  return specs.map((s) => {
    if (!s.active) return null;
    let start = 0;
    if (running.length >= concurrency) {
      running.sort((a, b) => a - b);
      start = running.shift() ?? 0;
    }
    if (start >= DEADLINE) {
      running.push(start);
      return { sent: false, start, end: DEADLINE, answered: false };
    }
    const wait = Math.min(s.timeoutMs, DEADLINE - start);
    const answered = s.behaviour === 'answers' && s.latency < wait;
    const end = s.behaviour === 'throws' ? start : answered ? start + s.latency : start + wait;
    running.push(end);
    return { sent: true, start, end, answered };
  });
}

function expectedWinner(specs: Spec[], planned: Array<Planned | null>, auctionType: AuctionType): { targetId: number; price: number } | null {
  const valid = specs
    .map((s, i) => ({ s, id: i + 1, p: planned[i] }))
    .filter(({ s, p }) => p?.answered === true && s.answer === 'valid')
    .map(({ s, id }) => ({ id, cents: s.cents, priority: s.priority, latency: s.latency }));
  if (valid.length === 0) return null;
  valid.sort((a, b) => b.cents - a.cents || a.priority - b.priority || a.latency - b.latency || a.id - b.id);
  const [best, second] = valid as [(typeof valid)[number], ...typeof valid];
  if (auctionType === 'first_price') return { targetId: best.id, price: best.cents / 100 };
  // second price: the runner-up's bid, raised to the winner's minimum (10.00), capped at the bid.
  return { targetId: best.id, price: Math.min(best.cents, Math.max(second?.cents ?? 1000, 1000)) / 100 };
}

describe('runAuction (property, controllable clock)', () => {
  it('schedule, deadline, outcomes and winner match the model; late bids never win; replay agrees', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(specArb, { minLength: 1, maxLength: 10 }),
        fc.constantFrom<AuctionType>('first_price', 'second_price'),
        fc.integer({ min: 0, max: 3 }),
        fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constant(64)),
        async (specs, auctionType, minBiddersRequired, concurrency) => {
          const targets = specs.map((s, i) => targetFor(i + 1, s));
          const byUrl = new Map(targets.map((t, i) => [t.endpointUrl, specs[i]!] as const));
          const { send, calls } = fakeSend(byUrl);
          const settings = makeSettings({ biddingTimeoutMs: DEADLINE, minBiddersRequired, auctionType });
          const context = makeContext();
          const t0 = performance.now();
          const result = await run({ context, targets, settings, blocked: new Map(), send, limit: pLimit(concurrency) });

          // Exactly one outcome per target, in input order.
          expect(result.outcomes.map((o) => o.targetId)).toEqual(targets.map((t) => t.id));

          const eligible = specs.filter((s) => s.active).length;
          if (eligible === 0 || eligible < minBiddersRequired) {
            expect(result.status).toBe(eligible === 0 ? 'no_eligible_targets' : 'insufficient_bidders');
            expect(calls).toHaveLength(0);
            expect(result.pinged).toBe(0);
            expect(result.durationMs).toBe(0);
            expect(result.outcomes.every((o) => o.status === 'filtered')).toBe(true);
            return;
          }

          const planned = plan(specs, concurrency);
          // Who was sent, and when (queue time counts against the one deadline).
          expect(calls.map((c) => [c.url, c.at - t0])).toEqual(
            planned.flatMap((p, i) => (p?.sent ? [[targets[i]!.endpointUrl, p.start] as [string, number]] : [])).sort((a, b) => a[1] - b[1] || targets.findIndex((t) => t.endpointUrl === a[0]) - targets.findIndex((t) => t.endpointUrl === b[0])),
          );
          expect(result.pinged).toBe(planned.filter((p) => p?.sent).length);
          // The auction closes when everyone has answered or at the deadline, whichever is first.
          expect(result.durationMs).toBe(Math.min(DEADLINE, Math.max(...planned.map((p) => p?.end ?? 0))));

          specs.forEach((s, i) => {
            const o = result.outcomes[i]!;
            const p = planned[i];
            if (!s.active || p === null || p === undefined) {
              expect([o.status, o.rejectionReason]).toEqual(['filtered', 'inactive']);
              return;
            }
            const a = result.answers.find((x) => x.targetId === o.targetId);
            if (!p.sent) {
              expect([o.status, o.rejectionReason, o.responseTimeMs]).toEqual(['timeout', 'timeout', null]);
            } else if (s.behaviour === 'throws') {
              expect([o.status, o.rejectionReason]).toEqual(['error', 'transport_error']);
            } else if (!p.answered) {
              expect([o.status, o.rejectionReason, o.responseTimeMs]).toEqual(['timeout', 'timeout', p.end - p.start]);
              expect(a?.late).toBe(true);
            } else {
              expect(o.rejectionReason).toBe(REASON[s.answer]);
              expect(o.status).toBe(s.answer === 'valid' ? 'bid' : s.answer === 'http_500' ? 'error' : 'rejected');
              expect(o.responseTimeMs).toBe(s.latency);
              expect(a?.late).toBe(false);
            }
            if (o.status === 'timeout') expect(o.isWinner).toBe(false);
          });

          const expected = expectedWinner(specs, planned, auctionType);
          expect(result.winner === null ? null : { targetId: result.winner.targetId, price: result.winner.price }).toEqual(expected);
          expect(result.status).toBe(expected === null ? 'no_valid_bids' : 'won');
          expect(result.outcomes.filter((o) => o.isWinner).map((o) => o.targetId)).toEqual(expected === null ? [] : [expected.targetId]);

          // Every request: waited at most min(own timeout, time left); the unanswered were aborted.
          for (const c of calls) {
            const i = targets.findIndex((t) => t.endpointUrl === c.url);
            const p = planned[i]!;
            expect(c.timeoutMs).toBe(Math.min(specs[i]!.timeoutMs, DEADLINE - p.start));
            if (!p.answered && specs[i]!.behaviour !== 'throws') expect(c.signal.aborted).toBe(true);
          }

          // Replay from the ledger (inputs + raw answers) re-derives the same decision.
          const filtered = new Map(result.outcomes.filter((o) => o.status === 'filtered').map((o) => [o.targetId, o.rejectionReason ?? '']));
          const audit = new Map(result.outcomes.map((o) => [o.targetId, o.auditRequestBody]));
          const replay = decideAuction(structuredClone(targets), context, settings, filtered, structuredClone(result.answers), audit);
          expect(replay.outcomes).toEqual(result.outcomes);
          expect(replay.winner).toEqual(result.winner);
          expect(replay.status).toBe(result.status);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('runAuction (examples, controllable clock)', () => {
  const answerAfter =
    (ms: number, body = bidBody(20)): SendFn =>
    (_req, { signal }) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => resolve({ ok: true, status: 200, body, errorKind: null, responseTimeMs: ms }), ms);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve({ ok: false, status: null, body: null, errorKind: 'aborted', responseTimeMs: null });
        });
      });

  it('time queued in p-limit counts against the deadline; a target that only gets a slot after it is never sent', async () => {
    const targets = [1, 2, 3, 4].map((id) => makeTarget({ id }));
    const sent: Array<[string, number, number]> = [];
    const inner = answerAfter(40);
    const t0 = performance.now();
    const send: SendFn = (req, opts) => {
      sent.push([req.url, performance.now() - t0, opts.timeoutMs]);
      return inner(req, opts);
    };
    const result = await run({ context: makeContext(), targets, settings: makeSettings({ biddingTimeoutMs: 100 }), send, limit: pLimit(1) });
    // 1 at 0-40 ms, 2 at 40-80 ms, 3 gets its slot at 80 ms with 20 ms left (answer due at 120), 4 never.
    expect(sent).toEqual([
      [targets[0]!.endpointUrl, 0, 100],
      [targets[1]!.endpointUrl, 40, 60],
      [targets[2]!.endpointUrl, 80, 20],
    ]);
    expect(result.durationMs).toBe(100);
    expect(result.pinged).toBe(3);
    expect(result.outcomes.map((o) => o.status)).toEqual(['bid', 'bid', 'timeout', 'timeout']);
    expect(result.answers.find((a) => a.targetId === 3)).toMatchObject({ late: true, errorKind: 'timeout', responseTimeMs: 20 });
    expect(result.answers.find((a) => a.targetId === 4)).toMatchObject({ late: true, errorKind: 'timeout', responseTimeMs: null });
    expect(result.winner?.targetId).toBe(1); // equal bids and speed: lower id
  });

  it("a target's own timeoutMs shortens its wait; the auction closes as soon as everyone has answered", async () => {
    const targets = [makeTarget({ id: 1, timeoutMs: 30 }), makeTarget({ id: 2 })];
    const seen: Array<[number, AbortSignal]> = [];
    const send: SendFn = (req, opts) => {
      seen.push([opts.timeoutMs, opts.signal]);
      return req.url.includes('buyer1') ? answerAfter(1000)(req, opts) : answerAfter(5)(req, opts);
    };
    const result = await run({ context: makeContext(), targets, settings: makeSettings({ biddingTimeoutMs: 2000 }), send, limit: pLimit(8) });
    expect(result.durationMs).toBe(30);
    expect(seen.map(([ms]) => ms)).toEqual([30, 2000]);
    expect(seen[0]?.[1].aborted).toBe(true); // the slow one was aborted when its own wait ended
    expect(seen[1]?.[1].aborted).toBe(false); // nothing left to abort for the one that answered
    expect(result.outcomes.map((o) => [o.status, o.rejectionReason, o.responseTimeMs])).toEqual([
      ['timeout', 'timeout', 30],
      ['bid', null, 5],
    ]);
    expect(result.winner?.targetId).toBe(2);
  });

  it('a send that ignores its abort signal cannot hold the auction or its p-limit slot past the deadline', async () => {
    const limit = pLimit(1);
    const never: SendFn = () => new Promise<SendAnswer>(() => {});
    const targets = [makeTarget({ id: 1 })];
    const result = await run({ context: makeContext(), targets, settings: makeSettings({ biddingTimeoutMs: 40 }), send: never, limit });
    expect(result.durationMs).toBe(40);
    expect(result.outcomes[0]).toMatchObject({ status: 'timeout', rejectionReason: 'timeout' });
    expect(limit.activeCount).toBe(0);
    // The slot is free: the next auction runs at once.
    const next = await run({ context: makeContext(), targets, settings: makeSettings({ biddingTimeoutMs: 500 }), send: answerAfter(1), limit });
    expect(next.status).toBe('won');
    expect(next.durationMs).toBe(1);
  });

  it('an answer processed after its wait ended (timers running late) is late: a timeout that cannot win', async () => {
    // The clock jumps past the deadline just before the answers are handled, as when the event
    // loop was blocked and the timers have not fired yet.
    let skew = 0;
    const now = (): number => performance.now() + skew;
    const send: SendFn = (req) => {
      if (req.url.includes('buyer1')) return Promise.resolve({ ok: true, status: 200, body: bidBody(20), errorKind: null, responseTimeMs: 1 });
      return new Promise((resolve) =>
        setTimeout(() => {
          skew = 500;
          resolve({ ok: true, status: 200, body: bidBody(90), errorKind: null, responseTimeMs: 10 });
        }, 10),
      );
    };
    const targets = [makeTarget({ id: 1 }), makeTarget({ id: 2 })];
    const result = await run({ context: makeContext(), targets, settings: makeSettings({ biddingTimeoutMs: 100 }), send, limit: pLimit(8), now });
    expect(result.outcomes.map((o) => [o.targetId, o.status, o.rejectionReason])).toEqual([
      [1, 'bid', null],
      [2, 'timeout', 'timeout'],
    ]);
    expect(result.answers.find((a) => a.targetId === 2)).toMatchObject({ late: true, status: 200 });
    expect(result.winner?.targetId).toBe(1);
  });

  it('insufficient bidders: no request at all, and every target still has its outcome', async () => {
    let calls = 0;
    const send: SendFn = () => {
      calls++;
      return Promise.resolve({ ok: true, status: 200, body: bidBody(20), errorKind: null, responseTimeMs: 1 });
    };
    const targets = [makeTarget({ id: 1 }), makeTarget({ id: 2, states: ['NY'] }), makeTarget({ id: 3 })];
    const result = await run({
      context: makeContext(),
      targets,
      settings: makeSettings({ minBiddersRequired: 3 }),
      blocked: new Map([[3, 'cap_reached']]),
      send,
      limit: pLimit(8),
    });
    expect(calls).toBe(0);
    expect(result.status).toBe('insufficient_bidders');
    expect(result.answers).toEqual([]);
    expect(result.outcomes.map((o) => o.rejectionReason)).toEqual(['insufficient_bidders', 'state_not_allowed', 'cap_reached']);
  });

  it('passes the built request (auth, body) to send and records the redacted audit body', async () => {
    const target = makeTarget({ id: 1, authMethod: 'bearer', authToken: 'tok-XYZ-123', requestBody: '{"k": "tok-XYZ-123", "id": "{requestId}"}' });
    let headers: Record<string, string> = {};
    let body: string | undefined;
    const send: SendFn = (req) => {
      headers = req.headers;
      body = req.body;
      return Promise.resolve({ ok: true, status: 200, body: bidBody(20), errorKind: null, responseTimeMs: 3 });
    };
    const result = await run({ context: makeContext({ requestId: 'r-9' }), targets: [target], settings: makeSettings(), send, limit: pLimit(2) });
    expect(headers.authorization).toBe('Bearer tok-XYZ-123');
    expect(body).toBe('{"k": "tok-XYZ-123", "id": "r-9"}');
    expect(result.outcomes[0]?.auditRequestBody).toBe('{"k": "[REDACTED]", "id": "r-9"}');
    expect(result.requestId).toBe('r-9');
    expect(result.completedAt.getTime()).toBeGreaterThanOrEqual(result.startedAt.getTime());
  });
  it("the caller's signal closes the auction at once: answers so far count, requests in flight are aborted and timed out", async () => {
    const targets = [1, 2, 3].map((id) => makeTarget({ id }));
    const aborted: number[] = [];
    const send: SendFn = (req, opts) => {
      const id = Number(/buyer(\d+)/.exec(req.url)?.[1]);
      opts.signal.addEventListener('abort', () => aborted.push(id));
      return answerAfter(id === 1 ? 10 : 500)(req, opts);
    };
    const closer = new AbortController();
    setTimeout(() => closer.abort(), 50);
    const result = await run({ context: makeContext(), targets, settings: makeSettings({ biddingTimeoutMs: 1000 }), send, limit: pLimit(8), signal: closer.signal });
    expect(result.durationMs).toBe(50);
    expect(result.outcomes.map((o) => o.status)).toEqual(['bid', 'timeout', 'timeout']);
    expect(result.answers.find((a) => a.targetId === 2)).toMatchObject({ late: true, errorKind: 'timeout', responseTimeMs: 50 });
    expect(aborted.sort()).toEqual([1, 2, 3]); // the shared signal: target 1 had already answered
    expect(result.winner?.targetId).toBe(1);
  });

  it('a signal aborted before the auction starts sends nothing', async () => {
    const sent: string[] = [];
    const send: SendFn = (req, opts) => {
      sent.push(req.url);
      return answerAfter(10)(req, opts);
    };
    const closer = new AbortController();
    closer.abort();
    const result = await run({ context: makeContext(), targets: [makeTarget({ id: 1 })], settings: makeSettings(), send, limit: pLimit(8), signal: closer.signal });
    expect(sent).toEqual([]);
    expect(result.pinged).toBe(0);
    expect(result.outcomes.map((o) => o.status)).toEqual(['timeout']);
    expect(result.winner).toBeNull();
  });
});
