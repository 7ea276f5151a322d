// Two Ajv instances: bodies are validated exactly as sent (no coercion, no stripping), while
// path/query/header values (always strings on the wire) are coerced to the declared types.
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

const OPENAPI_KEYWORDS = ['example', 'discriminator', 'xml', 'externalDocs'];

function createAjv(coerceTypes: false | 'array'): Ajv2020.default {
  const ajv = new Ajv2020.default({
    strict: true,
    strictRequired: false,
    allErrors: true,
    coerceTypes,
    removeAdditional: false,
    useDefaults: false,
    allowUnionTypes: true,
  });
  addFormats.default(ajv);
  for (const keyword of OPENAPI_KEYWORDS) ajv.addKeyword({ keyword });
  return ajv;
}

export function installValidators(app: FastifyInstance): void {
  const bodyAjv = createAjv(false);
  const paramAjv = createAjv('array');
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? bodyAjv : paramAjv;
    return ajv.compile(schema as object);
  });
}
