// PLACEHOLDER (being implemented): tracking pixels.
import { ERRORS } from '../errors.js';
import type { Deps, HandlerGroup } from '../handler-types.js';

type PixelOps = 'listTrackingPixels' | 'createTrackingPixel' | 'getTrackingPixel' | 'updateTrackingPixel' | 'deleteTrackingPixel';

export function createPixelHandlers(_deps: Deps): HandlerGroup<PixelOps> {
  const todo = async (): Promise<never> => {
    throw ERRORS.internal();
  };
  return { listTrackingPixels: todo, createTrackingPixel: todo, getTrackingPixel: todo, updateTrackingPixel: todo, deleteTrackingPixel: todo };
}
