// The simulator's record of what it did (`actions()`): every operation, in order, with the
// parameters the Twilio adapter would have sent and the TwiML of a call update. Also the sids it
// makes up (PNsim… / REsim…, 34 characters like Twilio's). In memory: a log of this process, its
// latest ACTION_LOG_LIMIT actions.
import { randomBytes } from 'node:crypto';

export type SimulatorOperation =
  | 'search_numbers'
  | 'purchase_number'
  | 'configure_number'
  | 'release_number'
  | 'transfer'
  | 'hold'
  | 'resume'
  | 'mute'
  | 'unmute'
  | 'start_recording'
  | 'stop_recording'
  | 'hangup'
  | 'redirect'
  | 'place_call';

export type ActionDetail = string | number | boolean | null;

export interface SimulatorAction {
  /** 1, 2, 3… in the order the actions were taken. */
  readonly seq: number;
  /** ISO timestamp from `now()`. */
  readonly at: string;
  readonly operation: SimulatorOperation;
  readonly callSid?: string;
  readonly numberSid?: string;
  readonly recordingSid?: string;
  /** The parameters as the Twilio adapter would send them, and what changed. */
  readonly details: Readonly<Record<string, ActionDetail>>;
  /** The TwiML the Twilio adapter would have sent with this call update. */
  readonly twiml?: string;
}

export interface ActionLog {
  record(action: Omit<SimulatorAction, 'seq' | 'at'>): void;
  /** Every action so far, oldest first (a copy). */
  actions(): SimulatorAction[];
}

/** The most actions the log keeps: the latest ones (a demo server placing calls for days must not grow without end). */
export const ACTION_LOG_LIMIT = 10_000;

export function createActionLog(now: () => Date): ActionLog {
  let log: SimulatorAction[] = [];
  let seq = 0;
  return {
    record(action) {
      seq += 1;
      log.push(Object.freeze({ seq, at: now().toISOString(), ...action, details: Object.freeze({ ...action.details }) }));
      // Trimmed in steps of a tenth: one copy per thousand actions, not one per action.
      if (log.length > ACTION_LOG_LIMIT + ACTION_LOG_LIMIT / 10) log = log.slice(-ACTION_LOG_LIMIT);
    },
    actions: () => log.slice(-ACTION_LOG_LIMIT),
  };
}

export function defaultRandom(): number {
  return randomBytes(6).readUIntBE(0, 6) / 2 ** 48;
}

export type SidMaker = (prefix: 'PNsim' | 'REsim', taken: (sid: string) => boolean) => string;

/** Sids from `random` (in [0, 1)): the prefix and 29 hex digits, never one `taken` says is used. */
export function sidMaker(random: () => number): SidMaker {
  return (prefix, taken) => {
    for (;;) {
      let hex = '';
      for (let i = 0; i < 29; i += 1) hex += Math.min(15, Math.floor(random() * 16)).toString(16);
      const sid = prefix + hex;
      if (!taken(sid)) return sid;
    }
  };
}
