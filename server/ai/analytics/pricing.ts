// The price of one AI call by component (pure): usage and rates in, money out.
//
// Billing rules (docs/ai-analytics.md):
// - telephony: per STARTED minute of the call, as carriers bill (61 s = 2 minutes; 0 s = nothing);
// - speech-to-text: per second of caller speech (`sttSeconds / 60 × sttPerMinute`);
// - model: prompt tokens / 1,000 × llmInputPer1kTokens + completion tokens / 1,000 × llmOutputPer1kTokens;
// - text-to-speech: characters / 1,000 × ttsPer1kCharacters.
// Each component is rounded half-up to 4 decimals (0.0001, the `numeric(12, 4)` it is stored in);
// `total` is the sum of the rounded components, so a breakdown always adds up to its total.
// A quantity that is negative or not a finite number counts as 0.
import type { AiRates } from '../../platform/ai-config.js';
import { roundMoney } from '../../platform/common/money.js';

export interface CallUsage {
  /** The call's length, seconds (0 for a text session). */
  callSeconds: number;
  /** Caller speech turned into text, seconds. */
  sttSeconds: number;
  promptTokens: number;
  completionTokens: number;
  /** Characters spoken by the agent. */
  ttsCharacters: number;
}

export interface CostBreakdown {
  telephony: number;
  stt: number;
  llm: number;
  tts: number;
  total: number;
}


const quantity = (n: number): number => (Number.isFinite(n) && n > 0 ? n : 0);

/** Minutes billed for a call of `seconds`: every started minute. */
export function billedMinutes(seconds: number): number {
  return Math.ceil(quantity(seconds) / 60);
}

export function priceCall(usage: CallUsage, rates: Readonly<AiRates>): CostBreakdown {
  const telephony = roundMoney(billedMinutes(usage.callSeconds) * rates.telephonyPerMinute);
  const stt = roundMoney((quantity(usage.sttSeconds) / 60) * rates.sttPerMinute);
  const llm = roundMoney((quantity(usage.promptTokens) / 1000) * rates.llmInputPer1kTokens + (quantity(usage.completionTokens) / 1000) * rates.llmOutputPer1kTokens);
  const tts = roundMoney((quantity(usage.ttsCharacters) / 1000) * rates.ttsPer1kCharacters);
  return { telephony, stt, llm, tts, total: roundMoney(telephony + stt + llm + tts) };
}
