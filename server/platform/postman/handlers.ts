// GET /api/postman-collection: the Postman collection generated from openapi.yaml at build time
// (scripts/generate-postman-collection.ts, `npm run generate`), read once at start-up.
import { readFileSync } from 'node:fs';
import type { components } from '../../../client/schema.js';
import type { HandlerGroup } from '../../handler-types.js';
import { PROJECT_ROOT } from '../project-root.js';

/** From the project root: a build (dist/server) reads the same generated file as the sources. */
export const POSTMAN_COLLECTION_PATH = new URL('server/generated/postman-collection.json', PROJECT_ROOT);

type PostmanCollection = components['schemas']['PostmanCollection'];

export function createPostmanHandlers(): HandlerGroup<'getPostmanCollection'> {
  // Read at start-up: a missing or broken generated file fails the start, not a request.
  const collection = JSON.parse(readFileSync(POSTMAN_COLLECTION_PATH, 'utf8')) as PostmanCollection;
  return {
    async getPostmanCollection() {
      return { status: 200, body: collection };
    },
  };
}
