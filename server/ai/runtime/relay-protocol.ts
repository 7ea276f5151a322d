// Twilio ConversationRelay's WebSocket messages (pure): what Twilio sends us, read and checked
// (`setup`, `prompt`, `dtmf`, `interrupt`, `error`; anything else is `unknown`), and what we send
// back (`text` tokens, `play`, `sendDigits`, `end` with handoffData as a JSON string).

export interface SetupMessage {
  type: 'setup';
  sessionId: string;
  callSid: string;
  from: string;
  to: string;
  direction: string;
  /** The <Parameter>s of the TwiML that started the session (answer.ts). */
  customParameters: Record<string, string>;
}

export type RelayInbound =
  | SetupMessage
  | { type: 'prompt'; voicePrompt: string; lang: string | null; last: boolean }
  | { type: 'dtmf'; digit: string }
  | { type: 'interrupt'; utteranceUntilInterrupt: string; durationUntilInterruptMs: number | null }
  | { type: 'error'; description: string }
  | { type: 'unknown'; reason: string };

export type RelayOutbound =
  | { type: 'text'; token: string; last: boolean; interruptible: boolean }
  | { type: 'play'; source: string; loop?: number; interruptible: boolean }
  | { type: 'sendDigits'; digits: string }
  | { type: 'end'; handoffData?: string };

/** The largest message we read (a prompt is a sentence or two). */
export const MAX_RELAY_MESSAGE_BYTES = 64 * 1024;

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return out;
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) if (typeof v === 'string') out[key] = v;
  return out;
}

/** One frame from Twilio, read; a frame we cannot read is `unknown` with the reason (never thrown). */
export function readRelayMessage(raw: string): RelayInbound {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return { type: 'unknown', reason: 'not JSON' };
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return { type: 'unknown', reason: 'not a JSON object' };
  const m = data as Record<string, unknown>;
  switch (m.type) {
    case 'setup': {
      const callSid = str(m.callSid);
      if (!callSid) return { type: 'unknown', reason: 'setup without callSid' };
      return {
        type: 'setup',
        sessionId: str(m.sessionId) ?? '',
        callSid,
        from: str(m.from) ?? '',
        to: str(m.to) ?? '',
        direction: str(m.direction) ?? '',
        customParameters: stringRecord(m.customParameters),
      };
    }
    case 'prompt': {
      const voicePrompt = str(m.voicePrompt);
      if (voicePrompt === null) return { type: 'unknown', reason: 'prompt without voicePrompt' };
      return { type: 'prompt', voicePrompt, lang: str(m.lang), last: m.last !== false };
    }
    case 'dtmf': {
      const digit = str(m.digit);
      if (digit === null || !/^[0-9*#A-Da-dw]$/.test(digit)) return { type: 'unknown', reason: 'dtmf without a digit' };
      return { type: 'dtmf', digit };
    }
    case 'interrupt':
      return {
        type: 'interrupt',
        utteranceUntilInterrupt: str(m.utteranceUntilInterrupt) ?? '',
        durationUntilInterruptMs: typeof m.durationUntilInterruptMs === 'number' ? m.durationUntilInterruptMs : null,
      };
    case 'error':
      return { type: 'error', description: str(m.description) ?? '' };
    default:
      return { type: 'unknown', reason: `unknown type ${JSON.stringify(m.type ?? null)}` };
  }
}

export const textToken = (token: string, last: boolean): RelayOutbound => ({ type: 'text', token, last, interruptible: true });
export const playMessage = (source: string): RelayOutbound => ({ type: 'play', source, interruptible: true });
export const sendDigitsMessage = (digits: string): RelayOutbound => ({ type: 'sendDigits', digits });
/** `end`: Twilio ends the session and posts handoffData (a JSON string) to the <Connect> action URL. */
export const endMessage = (handoff: Record<string, unknown> | null): RelayOutbound =>
  handoff === null ? { type: 'end' } : { type: 'end', handoffData: JSON.stringify(handoff) };
