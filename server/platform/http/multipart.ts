// A multipart/form-data upload read into a plain body before validation, for operations whose
// file is small enough to keep (`x-upload-limit` in openapi.yaml names the configured cap): text
// fields become strings, the one file part `{ filename, mimetype, data }`. The file is collected
// up to the cap and no further — one byte more is a 413 and nothing reaches the handler — so a
// slow client never holds a database connection (the embedded database has only one), and the
// handler stores the file in one short statement.
//
// Malformed multipart (no boundary, a part cut short) is a 400; too many parts / fields / files
// or a file over the cap is a 413 (PAYLOAD_TOO_LARGE); a field given twice is a 400.
import type { FastifyRequest } from 'fastify';
import { AppError, ERRORS } from '../errors.js';

/** A file part as the reader leaves it in the body. */
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

function payloadTooLarge(field: string, maxFileBytes: number, code: string): AppError {
  return ERRORS.payloadTooLarge(
    code === 'FST_REQ_FILE_TOO_LARGE'
      ? { [field]: `must be at most ${maxFileBytes} bytes` }
      : { body: `must have at most ${LIMITS.files} file and ${LIMITS.fields} fields` },
  );
}

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
