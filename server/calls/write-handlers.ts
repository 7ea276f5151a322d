// PLACEHOLDER (being implemented): create / correct calls.
import { ERRORS } from '../errors.js';
import type { Deps, HandlerGroup } from '../handler-types.js';

export function createCallWriteHandlers(_deps: Deps): HandlerGroup<'createCall' | 'updateCall' | 'listCallCorrections'> {
  const todo = async (): Promise<never> => {
    throw ERRORS.internal();
  };
  return { createCall: todo, updateCall: todo, listCallCorrections: todo };
}
