// The repository root, whether this runs from the sources (server/) or a build (dist/server/):
// the nearest folder above this file that holds package.json.
import { existsSync } from 'node:fs';

function findRoot(): URL {
  let folder = new URL('../../', import.meta.url);
  for (;;) {
    if (existsSync(new URL('package.json', folder))) return folder;
    const parent = new URL('../', folder);
    if (parent.href === folder.href) throw new Error(`no package.json above ${import.meta.url}`);
    folder = parent;
  }
}

/** A URL ending in `/` for the folder that holds package.json and openapi.yaml. */
export const PROJECT_ROOT: URL = findRoot();
