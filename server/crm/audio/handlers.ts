// /api/audio: upload (mp3 / wav by content), list, get, delete, stream with Range, and the signed
// URL Twilio's <Play> fetches (server/crm/audio/signed-url.ts).
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../../db/types.js';
import { parseUuid } from '../../platform/common/ids.js';
import { isForeignKeyViolation } from '../../platform/common/pg-errors.js';
import { AppError, ERRORS } from '../../platform/errors.js';
import type { Deps, HandlerGroup } from '../../handler-types.js';
import { audioBodyStream } from './body-stream.js';
import { isUploadedFile } from '../../platform/http/multipart.js';
import { audioEtag, fileNameLabel, presentAudio } from './mapping.js';
import { audioUsers, deleteAudioInOrg, findAudioById, findAudioInOrg, insertAudio, listAudioInOrg, lockAudioInOrg, type AudioRow } from './queries.js';
import { decideRange } from './range.js';
import { detectAudio } from './sniff.js';

type AudioOps = 'listAudio' | 'uploadAudio' | 'getAudio' | 'deleteAudio' | 'streamAudio' | 'playAudio';

const DEFAULT_LIMIT = 50;

/** The caller's audio a path names: a malformed, unknown or other organisation's id is a 404. */
async function ownAudio(db: Db, orgId: string, raw: string): Promise<AudioRow> {
  const id = parseUuid(raw);
  const row = id === null ? undefined : await findAudioInOrg(db, orgId, id);
  if (!row) throw ERRORS.notFound('Audio', raw);
  return row;
}

function header(req: FastifyRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** The file (or one range of it), streamed from the database; 416 for a range beyond its end. */
function sendAudio(db: Db, req: FastifyRequest, reply: FastifyReply, row: AudioRow, cacheControl: string) {
  const etag = audioEtag(row);
  const size = row.size_bytes;
  void reply.header('Accept-Ranges', 'bytes').header('ETag', etag).header('Cache-Control', cacheControl);
  const range = decideRange(header(req, 'range'), size, header(req, 'if-range'), etag);
  if (range.kind === 'unsatisfiable') {
    void reply.header('Content-Range', `bytes */${size}`);
    throw ERRORS.rangeNotSatisfiable(header(req, 'range') ?? '', size);
  }
  void reply.type(row.content_type);
  if (range.kind === 'full') {
    void reply.header('Content-Length', size);
    return { status: 200 as const, body: audioBodyStream(db, row.id, 0, size - 1) };
  }
  void reply.header('Content-Range', `bytes ${range.start}-${range.end}/${size}`).header('Content-Length', range.end - range.start + 1);
  return { status: 206 as const, body: audioBodyStream(db, row.id, range.start, range.end) };
}

export function createAudioHandlers({ db, config, audioUrls }: Deps): HandlerGroup<AudioOps> {
  const base = config.publicBaseUrl;
  return {
    async listAudio(ctx) {
      const page = ctx.query.page ?? 1;
      const limit = ctx.query.limit ?? DEFAULT_LIMIT;
      const { rows, total } = await listAudioInOrg(db, ctx.principal().orgId, { category: ctx.query.category, limit, offset: (page - 1) * limit });
      return { status: 200, body: { audio: rows.map((row) => presentAudio(row, base)), pagination: { page, limit, total, totalPages: Math.ceil(total / limit) } } };
    },

    async uploadAudio(ctx) {
      const { orgId, userId } = ctx.principal();
      const file = ctx.body.audio;
      if (!isUploadedFile(file)) throw ERRORS.validation({ audio: 'must be a file part' });
      const detected = detectAudio(file.data);
      if (!detected) throw ERRORS.validation({ audio: 'must be an MP3 or WAV file (its content is neither)' });
      const row = await insertAudio(db, {
        org_id: orgId,
        name: ctx.body.name,
        category: ctx.body.category ?? null,
        description: ctx.body.description ?? null,
        file_name: fileNameLabel(file.filename),
        format: detected.format,
        content_type: detected.contentType,
        size_bytes: file.data.length,
        duration_seconds: detected.durationSeconds,
        sha256: createHash('sha256').update(file.data).digest('hex'),
        data: file.data,
        created_by: userId,
      });
      return { status: 201, body: presentAudio(row, base) };
    },

    async getAudio(ctx) {
      return { status: 200, body: presentAudio(await ownAudio(db, ctx.principal().orgId, ctx.params.id), base) };
    },

    async deleteAudio(ctx) {
      const { orgId } = ctx.principal();
      const row = await ownAudio(db, orgId, ctx.params.id);
      try {
        // The row locked first: a campaign or flow write naming it meanwhile is committed (and
        // found below) or waits and then finds it gone.
        await db.transaction().execute(async (trx) => {
          if (!(await lockAudioInOrg(trx, orgId, row.id))) throw ERRORS.notFound('Audio', ctx.params.id);
          const users = await audioUsers(trx, orgId, row.id);
          const uses = [...users.campaigns.map((id) => `campaign ${id} (fallbackAudioId or voicemailDrop)`), ...users.flows.map((id) => `active call flow ${id} (a Play node)`)];
          if (uses.length > 0) throw ERRORS.conflict({ audio: `is used by ${uses.join(', ')}` });
          if (!(await deleteAudioInOrg(trx, orgId, row.id))) throw ERRORS.notFound('Audio', ctx.params.id);
        });
      } catch (err) {
        // A campaign took it as its fallback between the check and the delete.
        if (isForeignKeyViolation(err)) throw ERRORS.conflict({ audio: 'is used by a campaign (fallbackAudioId)' });
        throw err;
      }
      return { status: 204, body: undefined };
    },

    async streamAudio(ctx) {
      const row = await ownAudio(db, ctx.principal().orgId, ctx.params.id);
      return sendAudio(db, ctx.req, ctx.reply, row, 'private, no-cache');
    },

    async playAudio(ctx) {
      const { expires, signature } = ctx.query;
      // A malformed id names nothing (404, as everywhere); a well-formed one needs its signature.
      const id = parseUuid(ctx.params.id);
      if (id === null) throw ERRORS.notFound('Audio', ctx.params.id);
      const now = new Date();
      const verdict = audioUrls.verify(id, expires, signature, now);
      if (verdict !== 'ok') {
        throw new AppError('FORBIDDEN', 'Invalid or expired audio URL', verdict === 'expired' ? 'The URL has expired' : 'The signature does not match');
      }
      const row = await findAudioById(db, id);
      if (!row) throw ERRORS.notFound('Audio', ctx.params.id);
      const maxAge = Math.max(0, expires - Math.floor(now.getTime() / 1000));
      return sendAudio(db, ctx.req, ctx.reply, row, `max-age=${maxAge}`);
    },
  };
}
