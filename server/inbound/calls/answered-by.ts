// Answering-machine detection results (Twilio's AnsweredBy, calls.answered_by) and which of them
// count as a machine in the call statistics: every `machine_…` result and `fax`; `unknown` is
// neither a person nor a machine. Pure.
import type { AnsweredBy } from '../../../db/types.js';

const IS_MACHINE: Readonly<Record<AnsweredBy, boolean>> = {
  human: false,
  machine_start: true,
  machine_end_beep: true,
  machine_end_silence: true,
  machine_end_other: true,
  fax: true,
  unknown: false,
};

export const MACHINE_ANSWERS: readonly AnsweredBy[] = (Object.keys(IS_MACHINE) as AnsweredBy[]).filter((answer) => IS_MACHINE[answer]);
