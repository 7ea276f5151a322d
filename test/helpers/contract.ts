// Validates every response the test servers send against openapi.yaml: the status must be
// declared for the operation, the content type must match, and a JSON body must match the
// schema. Violations are collected and fail the test that caused them (setup/contract-guard).
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { indexOperations, type OpenApiDocument } from '../../server/spec.js';

export const contractViolations: string[] = [];

function pointer(...segments: string[]): string {
  return segments.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

export function installContractCheck(app: FastifyInstance, spec: OpenApiDocument): void {
  const ajv = new Ajv2020.default({ strict: false, allErrors: true, validateSchema: false });
  addFormats.default(ajv);
  ajv.addSchema(spec, 'spec');
  const index = indexOperations(spec);

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
    const op = index.get(operationId)!;
    const method = op.method.toLowerCase();
    const responses = spec.paths[op.path]![method].responses as Record<string, { $ref?: string; content?: Record<string, unknown> }>;
    let declared = responses[String(status)];
    let base = `spec#/${pointer('paths', op.path, method, 'responses', String(status))}`;
    if (!declared) {
      contractViolations.push(`${operationId}: answered ${status}, which openapi.yaml does not declare (body: ${body?.slice(0, 300)})`);
      return payload;
    }
    if (declared.$ref) {
      base = `spec${declared.$ref}`;
      const name = declared.$ref.split('/').pop()!;
      declared = (spec.components.responses as Record<string, typeof declared>)[name]!;
    }
    const contentType = String(reply.getHeader('content-type') ?? '').split(';')[0]!.trim();
    if (!declared.content) {
      if (body) contractViolations.push(`${operationId} ${status}: declared without a body but sent ${body.slice(0, 200)}`);
      return payload;
    }
    if (!(contentType in declared.content)) {
      contractViolations.push(`${operationId} ${status}: content type ${contentType} not declared (${Object.keys(declared.content).join(', ')})`);
      return payload;
    }
    if (contentType === 'application/json') {
      const validate = ajv.getSchema(`${base}/${pointer('content', contentType, 'schema')}`);
      if (!validate) {
        contractViolations.push(`${operationId} ${status}: no schema found at ${base}`);
        return payload;
      }
      if (!validate(body === null || body === '' ? undefined : JSON.parse(body))) {
        contractViolations.push(`${operationId} ${status}: body does not match the contract: ${ajv.errorsText(validate.errors)} (body: ${body?.slice(0, 300)})`);
      }
    }
    return payload;
  });
}
