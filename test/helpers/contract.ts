// Validates every response the test servers send against openapi.yaml: the status must be
// declared for the operation, the content type must match, and a JSON body must match the
// schema. Violations are collected and fail the test that caused them (setup/contract-guard).
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { indexOperations, type OpenApiDocument } from '../../server/platform/spec.js';

export const contractViolations: string[] = [];

function pointer(...segments: string[]): string {
  return segments.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

export function installContractCheck(app: FastifyInstance, spec: OpenApiDocument): void {
  const ajv = new Ajv2020.default({ strict: false, allErrors: true, validateSchema: false });
  addFormats.default(ajv);
  ajv.addSchema(spec, 'spec');
  const index = indexOperations(spec);

  /** The declared response of an operation for a status (its $ref followed), with its schema pointer base. */
  function declaredResponse(operationId: string, status: number) {
    const op = index.get(operationId)!;
    const method = op.method.toLowerCase();
    const responses = spec.paths[op.path]![method].responses as Record<string, { $ref?: string; content?: Record<string, unknown> }>;
    let declared = responses[String(status)];
    let base = `spec#/${pointer('paths', op.path, method, 'responses', String(status))}`;
    if (declared?.$ref) {
      base = `spec${declared.$ref}`;
      const name = declared.$ref.split('/').pop()!;
      declared = (spec.components.responses as Record<string, typeof declared>)[name]!;
    }
    return declared ? { declared, base } : null;
  }

  function checkBody(operationId: string, status: number, base: string, body: unknown, what: string): void {
    const validate = ajv.getSchema(`${base}/${pointer('content', 'application/json', 'schema')}`);
    if (!validate) {
      contractViolations.push(`${operationId} ${status}: no schema found at ${base}`);
      return;
    }
    if (!validate(body)) {
      contractViolations.push(`${operationId} ${status}: ${what} does not match the contract: ${ajv.errorsText(validate.errors)} (body: ${JSON.stringify(body)?.slice(0, 300)})`);
    }
  }

  // What the handler returned, before serialisation: the serialiser coerces (a number into a
  // string field, a Date into a date-time) and drops unknown fields, which would hide a handler
  // that breaks the contract. The object is checked as returned, through a JSON round trip only
  // (what JSON itself cannot carry, e.g. undefined, is not the handler's to send either).
  app.addHook('preSerialization', async (req, reply, payload) => {
    const operationId = req.routeOptions.config?.operationId;
    if (!operationId) return payload;
    const found = declaredResponse(operationId, reply.statusCode);
    if (!found?.declared.content || !('application/json' in found.declared.content)) return payload;
    // (A Date has become a string before a replacer sees its value: look at the holder's own.)
    const plain = JSON.parse(
      JSON.stringify(payload, function (this: Record<string, unknown>, key: string, value: unknown) {
        return this[key] instanceof Date ? { notAString: 'a Date object' } : value;
      }),
    ) as unknown;
    checkBody(operationId, reply.statusCode, found.base, plain, 'the handler\'s answer (before serialisation)');
    return payload;
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const operationId = req.routeOptions.config?.operationId;
    const status = reply.statusCode;
    const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : null;
    if (!operationId) {
      // Routes outside the contract (Swagger UI, unknown paths): errors must still use our format.
      if (status >= 400 && body !== null) {
        const parsed = JSON.parse(body) as Record<string, unknown>;
        if (!parsed.code || !parsed.error || !parsed.requestId) contractViolations.push(`${req.method} ${req.url}: error outside the error format: ${body}`);
      }
      return payload;
    }
    const found = declaredResponse(operationId, status);
    if (!found) {
      contractViolations.push(`${operationId}: answered ${status}, which openapi.yaml does not declare (body: ${body?.slice(0, 300)})`);
      return payload;
    }
    const { declared, base } = found;
    const contentType = String(reply.getHeader('content-type') ?? '').split(';')[0]!.trim();
    if (!declared.content) {
      if (body) contractViolations.push(`${operationId} ${status}: declared without a body but sent ${body.slice(0, 200)}`);
      return payload;
    }
    if (!(contentType in declared.content)) {
      contractViolations.push(`${operationId} ${status}: content type ${contentType} not declared (${Object.keys(declared.content).join(', ')})`);
      return payload;
    }
    // And what went on the wire (errors from the error handler, and every body sent as text, are
    // only seen here).
    if (contentType === 'application/json') checkBody(operationId, status, base, body === null || body === '' ? undefined : JSON.parse(body), 'body');
    return payload;
  });
}
