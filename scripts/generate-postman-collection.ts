// Generates server/generated/postman-collection.json (a Postman v2.1 collection) from openapi.yaml
// with openapi-to-postmanv2, then presets the API-key auth: collection-level `bearer` with an
// `{{apiKey}}` variable, `{{baseUrl}}` for the server, public and Twilio-signed operations without
// auth. The output is deterministic (no random ids, a seeded faker), so it is committed and
// `--check` fails when it is stale, like client/schema.d.ts.
//
//   npx tsx scripts/generate-postman-collection.ts           # write the file
//   npx tsx scripts/generate-postman-collection.ts --check   # exit 1 when the file is stale
import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';

const SPEC = 'openapi.yaml';
const OUT = 'server/generated/postman-collection.json';
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
interface Operation {
  security?: Record<string, string[]>[];
}
interface Spec {
  security?: Record<string, string[]>[];
  paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
}

/**
 * `GET /api/campaigns/{id}`: how an operation and a Postman request are both keyed. Postman writes
 * a whole-segment path parameter as `:id` and one inside a segment (`{tagCode}.js`) as a variable.
 */
export function requestKey(method: string, pathSegments: readonly string[]): string {
  const path = pathSegments.map((s) => s.replace(/^:(\w+)$/, '{$1}').replace(/\{\{(\w+)\}\}/g, '{$1}')).join('/');
  return `${method.toUpperCase()} /${path}`;
}
function operationKey(method: string, path: string): string {
  return `${method.toUpperCase()} ${path}`;
}

/** Operations that take no API key: `security: []`, or only the Twilio signature. */
function operationsWithoutApiKey(spec: Spec): Set<string> {
  const keys = new Set<string>();
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const security = op.security ?? spec.security ?? [];
      if (!security.some((requirement) => 'apiKey' in requirement)) keys.add(operationKey(method, path));
    }
  }
  return keys;
}

/** Drop Postman's random ids and the saved example responses (the spec and /docs carry those). */
function strip(value: Json): Json {
  if (Array.isArray(value)) return value.map(strip);
  if (value === null || typeof value !== 'object') return value;
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === 'id' || key === '_postman_id' || key === 'response') continue;
    out[key] = strip(v);
  }
  return out;
}

/** Each request inherits the collection's bearer auth, or has none where the API wants none. */
function presetRequestAuth(items: Json[], noApiKey: Set<string>): void {
  for (const item of items as JsonObject[]) {
    if (Array.isArray(item.item)) presetRequestAuth(item.item, noApiKey);
    const request = item.request as JsonObject | undefined;
    if (!request) continue;
    const url = request.url as { path: string[] };
    delete request.auth;
    if (noApiKey.has(requestKey(String(request.method), url.path))) request.auth = { type: 'noauth' };
  }
}

/**
 * A small seeded PRNG: json-schema-faker (inside the converter) draws example values for
 * parameters without an example with Math.random, which it captures when it is loaded.
 */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function convert(data: string): Promise<JsonObject> {
  const random = Math.random;
  Math.random = seeded(2025);
  try {
    const { convertV2 } = await import('openapi-to-postmanv2');
    return await new Promise<JsonObject>((resolve, reject) => {
      convertV2(
        { type: 'string', data },
        { folderStrategy: 'Tags', parametersResolution: 'Example', alwaysInheritAuthentication: true, includeAuthInfoInExample: false },
        (err, result) => {
          if (err) return reject(new Error(`openapi-to-postmanv2: ${err.message}`));
          const collection = result?.output?.[0];
          if (!result?.result || collection?.type !== 'collection') return reject(new Error(`openapi-to-postmanv2: ${result?.reason ?? 'no collection'}`));
          resolve(collection.data as JsonObject);
        },
      );
    });
  } finally {
    Math.random = random;
  }
}

export async function buildCollection(specText: string): Promise<JsonObject> {
  const spec = parse(specText) as Spec;
  const collection = strip(await convert(specText)) as JsonObject;
  presetRequestAuth(collection.item as Json[], operationsWithoutApiKey(spec));
  const info = collection.info as JsonObject;
  info.description = {
    type: 'text/markdown',
    content:
      'Generated from openapi.yaml. Set the collection variables `baseUrl` (e.g. http://localhost:3000) and ' +
      '`apiKey` (a key from `POST /api/api-keys`, sent as `Authorization: Bearer`).\n\n' +
      String((info.description as JsonObject | undefined)?.content ?? ''),
  };
  collection.auth = { type: 'bearer', bearer: [{ key: 'token', value: '{{apiKey}}', type: 'string' }] };
  const others = (collection.variable as JsonObject[]).filter((v) => v.key !== 'baseUrl' && v.key !== 'apiKey');
  collection.variable = [
    { key: 'baseUrl', value: 'http://localhost:3000', type: 'string' },
    { key: 'apiKey', value: '', type: 'string', description: 'An API key (ccp_live_...) from POST /api/api-keys' },
    ...others,
  ];
  return collection;
}

async function main(): Promise<void> {
  const text = `${JSON.stringify(await buildCollection(readFileSync(SPEC, 'utf8')), null, 1)}\n`;
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(OUT, 'utf8');
    } catch {
      // missing: stale
    }
    if (current !== text) {
      console.error(`${OUT} is stale: run npm run generate`);
      process.exit(1);
    }
    console.log(`${OUT} is up to date`);
    return;
  }
  writeFileSync(OUT, text);
  console.log(`wrote ${OUT}`);
}

await main();
