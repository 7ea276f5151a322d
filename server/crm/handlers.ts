// Every handler of the CRM group (leads, do-not-call, lead imports).
import type { Deps, HandlerGroup } from '../handler-types.js';
import { createDncHandlers } from './dnc/handlers.js';
import { createImportHandlers } from './imports/handlers.js';
import { createLeadHandlers } from './leads/handlers.js';

export function createCrmHandlers(deps: Deps) {
  return { ...createLeadHandlers(deps), ...createDncHandlers(deps), ...createImportHandlers(deps) } satisfies HandlerGroup<
    keyof ReturnType<typeof createLeadHandlers> | keyof ReturnType<typeof createDncHandlers> | keyof ReturnType<typeof createImportHandlers>
  >;
}
