// Two Ajv instances: bodies are validated exactly as sent (no coercion, no stripping), while
// path/query/header values (always strings on the wire) are coerced to the declared types.
import Ajv2020 from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
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

/** The coerced values that are not finite numbers (top level, or in a repeated parameter's array). */
function nonFiniteIssues(data: unknown): ErrorObject[] {
  if (data === null || typeof data !== 'object') return [];
  const issues: ErrorObject[] = [];
  for (const [name, value] of Object.entries(data)) {
    const values: unknown[] = Array.isArray(value) ? value : [value];
    if (values.some((v) => typeof v === 'number' && !Number.isFinite(v))) {
      const instancePath = `/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      issues.push({ instancePath, schemaPath: '#/finite', keyword: 'finite', params: {}, message: 'must be a finite number in the allowed range' });
    }
  }
  return issues;
}

/**
 * Ajv coerces a numeric string too large for a double ("9" × 400, "1e400", "Infinity") to
 * Infinity and then skips `minimum`/`maximum`, which only test finite numbers: the value would
 * reach the handler (and PostgreSQL) unchecked. Such a value is refused like any out-of-range one.
 */
function refusingNonFinite(validate: ValidateFunction): ValidateFunction {
  const wrapped = ((data: unknown, context?: Parameters<ValidateFunction>[1]) => {
    const valid = validate(data, context) as boolean;
    const issues = nonFiniteIssues(data);
    wrapped.errors = issues.length === 0 ? validate.errors : [...(validate.errors ?? []), ...issues];
    return valid && issues.length === 0;
  }) as ValidateFunction;
  // Fastify passes the parent (so that Ajv may replace a coerced root) only to a function with schemaEnv.
  Object.assign(wrapped, { schema: validate.schema, schemaEnv: validate.schemaEnv, errors: null });
  return wrapped;
}

export function installValidators(app: FastifyInstance): void {
  const bodyAjv = createAjv(false);
  const paramAjv = createAjv('array');
  app.setValidatorCompiler(({ schema, httpPart }) => {
    if (httpPart === 'body') return bodyAjv.compile(schema as object);
    return refusingNonFinite(paramAjv.compile(schema as object));
  });
}
