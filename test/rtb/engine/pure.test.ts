import { describe, expect, it } from 'vitest';
import { redact, truncateUtf8, secretForms, REDACTED } from '../../../server/rtb/engine/audit.js';
import { createCircuitBreaker, isBreakerFailure } from '../../../server/rtb/engine/circuit-breaker.js';
import { decideAuction } from '../../../server/rtb/engine/decide.js';
import { parsePath, readPath } from '../../../server/rtb/engine/json-path.js';
import { hasCallerId, prefilter } from '../../../server/rtb/engine/prefilter.js';
import { selectWinner, type Candidate } from '../../../server/rtb/engine/select-winner.js';
import { renderTemplate, type TemplateVars } from '../../../server/rtb/engine/template.js';
import type { BlockReason, CallContext, FilterReason, RawAnswer, RtbTargetConfig, TargetOutcome } from '../../../server/rtb/engine/types.js';
import { bidBody, makeContext, makeSettings, makeTarget } from './helpers.js';

/** One target's outcome as the breaker is fed it: rejected, no answer fields, unless `fields` say otherwise. */
function targetOutcome(targetId: number, fields: Partial<TargetOutcome>): TargetOutcome {
  return {
    targetId,
    targetName: `T${targetId}`,
    status: 'rejected',
    isValid: false,
    isWinner: false,
    rejectionReason: null,
    httpStatus: null,
    responseTimeMs: null,
    bidAmount: null,
    currency: null,
    destination: null,
    durationSec: null,
    auditRequestBody: null,
    auditResponseBody: null,
    ...fields,
  };
}

describe('json-path', () => {
  const doc = {
    bid: { amount: 12.5, tags: ['a', { deep: 'x' }] },
    'odd key': { v: 1 },
    list: [{ price: 3 }, { price: 4 }],
    zero: 0,
    nul: null,
  };

  it.each([
    ['$.bid.amount', 12.5],
    ['bid.amount', 12.5],
    ['$.bid.tags[0]', 'a'],
    ['bid.tags[1].deep', 'x'],
    ['list[1].price', 4],
    ['$.list[0].price', 3],
    ["$['bid']['amount']", 12.5],
    ['$["odd key"].v', 1],
    ["$['odd key']['v']", 1],
    ['$.zero', 0],
    ['$.nul', null],
    ['  $.bid.amount  ', 12.5],
  ] as const)('%s reads %j', (path, expected) => {
    expect(readPath(doc, path)).toEqual(expected);
  });

  it('reads the root with $ and an index from a top-level array', () => {
    expect(readPath(doc, '$')).toBe(doc);
    expect(readPath([{ a: 1 }], '$[0].a')).toBe(1);
  });

  it.each([
    ['missing key', '$.bid.nope'],
    ['index out of range', 'list[5].price'],
    ['index on an object', 'bid[0]'],
    ['key through a primitive', '$.bid.amount.x'],
    ['empty path', ''],
    ['dangling dot', '$.bid.'],
    ['double dot', '$..amount'],
    ['unclosed bracket', '$.list[0'],
    ['negative index', 'list[-1]'],
    ['expression in brackets', '$.list[?(@.price>3)]'],
    ['garbage after $', '$bid'],
    ['inherited method', '$.bid.toString'],
    ['inherited property on arrays', 'list.length.x'],
  ])('%s (%s) reads undefined', (_label, path) => {
    expect(readPath(doc, path)).toBeUndefined();
  });

  it('rejects __proto__, constructor and prototype segments outright', () => {
    const hostile = JSON.parse('{"__proto__": {"amount": 9}, "a": {"constructor": {"prototype": 1}}}') as unknown;
    for (const path of ['$.__proto__.amount', '__proto__', 'a.constructor', "$['a']['constructor']", '$.a.constructor.prototype', '$["__proto__"]']) {
      expect(parsePath(path)).toBeNull();
      expect(readPath(hostile, path)).toBeUndefined();
    }
    expect(readPath({}, 'constructor')).toBeUndefined();
  });

  it('never throws, whatever the input', () => {
    for (const root of [null, undefined, 1, 'str', [], {}, Object.create(null)]) {
      for (const path of ['$.a', 'a[0]', '$', '[', ']', '$[', "$['", '\u0000', 'a'.repeat(600)]) {
        expect(() => readPath(root, path)).not.toThrow();
      }
    }
  });
});

describe('template', () => {
  const vars: TemplateVars = {
    requestId: 'req_1',
    campaignId: 'camp_1',
    callerId: 'x"y\\z\n',
    callStartTime: '2025-08-04T12:00:00.000Z',
    minBid: 2.5,
    maxBid: 25,
    currency: 'USD',
    timestamp: '2025-08-04T12:00:01.000Z',
    callerState: null,
    callerZip: '90210',
  };

  it('inside quotes: JSON-escaped text; null is the empty string', () => {
    const out = renderTemplate('{"c": "{callerId}", "s": "{callerState}", "m": "{minBid}"}', vars);
    expect(out).toBe('{"c": "x\\"y\\\\z\\n", "s": "", "m": "2.5"}');
    expect(JSON.parse(out)).toEqual({ c: 'x"y\\z\n', s: '', m: '2.5' });
  });

  it('outside quotes: a complete JSON value (number, quoted string, null)', () => {
    const out = renderTemplate('{"c": {callerId}, "s": {callerState}, "m": {minBid}, "r": {requestId}}', vars);
    expect(JSON.parse(out)).toEqual({ c: 'x"y\\z\n', s: null, m: 2.5, r: 'req_1' });
  });

  it('leaves unknown placeholders and placeholder-like text alone', () => {
    expect(renderTemplate('{unknown} {requestid} {request Id} {} {{requestId}}', vars)).toBe('{unknown} {requestid} {request Id} {} {"req_1"}');
  });

  it('replaces every occurrence, and treats an escaped quote as part of the string', () => {
    expect(renderTemplate('"{requestId}-{requestId}"', vars)).toBe('"req_1-req_1"');
    expect(renderTemplate('"a\\"{minBid}" {minBid}', vars)).toBe('"a\\"2.5" 2.5');
  });

  it('form, xml and text modes escape for their syntax', () => {
    expect(renderTemplate('c={callerId}&s={callerState}', vars, 'form')).toBe('c=x%22y%5Cz%0A&s=');
    expect(renderTemplate('<c>{callerId}</c>', { ...vars, callerId: '<&>\u0001' }, 'xml')).toBe('<c>&lt;&amp;&gt;</c>');
    expect(renderTemplate('caller {callerId} min {minBid}', { ...vars, callerId: 'a"b' }, 'text')).toBe('caller a"b min 2.5');
  });
});

describe('audit helpers', () => {
  it('truncates by UTF-8 bytes without splitting a character', () => {
    const s = '😀'.repeat(2000); // 4 bytes each
    const t = truncateUtf8(s, 4096);
    expect(Buffer.byteLength(t)).toBeLessThanOrEqual(4096);
    expect(t.endsWith('…[truncated]')).toBe(true);
    expect(t).not.toContain('\uFFFD');
    expect(t.slice(0, -'…[truncated]'.length)).toBe('😀'.repeat(t.slice(0, -'…[truncated]'.length).length / 2));
    expect(truncateUtf8('short')).toBe('short');
  });

  it('redacts every form of a secret, longest first', () => {
    const forms = secretForms('a"b c');
    expect(forms).toEqual(expect.arrayContaining(['a"b c', 'a\\"b c', 'a%22b%20c']));
    expect(redact('x a"b c y a\\"b c z a%22b%20c', forms)).toBe(`x ${REDACTED} y ${REDACTED} z ${REDACTED}`);
  });
});

describe('prefilter', () => {
  const settings = makeSettings();
  const none = new Map<number, BlockReason>();

  const cases: Array<[string, Partial<RtbTargetConfig>, Partial<CallContext>, FilterReason | null]> = [
    ['active, no lists', {}, {}, null],
    ['inactive', { isActive: false }, {}, 'inactive'],
    ['state allowed (case-insensitive)', { states: ['ca', 'NY'] }, { callerState: 'Ca' }, null],
    ['state not in the include list', { states: ['NY'] }, {}, 'state_not_allowed'],
    ['unknown caller state does not match an include list', { states: ['CA'] }, { callerState: null }, 'state_not_allowed'],
    ['blank caller state does not match an include list', { states: ['CA'] }, { callerState: '  ' }, 'state_not_allowed'],
    ['state excluded (case-insensitive)', { excludedStates: ['ca'] }, {}, 'state_excluded'],
    ['unknown state is not excluded', { excludedStates: ['CA'] }, { callerState: null }, null],
    ['zip allowed', { zipCodes: ['90210', '10001'] }, {}, null],
    ['ZIP+4 caller matches its five-digit entry', { zipCodes: ['90210'] }, { callerZip: '90210-1234' }, null],
    ['zip not in the include list', { zipCodes: ['10001'] }, {}, 'zip_not_allowed'],
    ['unknown zip does not match an include list', { zipCodes: ['90210'] }, { callerZip: null }, 'zip_not_allowed'],
    ['zip excluded', { excludedZipCodes: ['90210'] }, {}, 'zip_excluded'],
    ['inactive wins over every other reason', { isActive: false, states: ['NY'], excludedZipCodes: ['90210'] }, {}, 'inactive'],
    ['state reasons come before zip reasons', { states: ['NY'], zipCodes: ['10001'] }, {}, 'state_not_allowed'],
  ];
  it.each(cases)('%s', (_label, target, context, reason) => {
    const [r] = prefilter([makeTarget(target)], makeContext(context), settings, none);
    expect(r?.reason).toBe(reason);
  });

  it('caller ID required but missing (null or blank)', () => {
    const s = makeSettings({ callerIdRequired: true });
    expect(prefilter([makeTarget()], makeContext({ callerId: null }), s, none)[0]?.reason).toBe('caller_id_required');
    expect(prefilter([makeTarget()], makeContext({ callerId: ' ' }), s, none)[0]?.reason).toBe('caller_id_required');
    expect(prefilter([makeTarget()], makeContext(), s, none)[0]?.reason).toBeNull();
    expect(prefilter([makeTarget()], makeContext({ callerId: null }), settings, none)[0]?.reason).toBeNull();
  });

  it('caller ID required: a withheld caller ID (Twilio\'s keypad placeholders, the words, an anonymous SIP address) is none', () => {
    const s = makeSettings({ callerIdRequired: true });
    const reason = (callerId: string) => prefilter([makeTarget()], makeContext({ callerId }), s, none)[0]?.reason ?? null;
    for (const withheld of ['anonymous', 'Anonymous', 'Restricted', 'UNKNOWN', 'private', '+266696687', '+86282452253', '+7378742833', '+2562533', 'sip:anonymous@anonymous.invalid', '+12']) {
      expect([withheld, reason(withheld)]).toEqual([withheld, 'caller_id_required']);
    }
    for (const number of ['+13105550123', '+442079460123', ' +4915112345678 ']) expect([number, reason(number)]).toEqual([number, null]);
    expect(hasCallerId('+13105550123')).toBe(true);
    expect(hasCallerId(null)).toBe(false);
  });

  it('applies the precomputed block reasons after the caller checks, keeping order and targets', () => {
    const targets = [makeTarget({ id: 1 }), makeTarget({ id: 2 }), makeTarget({ id: 3, states: ['NY'] }), makeTarget({ id: 4 })];
    const blocked = new Map<number, BlockReason>([
      [1, 'cap_reached'],
      [2, 'circuit_open'],
      [3, 'concurrency_reached'],
    ]);
    const result = prefilter(targets, makeContext(), settings, blocked);
    expect(result.map((r) => [r.target.id, r.reason])).toEqual([
      [1, 'cap_reached'],
      [2, 'circuit_open'],
      [3, 'state_not_allowed'],
      [4, null],
    ]);
    expect(result[0]?.target).toBe(targets[0]);
  });
});

describe('selectWinner', () => {
  const c = (targetId: number, bidAmount: number, over: Partial<Candidate> = {}): Candidate => ({
    targetId,
    bidAmount,
    priority: 1,
    responseTimeMs: 100,
    minBidAmount: 1,
    ...over,
  });

  it('no candidates, no winner', () => {
    expect(selectWinner([], 'first_price')).toBeNull();
    expect(selectWinner([], 'second_price')).toBeNull();
  });

  it('highest bid wins and pays its bid under first price', () => {
    expect(selectWinner([c(1, 10), c(2, 30), c(3, 20)], 'first_price')).toEqual({ targetId: 2, bidAmount: 30, price: 30 });
  });

  it('ties: lower priority number, then faster response, then lower target id', () => {
    expect(selectWinner([c(1, 20, { priority: 2 }), c(2, 20, { priority: 1 })], 'first_price')?.targetId).toBe(2);
    expect(selectWinner([c(1, 20, { responseTimeMs: 90 }), c(2, 20, { responseTimeMs: 40 })], 'first_price')?.targetId).toBe(2);
    expect(selectWinner([c(1, 20, { responseTimeMs: null }), c(2, 20, { responseTimeMs: 4000 })], 'first_price')?.targetId).toBe(2);
    expect(selectWinner([c(7, 20), c(3, 20), c(5, 20)], 'first_price')?.targetId).toBe(3);
    // Priority outranks speed.
    expect(selectWinner([c(1, 20, { priority: 1, responseTimeMs: 900 }), c(2, 20, { priority: 2, responseTimeMs: 1 })], 'first_price')?.targetId).toBe(1);
  });

  it('is independent of input order', () => {
    const list = [c(4, 20, { priority: 2 }), c(2, 20, { priority: 1, responseTimeMs: 50 }), c(9, 20, { priority: 1, responseTimeMs: 50 }), c(1, 19)];
    const winners = new Set([list, [...list].reverse(), [list[2]!, list[0]!, list[3]!, list[1]!]].map((l) => selectWinner(l, 'second_price')?.targetId));
    expect([...winners]).toEqual([2]);
  });

  it('second price: the second-highest bid', () => {
    expect(selectWinner([c(1, 10), c(2, 30), c(3, 20)], 'second_price')).toEqual({ targetId: 2, bidAmount: 30, price: 20 });
  });

  it('second price with a tie at the top pays the tied amount', () => {
    expect(selectWinner([c(1, 30, { priority: 2 }), c(2, 30)], 'second_price')).toEqual({ targetId: 2, bidAmount: 30, price: 30 });
  });

  it("second price with a single bid: the winner's minBidAmount", () => {
    expect(selectWinner([c(1, 30, { minBidAmount: 12.5 })], 'second_price')).toEqual({ targetId: 1, bidAmount: 30, price: 12.5 });
  });

  it("second price never goes below the winner's minBidAmount, nor above its bid", () => {
    expect(selectWinner([c(1, 30, { minBidAmount: 15 }), c(2, 5)], 'second_price')?.price).toBe(15);
    expect(selectWinner([c(1, 30, { minBidAmount: 40 })], 'second_price')?.price).toBe(30);
  });
});

describe('circuit breaker (fake clock)', () => {
  it('opens after N consecutive failures, cools down, lets one probe through, closes on success', () => {
    const cb = createCircuitBreaker({ failureThreshold: 3, coolDownMs: 30_000 });
    let t = 1_000;
    for (let i = 0; i < 2; i++) cb.record(7, false, t++);
    expect(cb.isOpen(7, t)).toBe(false);
    cb.record(7, true, t++); // a success resets the count
    for (let i = 0; i < 2; i++) cb.record(7, false, t++);
    expect(cb.isOpen(7, t)).toBe(false);
    cb.record(7, false, t); // third consecutive failure
    const openedAt = t;
    expect(cb.state(7, t)).toBe('open');
    expect(cb.isOpen(7, openedAt + 29_999)).toBe(true);
    expect(cb.state(7, openedAt + 30_000)).toBe('half_open');
    expect(cb.isOpen(7, openedAt + 30_000)).toBe(false); // the probe
    expect(cb.isOpen(7, openedAt + 30_001)).toBe(true); // everyone else waits
    cb.record(7, true, openedAt + 30_100);
    expect(cb.state(7, openedAt + 30_100)).toBe('closed');
    expect(cb.isOpen(7, openedAt + 30_101)).toBe(false);
    expect(cb.isOpen(8, 0)).toBe(false); // other targets are unaffected
  });

  it('a failed probe re-opens for a full cool-down; an unreported probe frees its slot after one', () => {
    const cb = createCircuitBreaker(); // defaults: 5 failures, 30 s
    for (let i = 0; i < 4; i++) cb.record(1, false, 0);
    expect(cb.isOpen(1, 0)).toBe(false);
    cb.record(1, false, 0);
    expect(cb.isOpen(1, 10_000)).toBe(true);
    expect(cb.isOpen(1, 30_000)).toBe(false); // probe
    cb.record(1, false, 31_000); // probe failed: open again from 31 s
    expect(cb.isOpen(1, 60_000)).toBe(true);
    expect(cb.isOpen(1, 61_000)).toBe(false); // next probe, never reported
    expect(cb.isOpen(1, 70_000)).toBe(true);
    expect(cb.isOpen(1, 91_000)).toBe(false); // slot freed after another cool-down
  });

  it('classifies failures: timeout, connect_error and 5xx; not 4xx, invalid JSON or rejections', () => {
    expect(isBreakerFailure({ rejectionReason: 'timeout', httpStatus: null })).toBe(true);
    expect(isBreakerFailure({ rejectionReason: 'connect_error', httpStatus: null })).toBe(true);
    expect(isBreakerFailure({ rejectionReason: 'http_503', httpStatus: 503 })).toBe(true);
    expect(isBreakerFailure({ rejectionReason: 'http_404', httpStatus: 404 })).toBe(false);
    expect(isBreakerFailure({ rejectionReason: 'invalid_json', httpStatus: 200 })).toBe(false);
    expect(isBreakerFailure({ rejectionReason: 'below_min_bid', httpStatus: 200 })).toBe(false);
    expect(isBreakerFailure({ rejectionReason: null, httpStatus: 200 })).toBe(false);
  });

  it('predicts no bid after 10 pings without a valid bid, over the last 20', () => {
    const cb = createCircuitBreaker();
    for (let i = 0; i < 9; i++) cb.recordBid(3, false);
    expect(cb.predictsNoBid(3)).toBe(false);
    cb.recordBid(3, false);
    expect(cb.predictsNoBid(3)).toBe(true);
    cb.recordBid(3, true);
    expect(cb.predictsNoBid(3)).toBe(false);
    for (let i = 0; i < 19; i++) cb.recordBid(3, false);
    expect(cb.predictsNoBid(3)).toBe(false); // the valid bid is still among the last 20
    cb.recordBid(3, false);
    expect(cb.predictsNoBid(3)).toBe(true); // now it has left the window
    expect(cb.predictsNoBid(99)).toBe(false);
  });

  it('observe + blockReasons produce the blocked map, with an exploration ping for predicted no-bidders', () => {
    const cb = createCircuitBreaker({ failureThreshold: 2, noBidProbeEvery: 3 });
    const outcome = (targetId: number, rejectionReason: string | null, httpStatus: number | null, isValid = false) =>
      targetOutcome(targetId, { status: isValid ? 'bid' : 'rejected', isValid, rejectionReason, httpStatus, responseTimeMs: 20 });
    for (let i = 0; i < 10; i++) cb.observe([outcome(1, 'http_500', 500), outcome(2, 'below_min_bid', 200), outcome(3, null, 200, true)], 0);
    const seen = [0, 1, 2, 3, 4, 5].map((i) => cb.blockReasons([1, 2, 3], 100 + i));
    expect(seen.every((m) => m.get(1) === 'circuit_open')).toBe(true);
    expect(seen.every((m) => !m.has(3))).toBe(true);
    // Predicted no-bid, but every third skip lets it through.
    expect(seen.map((m) => m.get(2) ?? null)).toEqual(['predicted_no_bid', 'predicted_no_bid', null, 'predicted_no_bid', 'predicted_no_bid', null]);
  });
});

describe('circuit breaker: timeouts that were not the target\'s', () => {
  const timedOut = (targetId: number, responseTimeMs: number | null) => targetOutcome(targetId, { rejectionReason: 'timeout', responseTimeMs });

  it('a timeout cut short by the auction (less than the target\'s own timeout) is not a failure; one that used it all is', () => {
    const cb = createCircuitBreaker({ failureThreshold: 2 });
    const timeouts = new Map([
      [1, 500],
      [2, 500],
    ]);
    // Target 1 was left 120 ms of its 500 (queued in the fan-out, or a shorter biddingTimeoutMs).
    for (let i = 0; i < 5; i++) cb.observe([timedOut(1, 120), timedOut(2, 500.3)], 0, timeouts);
    expect(cb.state(1, 1)).toBe('closed');
    expect(cb.state(2, 1)).toBe('open');
    // Nor does a cut-short timeout count as a ping without a bid.
    for (let i = 0; i < 20; i++) cb.observe([timedOut(1, 120)], 0, timeouts);
    expect(cb.predictsNoBid(1)).toBe(false);
    // Without the targets' timeouts every timeout counts, as before.
    cb.observe([timedOut(1, 120)], 0);
    cb.observe([timedOut(1, 120)], 0);
    expect(cb.state(1, 1)).toBe('open');
  });
});

describe('decideAuction', () => {
  const ctx = makeContext();
  const answer = (targetId: number, over: Partial<RawAnswer> = {}): RawAnswer => ({
    targetId,
    ok: true,
    status: 200,
    body: null,
    errorKind: null,
    responseTimeMs: 50,
    late: false,
    ...over,
  });

  it('one outcome per target in input order, statuses by kind, the best valid bid wins', () => {
    const targets = [1, 2, 3, 4, 5, 6, 7].map((id) => makeTarget({ id }));
    const filtered = new Map([[6, 'state_excluded']]);
    const answers = [
      answer(1, { body: bidBody(10) }),
      answer(2, { body: bidBody(40), late: true }), // late: never wins
      answer(3, { status: 500, body: 'oops' }),
      answer(4, { ok: false, status: null, errorKind: 'connect_error' }),
      answer(5, { body: bidBody(500) }), // above max
      // 7 has no answer at all: a timeout
    ];
    const d = decideAuction(targets, ctx, makeSettings(), filtered, answers);
    expect(d.outcomes.map((o) => [o.targetId, o.status, o.rejectionReason, o.isWinner])).toEqual([
      [1, 'bid', null, true],
      [2, 'timeout', 'timeout', false],
      [3, 'error', 'http_500', false],
      [4, 'error', 'connect_error', false],
      [5, 'rejected', 'above_max_bid', false],
      [6, 'filtered', 'state_excluded', false],
      [7, 'timeout', 'timeout', false],
    ]);
    expect(d.status).toBe('won');
    expect(d.winner).toEqual({ targetId: 1, bidAmount: 10, price: 10, destination: '+19876543210', currency: 'USD', durationSec: null });
  });

  it('second price over the valid bids only', () => {
    const targets = [makeTarget({ id: 1, minBidAmount: 2 }), makeTarget({ id: 2 }), makeTarget({ id: 3 })];
    const answers = [answer(1, { body: bidBody(30) }), answer(2, { body: bidBody(25, 'bad') }), answer(3, { body: bidBody(12) })];
    const d = decideAuction(targets, ctx, makeSettings({ auctionType: 'second_price' }), new Map(), answers);
    expect(d.winner).toMatchObject({ targetId: 1, bidAmount: 30, price: 12 });
  });

  it('no eligible targets / insufficient bidders / no valid bids', () => {
    const targets = [makeTarget({ id: 1 }), makeTarget({ id: 2 })];
    const all = decideAuction(targets, ctx, makeSettings(), new Map([[1, 'inactive'], [2, 'cap_reached']]), []);
    expect(all.status).toBe('no_eligible_targets');
    expect(all.outcomes.map((o) => o.rejectionReason)).toEqual(['inactive', 'cap_reached']);

    const few = decideAuction(targets, ctx, makeSettings({ minBiddersRequired: 2 }), new Map([[1, 'inactive']]), []);
    expect(few.status).toBe('insufficient_bidders');
    expect(few.outcomes.map((o) => [o.status, o.rejectionReason])).toEqual([
      ['filtered', 'inactive'],
      ['filtered', 'insufficient_bidders'],
    ]);

    const none = decideAuction(targets, ctx, makeSettings(), new Map(), [answer(1, { status: 204 }), answer(2, { body: '{' })]);
    expect(none.status).toBe('no_valid_bids');
    expect(none.winner).toBeNull();
    expect(none.outcomes.every((o) => !o.isWinner)).toBe(true);
  });

  it('is a pure function of its inputs: a replay gives the identical decision', () => {
    const targets = [1, 2, 3].map((id) => makeTarget({ id, priority: 4 - id }));
    const answers = [answer(1, { body: bidBody(20) }), answer(2, { body: bidBody(20), responseTimeMs: 10 }), answer(3, { body: bidBody(20) })];
    const first = decideAuction(targets, ctx, makeSettings(), new Map(), answers);
    const replay = decideAuction(structuredClone(targets), ctx, makeSettings(), new Map(), structuredClone(answers));
    expect(replay).toEqual(first);
    expect(first.winner?.targetId).toBe(3); // equal bids: priority 1 is target 3
  });

  it('redacts the auth token in the audit response body too, and truncates it', () => {
    const target = makeTarget({ id: 1, authMethod: 'bearer', authToken: 'tok-SECRET-1' });
    const d = decideAuction([target], ctx, makeSettings(), new Map(), [answer(1, { status: 400, body: `echo tok-SECRET-1 ${'x'.repeat(10_000)}` })]);
    expect(d.outcomes[0]?.auditResponseBody).toContain('echo [REDACTED]');
    expect(Buffer.byteLength(d.outcomes[0]?.auditResponseBody ?? '')).toBeLessThanOrEqual(4096);
  });
});
