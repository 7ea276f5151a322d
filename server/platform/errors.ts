// Error codes, factories and the one error handler that renders them (seed 000's format).
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

export const ERROR_STATUS = {
  VALIDATION_ERROR: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  RESOURCE_NOT_FOUND: 404,
  REQUEST_TIMEOUT: 408,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RANGE_NOT_SATISFIABLE: 416,
  RATE_LIMIT_EXCEEDED: 429,
  HEADERS_TOO_LARGE: 431,
  INTERNAL_ERROR: 500,
  UPSTREAM_ERROR: 502,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export type ErrorDetails = Record<string, unknown> | string | null;

export class AppError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = null,
  ) {
    super(message);
    this.name = 'AppError';
    this.statusCode = ERROR_STATUS[code];
  }
}

export const ERRORS = {
  validation: (details: Record<string, string>) => new AppError('VALIDATION_ERROR', 'Validation failed', details),
  unauthorized: (details: string | null = null) => new AppError('UNAUTHORIZED', 'Authentication required', details),
  invalidCredentials: () => new AppError('UNAUTHORIZED', 'Invalid credentials', 'Email/username or password is wrong'),
  forbidden: (details: string) => new AppError('FORBIDDEN', 'Insufficient permissions', details),
  badSignature: (details: string) => new AppError('FORBIDDEN', 'Invalid Twilio signature', details),
  notFound: (resource: string, id: string | number) =>
    new AppError('RESOURCE_NOT_FOUND', 'Resource not found', `${resource} with ID '${String(id)}' not found`),
  routeNotFound: (method: string, url: string) =>
    new AppError('RESOURCE_NOT_FOUND', 'Resource not found', `No route ${method} ${url.split('?')[0]}`),
  unreadablePath: () =>
    new AppError('RESOURCE_NOT_FOUND', 'Resource not found', 'The path names nothing: it is not valid percent-encoding, or a segment is longer than any id'),
  conflict: (details: Record<string, string> | string) => new AppError('CONFLICT', 'Conflict', details),
  payloadTooLarge: (details: Record<string, string>) => new AppError('PAYLOAD_TOO_LARGE', 'Payload too large', details),
  requestTimeout: () => new AppError('REQUEST_TIMEOUT', 'Request timeout', { request: 'was not received in time' }),
  headersTooLarge: (maxBytes: number) =>
    new AppError('HEADERS_TOO_LARGE', 'Request headers too large', { headers: `must be at most ${maxBytes} bytes in all` }),
  rangeNotSatisfiable: (range: string, size: number) => new AppError('RANGE_NOT_SATISFIABLE', 'Range not satisfiable', { range, size }),
  rateLimited: (limit: number, retryAfterSeconds: number) =>
    new AppError('RATE_LIMIT_EXCEEDED', 'Too many requests', { limit, retryAfterSeconds }),
  internal: () => new AppError('INTERNAL_ERROR', 'Internal server error'),
  upstream: (details: string) => new AppError('UPSTREAM_ERROR', 'Telephony provider error', details),
};

export interface ErrorBody {
  error: string;
  code: ErrorCode;
  details: ErrorDetails;
  timestamp: string;
  requestId: string;
}

export function errorBody(err: AppError, requestId: string): ErrorBody {
  return { error: err.message, code: err.code, details: err.details, timestamp: new Date().toISOString(), requestId };
}

interface AjvIssue {
  instancePath?: string;
  schemaPath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** Turn Ajv issues into `{ field: problem }`, naming each bad field (dotted path for nested ones). */
export function validationDetails(issues: AjvIssue[], context: string | undefined): Record<string, string> {
  const details: Record<string, string> = {};
  const root = context === 'body' || context === undefined ? 'body' : context;
  // "must match a schema in anyOf" says less than the issues of its branches: dropped when they are there.
  const combinators = new Set(['anyOf', 'oneOf']);
  const named = issues.some((i) => !combinators.has(i.keyword ?? ''));
  for (const issue of issues) {
    if (named && combinators.has(issue.keyword ?? '')) continue;
    const base = (issue.instancePath ?? '').split('/').filter(Boolean).map(unescapePointer);
    let field = base;
    let problem = issue.message ?? 'is invalid';
    if (issue.keyword === 'required' && typeof issue.params?.missingProperty === 'string') {
      field = [...base, issue.params.missingProperty];
      problem = issue.schemaPath?.includes('/anyOf/') ? 'is required (or one of the alternatives named here)' : 'is required';
    } else if (issue.keyword === 'additionalProperties' && typeof issue.params?.additionalProperty === 'string') {
      field = [...base, issue.params.additionalProperty];
      problem = 'is not allowed';
    } else if (issue.keyword === 'unevaluatedProperties' && typeof issue.params?.unevaluatedProperty === 'string') {
      field = [...base, issue.params.unevaluatedProperty];
      problem = 'is not allowed';
    } else if (issue.keyword === 'enum' && Array.isArray(issue.params?.allowedValues)) {
      problem = `must be one of: ${issue.params.allowedValues.join(', ')}`;
    }
    const key = field.length > 0 ? field.join('.') : root;
    // Own keys only, defined (not assigned): a field may be called `constructor` or `__proto__`.
    if (!Object.hasOwn(details, key)) Object.defineProperty(details, key, { value: problem, enumerable: true, writable: true, configurable: true });
  }
  return details;
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Map framework errors (bad JSON, wrong content type, body too large) to our codes. */
function toAppError(err: FastifyError & { validation?: AjvIssue[]; validationContext?: string }): AppError | null {
  if (err instanceof AppError) return err;
  if (err.validation) return ERRORS.validation(validationDetails(err.validation, err.validationContext));
  const code = err.code ?? '';
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return ERRORS.validation({ 'content-type': 'is not supported by this operation' });
  }
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return ERRORS.validation({ body: 'is too large' });
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return ERRORS.validation({ body: 'must not be empty' });
  if (code.startsWith('FST_ERR_CTP_') || err instanceof SyntaxError) {
    return ERRORS.validation({ body: 'is not valid JSON' });
  }
  if (err.statusCode === 400 || err.statusCode === 406) return ERRORS.validation({ request: 'is malformed' });
  if (err.statusCode === 413) return ERRORS.payloadTooLarge({ body: 'is too large' });
  if (err.statusCode === 404) return new AppError('RESOURCE_NOT_FOUND', 'Resource not found');
  if (code === '23505') return ERRORS.conflict('The resource already exists');
  return null;
}

export function errorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const appError = toAppError(err);
  if (appError && appError.code !== 'INTERNAL_ERROR') {
    req.log[appError.statusCode >= 500 ? 'warn' : 'info']({ code: appError.code, status: appError.statusCode }, 'request failed');
    void reply.code(appError.statusCode).type('application/json').send(errorBody(appError, req.id));
    return;
  }
  req.log.error({ err }, 'unhandled error');
  void reply.code(500).type('application/json').send(errorBody(ERRORS.internal(), req.id));
}
