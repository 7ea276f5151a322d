// The dialer's schedule rules (pure): calling hours in the lead's local time, clamped to
// 08:00–21:00 (a window past midnight in two pieces), across DST changes; the retry policy read from seed 002's and seed 004's shapes.
import { describe, expect, it } from 'vitest';
import { callablePieces, isCallable, nextCallableTime, type CallingWindow } from '../../server/dialer/schedule/calling-hours.js';
import {
  applySeed004,
  DEFAULT_RETRY_POLICY,
  fromSeed002,
  nextRetryAt,
  retryPolicyProblem,
  toSeed002,
  toSeed004,
} from '../../server/dialer/schedule/retry-policy.js';

const WEEKDAYS: CallingWindow = { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' };
const utc = (iso: string) => new Date(iso);

describe('calling hours in the lead\'s local time', () => {
  it('the same instant is callable in New York and not in Los Angeles', () => {
    const at = utc('2026-03-04T14:30:00Z'); // Wednesday: 09:30 in New York, 06:30 in Los Angeles
    expect(isCallable(at, 'America/New_York', WEEKDAYS)).toBe(true);
    expect(isCallable(at, 'America/Los_Angeles', WEEKDAYS)).toBe(false);
    expect(nextCallableTime(at, 'America/Los_Angeles', WEEKDAYS)).toEqual(utc('2026-03-04T17:00:00Z'));
  });

  it('never outside 08:00–21:00 local, whatever the campaign says', () => {
    const always: CallingWindow = { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '23:59' };
    expect(callablePieces(always)).toEqual([{ start: 480, end: 1260, dayAfter: false }]);
    expect(isCallable(utc('2026-06-10T11:59:00Z'), 'America/New_York', always)).toBe(false); // 07:59 EDT
    expect(isCallable(utc('2026-06-10T12:00:00Z'), 'America/New_York', always)).toBe(true); // 08:00
    expect(isCallable(utc('2026-06-11T00:59:00Z'), 'America/New_York', always)).toBe(true); // 20:59
    expect(isCallable(utc('2026-06-11T01:00:00Z'), 'America/New_York', always)).toBe(false); // 21:00
    expect(callablePieces({ start: '21:30', end: '23:00' })).toEqual([]);
    expect(callablePieces({ start: '22:00', end: '07:00' })).toEqual([]);
    expect(nextCallableTime(utc('2026-06-10T12:00:00Z'), 'UTC', { days: [1], start: '22:00', end: '23:00' })).toBeNull();
  });

  it('keeps 09:00 at 09:00 local across the spring and autumn clock changes', () => {
    // New York springs forward on 2026-03-08 (Sunday) and falls back on 2026-11-01 (Sunday).
    const daily: CallingWindow = { days: [1, 2, 3, 4, 5, 6, 7], start: '09:00', end: '17:00' };
    expect(nextCallableTime(utc('2026-03-07T23:00:00Z'), 'America/New_York', daily)).toEqual(utc('2026-03-08T13:00:00Z')); // 09:00 EDT
    expect(nextCallableTime(utc('2026-03-06T23:00:00Z'), 'America/New_York', daily)).toEqual(utc('2026-03-07T14:00:00Z')); // 09:00 EST
    expect(nextCallableTime(utc('2026-10-31T23:00:00Z'), 'America/New_York', daily)).toEqual(utc('2026-11-01T14:00:00Z')); // 09:00 EST
  });

  it('skips to the next allowed day (a Friday evening waits for Monday) and reads seed 002\'s HH:MM:SS', () => {
    const friday = utc('2026-03-06T23:00:00Z'); // Friday 18:00 in New York
    const window: CallingWindow = { days: [1, 2, 3, 4, 5], start: '09:00:00', end: '17:00:00' };
    expect(nextCallableTime(friday, 'America/New_York', window)).toEqual(utc('2026-03-09T13:00:00Z')); // Monday 09:00 EDT
    expect(nextCallableTime(friday, 'Asia/Kolkata', window)).toEqual(utc('2026-03-09T03:30:00Z')); // Monday 09:00 IST
  });

  it('a window past midnight is the evening of a calling day and the morning after it, each clamped to 08:00–21:00', () => {
    // Monday to Friday, 19:00–09:00 in New York: Monday to Friday 19:00–21:00, Tuesday to Saturday 08:00–09:00.
    const overnight: CallingWindow = { days: [1, 2, 3, 4, 5], start: '19:00', end: '09:00' };
    expect(callablePieces(overnight)).toEqual([
      { start: 1140, end: 1260, dayAfter: false },
      { start: 480, end: 540, dayAfter: true },
    ]);
    expect(isCallable(utc('2026-06-08T23:30:00Z'), 'America/New_York', overnight)).toBe(true); // Monday 19:30 EDT
    expect(isCallable(utc('2026-06-09T01:00:00Z'), 'America/New_York', overnight)).toBe(false); // Monday 21:00
    expect(isCallable(utc('2026-06-09T12:30:00Z'), 'America/New_York', overnight)).toBe(true); // Tuesday 08:30
    expect(isCallable(utc('2026-06-08T12:30:00Z'), 'America/New_York', overnight)).toBe(false); // Monday 08:30: Sunday is no calling day
    expect(isCallable(utc('2026-06-13T12:30:00Z'), 'America/New_York', overnight)).toBe(true); // Saturday 08:30, after Friday
    expect(nextCallableTime(utc('2026-06-09T01:00:00Z'), 'America/New_York', overnight)).toEqual(utc('2026-06-09T12:00:00Z')); // Tuesday 08:00
    expect(nextCallableTime(utc('2026-06-09T14:00:00Z'), 'America/New_York', overnight)).toEqual(utc('2026-06-09T23:00:00Z')); // Tuesday 19:00
    expect(nextCallableTime(utc('2026-06-13T14:00:00Z'), 'America/New_York', overnight)).toEqual(utc('2026-06-15T23:00:00Z')); // Monday 19:00
    // 19:00–02:00: only the evening is legal.
    const late: CallingWindow = { days: [1, 2, 3, 4, 5, 6, 7], start: '19:00', end: '02:00' };
    expect(callablePieces(late)).toEqual([{ start: 1140, end: 1260, dayAfter: false }]);
    expect(nextCallableTime(utc('2026-06-09T02:00:00Z'), 'America/New_York', late)).toEqual(utc('2026-06-09T23:00:00Z')); // Monday 22:00 → Tuesday 19:00
  });

  it('refuses an unknown time zone loudly', () => {
    expect(() => isCallable(utc('2026-03-06T23:00:00Z'), 'Mars/Olympus', WEEKDAYS)).toThrow(RangeError);
  });
});

describe('the retry policy', () => {
  it('reads seed 002\'s shape: one count and delay for every outcome it retries', () => {
    const policy = fromSeed002({ maxAttempts: 3, delayMinutes: 60, retryOnNoAnswer: true, retryOnBusy: true, retryOnVoicemail: false });
    expect(policy).toEqual({
      no_answer: { maxAttempts: 3, initialDelaySec: 3600, backoffMultiplier: 1 },
      busy: { maxAttempts: 3, initialDelaySec: 3600, backoffMultiplier: 1 },
      failed: { maxAttempts: 3, initialDelaySec: 3600, backoffMultiplier: 1 },
      voicemail: null,
    });
    expect(toSeed002(policy)).toEqual({ maxAttempts: 3, delayMinutes: 60, retryOnNoAnswer: true, retryOnBusy: true, retryOnVoicemail: false });
  });

  it('applies seed 004\'s per-outcome update to what is stored, field by field', () => {
    const updated = applySeed004(DEFAULT_RETRY_POLICY, { no_answer: { maxAttempts: 5, initialDelay: 600_000 }, voicemail: { maxAttempts: 2 }, busy: null });
    expect(updated.no_answer).toEqual({ maxAttempts: 5, initialDelaySec: 600, backoffMultiplier: 1 });
    expect(updated.busy).toBeNull();
    expect(updated.voicemail).toEqual({ maxAttempts: 2, initialDelaySec: 3600, backoffMultiplier: 1 });
    expect(updated.failed).toEqual(DEFAULT_RETRY_POLICY.failed);
    expect(toSeed004(updated).no_answer).toEqual({ maxAttempts: 5, initialDelay: 600_000, backoffMultiplier: 1 });
  });

  it('schedules the k-th retry after initialDelay × backoff^(k−1), and stops at maxAttempts', () => {
    const policy = applySeed004(DEFAULT_RETRY_POLICY, { no_answer: { maxAttempts: 3, initialDelay: 300_000, backoffMultiplier: 2 } });
    const now = utc('2026-03-04T12:00:00Z');
    expect(nextRetryAt(policy, 'no_answer', 1, now)).toEqual(utc('2026-03-04T12:05:00Z'));
    expect(nextRetryAt(policy, 'no_answer', 2, now)).toEqual(utc('2026-03-04T12:10:00Z'));
    expect(nextRetryAt(policy, 'no_answer', 3, now)).toBeNull();
    expect(nextRetryAt(policy, 'voicemail', 1, now)).toBeNull();
  });

  it('names the field that is out of bounds', () => {
    expect(retryPolicyProblem(DEFAULT_RETRY_POLICY)).toBeNull();
    expect(retryPolicyProblem(applySeed004(DEFAULT_RETRY_POLICY, { busy: { maxAttempts: 0 } }))).toMatchObject({ field: 'busy.maxAttempts' });
    expect(retryPolicyProblem(applySeed004(DEFAULT_RETRY_POLICY, { failed: { backoffMultiplier: 0.5 } }))).toMatchObject({ field: 'failed.backoffMultiplier' });
    expect(retryPolicyProblem(applySeed004(DEFAULT_RETRY_POLICY, { no_answer: { initialDelay: -5000 } }))).toMatchObject({ field: 'no_answer.initialDelay' });
  });
});
