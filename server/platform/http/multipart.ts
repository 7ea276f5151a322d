// multipart/form-data, the one place it is handled (@fastify/multipart, registered here once).
// Two kinds of operation take it:
//
// - Streamed (CSV lead and do-not-call imports: files of any size): nothing is parsed up front;
//   the handler streams the parts (crm/imports/form.ts). The form's schema in openapi.yaml
//   documents the fields but is not what validates them — it is taken out of the route's body
//   schema here (Fastify would otherwise validate an absent body against it) and the handlers
//   check every field themselves, answering 400 naming it.
// - Buffered (`x-upload-limit` in openapi.yaml, e.g. audio): the form is read into a plain body
//   before validation (readBufferedMultipart, run by routes.ts), so the contract's schema
//   validates it like any JSON body: text fields become strings, the one file part
//   `{ filename, mimetype, data }`. The file is collected up to the configured cap and no
//   further — one byte more is a 413 and nothing reaches the handler — so a slow client never
//   holds a database connection, and the handler stores the file in one short statement.
//
// Any other operation refuses a multipart body before it is read (400 naming content-type).
// Malformed multipart (no boundary, a part cut short) is a 400; too many parts / fields / files
// or a file over the cap is a 413 (PAYLOAD_TOO_LARGE); a field given twice is a 400.
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { AppError, ERRORS } from '../errors.js';

const MULTIPART = 'multipart/form-data';

type BodySchema = { content?: Record<string, unknown> } | undefined;

/** Register before the routes. */
export async function installMultipart(app: FastifyInstance): Promise<void> {
  await app.register(multipart, { throwFileSizeLimit: true });
  app.addHook('onRoute', (route: RouteOptions) => {
    const body = route.schema?.body as BodySchema;
    if (!body?.content || !(MULTIPART in body.content)) {
      // Elsewhere a form is refused before anything else runs (as a type without a parser was).
      const types = Object.keys(body?.content ?? {});
      const refuse = (req: FastifyRequest, _reply: FastifyReply, payload: unknown, done: (err: Error | null, payload?: unknown) => void) => {
        if (!isMultipartForm(req.headers['content-type'])) return done(null, payload);
        done(types.length > 0 ? ERRORS.validation({ 'content-type': `must be ${types.join(' or ')}` }) : ERRORS.validation({ body: 'is not accepted by this operation' }));
      };
      const existing = route.preParsing === undefined ? [] : Array.isArray(route.preParsing) ? route.preParsing : [route.preParsing];
      route.preParsing = [...existing, refuse as never];
      return;
    }
    // Buffered uploads keep their schema: the body read before validation is checked against it.
    if ((route.schema as Record<string, unknown>)['x-upload-limit'] !== undefined) return;
    const { [MULTIPART]: _form, ...others } = body.content;
    const schema = { ...route.schema };
    if (Object.keys(others).length > 0) schema.body = { ...body, content: others };
    else delete schema.body;
    route.schema = schema;
  });
}

/** Whether a request is a multipart form (for the body guard: a streamed form is read by the handler, not parsed up front). */
export function isMultipartForm(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase() === MULTIPART;
}

/** A file part as readBufferedMultipart leaves it in the body. */
export interface UploadedFile {
  filename: string;
  mimetype: string;
  data: Buffer;
}

export function isUploadedFile(value: unknown): value is UploadedFile {
  return typeof value === 'object' && value !== null && Buffer.isBuffer((value as UploadedFile).data) && typeof (value as UploadedFile).filename === 'string';
}

const LIMITS = { files: 1, fields: 10, parts: 11, fieldSize: 4096, fieldNameSize: 100, headerPairs: 100 };

const TOO_LARGE = new Set(['FST_REQ_FILE_TOO_LARGE', 'FST_PARTS_LIMIT', 'FST_FILES_LIMIT', 'FST_FIELDS_LIMIT']);

export function payloadTooLarge(field: string, maxFileBytes: number, code: string): AppError {
  return ERRORS.payloadTooLarge(
    code === 'FST_REQ_FILE_TOO_LARGE'
      ? { [field]: `must be at most ${maxFileBytes} bytes` }
      : { body: `must have at most ${LIMITS.files} file and ${LIMITS.fields} fields` },
  );
}

/** A buffered upload (`x-upload-limit`): the form read into req.body, its file capped at `maxFileBytes`. */
export async function readBufferedMultipart(req: FastifyRequest, maxFileBytes: number): Promise<void> {
  if (!req.isMultipart()) return;
  const body: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  let field = 'body';
  try {
    for await (const part of req.parts({ limits: { ...LIMITS, fileSize: maxFileBytes } })) {
      field = part.fieldname;
      if (Object.hasOwn(body, field)) throw ERRORS.validation({ [field]: 'is given more than once' });
      if (part.type === 'file') body[field] = { filename: part.filename, mimetype: part.mimetype, data: await part.toBuffer() } satisfies UploadedFile;
      else if (part.valueTruncated) throw ERRORS.validation({ [field]: `must be at most ${LIMITS.fieldSize} bytes` });
      else body[field] = typeof part.value === 'string' ? part.value : String(part.value);
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && TOO_LARGE.has(code)) throw payloadTooLarge(field, maxFileBytes, code);
    throw ERRORS.validation({ body: 'is not valid multipart/form-data' });
  }
  req.body = { ...body };
}
