// Barge-in (pure): what was heard of each part of an answer. One answer may be spoken as several
// assistant turns (the text before a round of tool calls, then the next round's), while Twilio's
// `utteranceUntilInterrupt` is what was heard of all of it; each part gets its slice of that, in
// order, and the last part also whatever is left over.

/** What was heard of each of `parts` (said one after the other) when `spoken` was heard in all. */
export function splitSpoken(parts: readonly string[], spoken: string): string[] {
  let offset = 0;
  return parts.map((part, i) => {
    const heard = i === parts.length - 1 ? spoken.slice(offset) : spoken.slice(offset, offset + part.length);
    offset += part.length;
    return heard;
  });
}

/**
 * The parts a barge-in cuts, with what was heard of each: from the first part not heard whole to
 * the last (those after it were not heard at all); when every part was heard whole, the last one
 * (the caller spoke as it ended).
 */
export function cutsOf(parts: readonly string[], spoken: string): { index: number; heard: string }[] {
  if (parts.length === 0) return [];
  const heard = splitSpoken(parts, spoken);
  const first = heard.findIndex((h, i) => h !== parts[i]);
  const from = first === -1 ? parts.length - 1 : first;
  return heard.slice(from).map((h, i) => ({ index: from + i, heard: h }));
}
