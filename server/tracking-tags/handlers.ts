// PLACEHOLDER (being implemented): tracking tags and the DNI snippet.
import { ERRORS } from '../errors.js';
import type { Deps, HandlerGroup } from '../handler-types.js';

type TagOps = 'listTrackingTags' | 'createTrackingTag' | 'getTrackingTag' | 'updateTrackingTag' | 'deleteTrackingTag' | 'getDniSnippet';

export function createTrackingTagHandlers(_deps: Deps): HandlerGroup<TagOps> {
  const todo = async (): Promise<never> => {
    throw ERRORS.internal();
  };
  return { listTrackingTags: todo, createTrackingTag: todo, getTrackingTag: todo, updateTrackingTag: todo, deleteTrackingTag: todo, getDniSnippet: todo };
}
