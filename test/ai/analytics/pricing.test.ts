// The pure price of one AI call: billing rules and rounding, case by case.
import { describe, expect, it } from 'vitest';
import { DEFAULT_AI_RATES, type AiRates } from '../../../server/platform/ai-config.js';
import { billedMinutes, type CallUsage, priceCall } from '../../../server/ai/analytics/pricing.js';
import { roundMoney } from '../../../server/platform/common/money.js';

const none: CallUsage = { callSeconds: 0, sttSeconds: 0, promptTokens: 0, completionTokens: 0, ttsCharacters: 0 };
const CUSTOM: AiRates = { telephonyPerMinute: 0.01, sttPerMinute: 0.02, llmInputPer1kTokens: 0.5, llmOutputPer1kTokens: 1.5, ttsPer1kCharacters: 0.25 };

// [label, usage, rates, expected {telephony, stt, llm, tts, total}]
const cases: Array<[string, Partial<CallUsage>, AiRates, [number, number, number, number, number]]> = [
  ['nothing used costs nothing', {}, DEFAULT_AI_RATES, [0, 0, 0, 0, 0]],
  ['1 second of call is a started minute', { callSeconds: 1 }, DEFAULT_AI_RATES, [0.014, 0, 0, 0, 0.014]],
  ['60 seconds is one minute', { callSeconds: 60 }, DEFAULT_AI_RATES, [0.014, 0, 0, 0, 0.014]],
  ['61 seconds are two minutes', { callSeconds: 61 }, DEFAULT_AI_RATES, [0.028, 0, 0, 0, 0.028]],
  ['an hour', { callSeconds: 3600 }, DEFAULT_AI_RATES, [0.84, 0, 0, 0, 0.84]],
  ['speech-to-text per second (90 s = 1.5 min)', { sttSeconds: 90 }, DEFAULT_AI_RATES, [0, 0.036, 0, 0, 0.036]],
  ['speech-to-text of a fraction of a second', { sttSeconds: 12.5 }, DEFAULT_AI_RATES, [0, 0.005, 0, 0, 0.005]],
  // 0.00015 + 0.0006 is 0.0007499999999999999 in binary: still half-up to 0.0008.
  ['tokens: a half rounds up despite binary noise', { promptTokens: 1000, completionTokens: 1000 }, DEFAULT_AI_RATES, [0, 0, 0.0008, 0, 0.0008]],
  ['tokens below a half round down', { promptTokens: 300 }, DEFAULT_AI_RATES, [0, 0, 0, 0, 0]],
  ['text-to-speech per 1,000 characters', { ttsCharacters: 500 }, DEFAULT_AI_RATES, [0, 0, 0, 0.015, 0.015]],
  [
    'a whole call: the total is the sum of the rounded components',
    { callSeconds: 61, sttSeconds: 45, promptTokens: 1200, completionTokens: 300, ttsCharacters: 500 },
    DEFAULT_AI_RATES,
    [0.028, 0.018, 0.0004, 0.015, 0.0614],
  ],
  [
    'configured rates',
    { callSeconds: 125, sttSeconds: 30, promptTokens: 2000, completionTokens: 100, ttsCharacters: 1234 },
    CUSTOM,
    [0.03, 0.01, 1.15, 0.3085, 1.4985],
  ],
  ['negative and non-finite quantities count as 0', { callSeconds: -5, sttSeconds: Number.NaN, promptTokens: Number.POSITIVE_INFINITY, completionTokens: -1, ttsCharacters: -100 }, CUSTOM, [0, 0, 0, 0, 0]],
  ['zero rates price nothing', { callSeconds: 600, sttSeconds: 600, promptTokens: 9999, completionTokens: 9999, ttsCharacters: 9999 }, { telephonyPerMinute: 0, sttPerMinute: 0, llmInputPer1kTokens: 0, llmOutputPer1kTokens: 0, ttsPer1kCharacters: 0 }, [0, 0, 0, 0, 0]],
];

describe('priceCall', () => {
  it.each(cases)('%s', (_label, usage, rates, [telephony, stt, llm, tts, total]) => {
    expect(priceCall({ ...none, ...usage }, rates)).toEqual({ telephony, stt, llm, tts, total });
  });

  it('always adds up: total = telephony + stt + llm + tts (to the 4th decimal)', () => {
    for (let i = 1; i < 200; i++) {
      const c = priceCall({ callSeconds: i * 7, sttSeconds: i * 3.3, promptTokens: i * 131, completionTokens: i * 17, ttsCharacters: i * 59 }, CUSTOM);
      expect(Math.round((c.telephony + c.stt + c.llm + c.tts) * 10_000)).toBe(Math.round(c.total * 10_000));
    }
  });
});

describe('billedMinutes (telephony: every started minute)', () => {
  it.each([
    [0, 0],
    [0.2, 1],
    [59, 1],
    [60, 1],
    [60.001, 2],
    [120, 2],
    [-3, 0],
  ])('%s s → %s min', (seconds, minutes) => {
    expect(billedMinutes(seconds)).toBe(minutes);
  });
});

describe('roundMoney (half-up to 4 decimals)', () => {
  it.each([
    [0.00005, 0.0001],
    [0.0000499, 0],
    [1.23455, 1.2346],
    [1.23454, 1.2345],
    [0.1 + 0.2, 0.3],
    [0.00015 * 3, 0.0005],
    [2.5, 2.5],
    [Number.NaN, 0],
    [-0.00005, -0.0001],
    [-0.00001, 0],
  ])('%s → %s', (value, rounded) => {
    expect(Object.is(roundMoney(value), rounded)).toBe(true);
  });
});
