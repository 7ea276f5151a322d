// Two Ajv instances: bodies are validated exactly as sent (no coercion, no stripping), while
// path/query/header values (always strings on the wire) are coerced to the declared types.
import Ajv2020 from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { instantOf } from '../common/dates.js';

const OPENAPI_KEYWORDS = ['example', 'discriminator', 'xml', 'externalDocs'];

/**
 * `uuid` as PostgreSQL's uuid type reads it: 8-4-4-4-12 hex digits and nothing else. ajv-formats
 * also accepts a `urn:uuid:` prefix, which the database refuses (a 500 instead of a 400).
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `date` and `date-time` as PostgreSQL and JavaScript read them: RFC 3339 allows the year 0000,
 * which PostgreSQL's calendar has not (1 BC comes before AD 1) — a date column refused such a value
 * with a 500; and a date-time whose offset moves it past 9999 in UTC (9999-12-31T23:00:00-05:00)
 * is stored, then shown as `+010000-…`, which is no date-time. Both are refused.
 */
const YEAR_ZERO = /^0000-/;

function withinYears(value: string): boolean {
  const year = instantOf(value).getUTCFullYear();
  return year >= 1 && year <= 9999;
}

/** `name`'s ajv-formats check, refusing what the database or the answer could not hold. */
function withinCalendar(ajv: Ajv2020.default, name: 'date' | 'date-time'): void {
  const format = ajv.formats[name];
  if (typeof format !== 'object' || format === null || !('validate' in format) || typeof format.validate !== 'function') throw new Error(`ajv-formats has no ${name} check`);
  const check = format.validate as (value: string) => boolean;
  const validate =
    name === 'date' ? (value: string) => !YEAR_ZERO.test(value) && check(value) : (value: string) => !YEAR_ZERO.test(value) && check(value) && withinYears(value);
  ajv.addFormat(name, { ...format, type: 'string', validate } as Parameters<Ajv2020.default['addFormat']>[1]);
}

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
  ajv.addFormat('uuid', UUID);
  withinCalendar(ajv, 'date');
  withinCalendar(ajv, 'date-time');
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
    // Query, path and header values are coerced: a non-finite result is refused too.
    const part = httpPart === 'headers' ? lowerCaseHeaderNames(schema as HeaderSchema) : (schema as object);
    const compile = httpPart === 'body' ? () => bodyAjv.compile(part) : () => refusingNonFinite(paramAjv.compile(part));
    return compilation === 'lazy' ? lazyValidator(compile) : compile();
  });
}

type HeaderSchema = { properties?: Record<string, unknown>; required?: string[] };

/**
 * Node gives request headers lower-cased; the contract names them as written (`Last-Event-ID`).
 * Fastify lower-cases a header schema's names only for its own compiler, not for a custom one like
 * ours: without this, no header parameter the contract declares was ever checked.
 */
export function lowerCaseHeaderNames(schema: HeaderSchema): HeaderSchema {
  return {
    ...schema,
    ...(schema.properties ? { properties: Object.fromEntries(Object.entries(schema.properties).map(([name, value]) => [name.toLowerCase(), value])) } : {}),
    ...(schema.required ? { required: schema.required.map((name) => name.toLowerCase()) } : {}),
  };
}
