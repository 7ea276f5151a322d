// Reading a multipart/form-data request (@fastify/multipart) as it streams: the one file goes to a
// sink (database chunks, a spool file) without being held in memory; the other fields are short
// text. Anything malformed — not multipart, a broken body, an unknown field, two files, a file over
// the size cap — is a 400 naming what is wrong; the sink's own failures pass through unchanged.
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AppError, ERRORS } from '../../platform/errors.js';

export const MAX_UPLOAD_BYTES = 200 * 1024 * 1024;

export interface StoredFile {
  fileName: string | null;
  bytes: number;
  sha256: string;
}

/** Where the file's bytes go; it must read `file` to its end. */
export type FileSink = (file: AsyncIterable<Buffer>) => Promise<void>;

export interface UploadedForm {
  fields: Record<string, string>;
  file: StoredFile | null;
}

/** Seed 002 sends snake_case field names. */
const ALIASES: Record<string, string> = { campaign_id: 'campaignId', field_mapping: 'fieldMapping', skip_header: 'skipHeader', default_country: 'defaultCountry' };

class SinkFailure extends Error {
  constructor(readonly original: unknown) {
    super('sink failed');
  }
}

/** The file's bytes, counted and hashed as they pass (the size cap checked as they arrive). */
async function* measured(stream: AsyncIterable<Buffer>, into: { bytes: number; hash: ReturnType<typeof createHash>; failed: unknown }): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of stream) {
      into.bytes += chunk.length;
      into.hash.update(chunk);
      yield chunk;
    }
  } catch (err) {
    // The request broke off or is malformed: the client's fault, not the sink's.
    into.failed = err ?? new Error('the upload broke off');
    throw err;
  }
}

/**
 * The file name as a label: control characters dropped (a NUL, plain or sent as RFC 5987's `%00`,
 * cannot be stored in text and failed the upload with a 500), at most 255 characters, null when empty.
 */
function fileNameOf(raw: string | undefined): string | null {
  // eslint-disable-next-line no-control-regex
  const clean = (raw ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 255);
  return clean === '' ? null : clean;
}

export async function readForm(req: FastifyRequest, allowed: readonly string[], sink: FileSink): Promise<UploadedForm> {
  if (!req.isMultipart()) throw ERRORS.validation({ 'content-type': 'must be multipart/form-data' });
  const fields: Record<string, string> = {};
  let file: StoredFile | null = null;
  try {
    for await (const part of req.parts({ limits: { files: 2, fields: 20, fieldSize: 64 * 1024, fileSize: MAX_UPLOAD_BYTES, parts: 21 } })) {
      const name = ALIASES[part.fieldname] ?? part.fieldname;
      if (part.type === 'file') {
        if (name !== 'file' || file) {
          part.file.resume();
          throw ERRORS.validation({ [part.fieldname]: name === 'file' ? 'only one file can be sent' : 'is not a file field of this operation (send the CSV as `file`)' });
        }
        const seen = { bytes: 0, hash: createHash('sha256'), failed: undefined as unknown };
        try {
          await sink(measured(part.file, seen));
        } catch (err) {
          if (part.file.truncated) throw ERRORS.validation({ file: `is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB` });
          throw seen.failed === undefined ? new SinkFailure(err) : err;
        }
        if (part.file.truncated) throw ERRORS.validation({ file: `is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB` });
        file = { fileName: fileNameOf(part.filename), bytes: seen.bytes, sha256: seen.hash.digest('hex') };
        continue;
      }
      if (!allowed.includes(name)) throw ERRORS.validation({ [part.fieldname]: 'is not a field of this operation' });
      if (Object.hasOwn(fields, name)) throw ERRORS.validation({ [part.fieldname]: 'is sent twice' });
      const value = typeof part.value === 'string' ? part.value : String(part.value);
      if (value.includes('\u0000')) throw ERRORS.validation({ [part.fieldname]: 'must be text without NUL characters' });
      fields[name] = value;
    }
  } catch (err) {
    if (err instanceof SinkFailure) throw err.original;
    if (err instanceof AppError) throw err;
    const code = (err as { code?: string }).code ?? '';
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw ERRORS.validation({ file: `is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB` });
    throw ERRORS.validation({ body: `is not a well-formed multipart/form-data body (${err instanceof Error ? err.message.slice(0, 120) : 'unreadable'})` });
  }
  if (!file) throw ERRORS.validation({ file: 'is required (the CSV file, as the form field `file`)' });
  return { fields, file };
}
