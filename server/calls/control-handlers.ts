// PLACEHOLDER (being implemented): call control handlers.
import { ERRORS } from '../errors.js';
import type { Deps, HandlerGroup } from '../handler-types.js';

type ControlOps = 'transferCall' | 'holdCall' | 'resumeCall' | 'muteCall' | 'unmuteCall' | 'startCallRecording' | 'stopCallRecording';

export function createCallControlHandlers(_deps: Deps): HandlerGroup<ControlOps> {
  const todo = async (): Promise<never> => {
    throw ERRORS.internal();
  };
  return { transferCall: todo, holdCall: todo, resumeCall: todo, muteCall: todo, unmuteCall: todo, startCallRecording: todo, stopCallRecording: todo };
}
