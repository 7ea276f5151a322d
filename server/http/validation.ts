// Two Ajv instances: bodies are validated exactly as sent (no coercion, no stripping), while
// path/query/header values (always strings on the wire) are coerced to the declared types.
import Ajv2020 from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv/dist/2020.js';
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

/**
 * When validators are compiled: `eager` at start-up (every schema is checked before the server
 * listens: the tests build the app this way), or `lazy` on each route's first request (the server
 * starts without compiling ~200 operations' schemas it may never see; `npm start` does this).
 */
export type SchemaCompilation = 'eager' | 'lazy';

type DataValidationCxt = Parameters<ValidateFunction>[1];

interface Validate {
  (data: unknown, dataCxt?: DataValidationCxt): boolean;
  errors?: ValidateFunction['errors'];
  schemaEnv?: unknown;
}

/** Compiles on the first call and then behaves exactly as the compiled function. */
export function lazyValidator(compile: () => ValidateFunction): Validate {
  let compiled: ValidateFunction | null = null;
  const validate: Validate = (data, dataCxt) => {
    compiled ??= compile();
    const result = compiled(data, dataCxt);
    validate.errors = compiled.errors;
    return result;
  };
  validate.errors = null;
  // Fastify hands the parent object (so that coercion can replace a root value) only to
  // functions that carry Ajv's schemaEnv; the compiled function gets it through this wrapper.
  validate.schemaEnv = true;
  return validate;
}

export function installValidators(app: FastifyInstance, compilation: SchemaCompilation = 'eager'): void {
  const bodyAjv = createAjv(false);
  const paramAjv = createAjv('array');
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? bodyAjv : paramAjv;
    return compilation === 'lazy' ? lazyValidator(() => ajv.compile(schema as object)) : ajv.compile(schema as object);
  });
}
