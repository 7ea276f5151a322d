// The repository root, whether this runs from the sources (server/) or the build (dist/server/).
import { existsSync } from 'node:fs';

const sourceRoot = new URL('../', import.meta.url);

/** A URL ending in `/` for the folder that holds package.json and openapi.yaml. */
export const PROJECT_ROOT: URL = existsSync(new URL('package.json', sourceRoot)) ? sourceRoot : new URL('../../', import.meta.url);
