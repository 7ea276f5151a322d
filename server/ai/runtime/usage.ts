// Usage estimates for the cost of a conversation (pure), where nothing better is known: tokens
// when the model's stream gives no usage, and seconds of caller speech from the caller's words.

/** A rough tokenizer-free count: about four characters a token (OpenAI's rule of thumb). */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4);
}

/** Conversational speech runs at about 150 words a minute: 2.5 words a second. */
const WORDS_PER_SECOND = 2.5;

/** Seconds of caller speech that produced `text` (at least a second for anything said). */
export function estimateSpeechSeconds(text: string): number {
  const words = text.trim().split(/\s+/).filter(Boolean).length;
  return words === 0 ? 0 : Math.max(1, Math.round((words / WORDS_PER_SECOND) * 1000) / 1000);
}
