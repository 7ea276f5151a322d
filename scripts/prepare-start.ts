// Run at install time (`npm ci` / `npm install`, through scripts/postinstall.mjs): prepares what the
// first `npm start` would otherwise spend seconds on — the embedded database template (PGlite's
// initdb, ~5 s of CPU) and the parsed contract (openapi.yaml as JSON). Both live in
// node_modules/.cache/callcenter-pro and are rebuilt by the server itself when missing.
import { ensureTemplate, templateName } from '../db/pglite-template.js';
import { cachePath } from '../server/platform/local-cache.js';
import { loadSpec } from '../server/platform/spec.js';

loadSpec();
await ensureTemplate(cachePath(templateName()));
