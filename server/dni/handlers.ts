// PLACEHOLDER (being implemented): DNI assignment, visitor sessions, conversion events.
import { ERRORS } from '../errors.js';
import type { Deps, HandlerGroup } from '../handler-types.js';

type DniOps = 'dniTrack' | 'dniUltraFast' | 'listVisitorSessions' | 'listConversionEvents';

export function createDniHandlers(_deps: Deps): HandlerGroup<DniOps> {
  const todo = async (): Promise<never> => {
    throw ERRORS.internal();
  };
  return { dniTrack: todo, dniUltraFast: todo, listVisitorSessions: todo, listConversionEvents: todo };
}
