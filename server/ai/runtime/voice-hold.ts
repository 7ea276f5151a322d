// A voice conversation is held by the socket that runs it (ai_conversations.busy_until, the hold a
// text conversation takes per message, migration 0053): taken when `setup` opens or resumes it,
// renewed every third of its length while the socket is open and until the conversation is
// finished. A second socket for the same call meanwhile is refused (two sessions answering one
// conversation would write the same turn numbers, and one's turns would be lost); a socket that
// finds the hold lapsed (the server holding it died) goes on with the conversation.
import type { Db } from '../../../db/types.js';
import { renewConversationHold } from './queries.js';

/** How long a voice conversation's hold lasts without a renewal (seconds). */
export const VOICE_HOLD_SEC = 60;

export interface VoiceHold {
  /** Stops renewing (the hold then lapses, or the conversation's end clears it); waits for a renewal in flight. */
  stop(): Promise<void>;
}

export function keepVoiceHold(db: Db, orgId: string, conversationId: string, holdSec = VOICE_HOLD_SEC, onError: (err: unknown) => void = () => {}): VoiceHold {
  let inFlight: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (inFlight) return;
    inFlight = renewConversationHold(db, orgId, conversationId, holdSec)
      .catch(onError)
      .finally(() => {
        inFlight = null;
      });
  }, Math.max(1, Math.floor((holdSec * 1000) / 3)));
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
    },
  };
}
