// /api/knowledge-base (issue 20, DESIGN.md 9.4, seed 004 "Knowledge Base"): upload (type by
// content, size-capped by KB_MAX_BYTES before the handler runs), list, get, delete and search.
// Every query is scoped to the caller's organisation: another organisation's document is a 404,
// and so is its agent named in a list or a search; an upload naming an agent that is not one of
// the organisation's is a 400 naming `agentId`. An upload starts its own processing at once
// (worker.ts) on the app's background work; the periodic worker (runner.ts) takes what is left.
import { createHash } from 'node:crypto';
import type { Deps, HandlerGroup } from '../../handler-types.js';
import { parseUuid } from '../../platform/common/ids.js';
import { isForeignKeyViolation } from '../../platform/common/pg-errors.js';
import { ERRORS } from '../../platform/errors.js';
import { isUploadedFile } from '../../platform/http/multipart.js';
import { fileNameLabel } from '../../crm/audio/mapping.js';
import type { Db } from '../../../db/types.js';
import { CONTENT_TYPES, detectKnowledgeFile } from './detect.js';
import { defaultTitle, presentDocument, presentSearch } from './mapping.js';
import { deleteDocumentInOrg, findAgentInOrg, findDocumentInOrg, insertDocument, type KbDocumentView, listDocumentsInOrg } from './queries.js';
import { findPassages } from './hybrid-search.js';
import { embedPendingPassages } from './embed-pass.js';
import { processDocument, type WorkerOptions } from './worker.js';

type KnowledgeOps =
  | 'listKnowledgeDocuments'
  | 'uploadKnowledgeDocument'
  | 'uploadKnowledgeDocumentLegacy'
  | 'getKnowledgeDocument'
  | 'deleteKnowledgeDocument'
  | 'searchKnowledgeBase';

const DEFAULT_LIMIT = 50;
const NOT_OWN_AGENT = "is not one of the organisation's AI agents";
const DEFAULT_SEARCH_LIMIT = 5;

type UploadBody = { file?: unknown; agentId?: string; title?: string; category?: string };

/** The organisation's agent a list or search names (archived ones included: their documents remain), else a 404. */
async function ownAgent(db: Db, orgId: string, agentId: string): Promise<string> {
  const agent = await findAgentInOrg(db, orgId, agentId, { includeArchived: true });
  if (!agent) throw ERRORS.notFound('AI agent', agentId);
  return agent.id;
}

export function createKnowledgeBaseHandlers({ db, config, background, embedder }: Deps): HandlerGroup<KnowledgeOps> {
  const workerOptions: WorkerOptions = { maxPages: config.kbMaxPages };
  const embeddingModel = embedder?.model ?? null;
  const present = (row: KbDocumentView) => presentDocument(row, embeddingModel);

  async function ownDocument(orgId: string, raw: string) {
    const id = parseUuid(raw);
    const row = id === null ? undefined : await findDocumentInOrg(db, orgId, id);
    if (!row) throw ERRORS.notFound('Knowledge-base document', raw);
    return row;
  }

  async function upload(principal: { orgId: string; userId: number }, body: UploadBody, log: Parameters<typeof background.run>[1]) {
    const { orgId, userId } = principal;
    const file = body.file;
    if (!isUploadedFile(file)) throw ERRORS.validation({ file: 'must be a file part' });
    const detected = detectKnowledgeFile(file.data);
    if (!detected.ok) throw ERRORS.validation({ file: detected.reason });
    let agentId: string | null = null;
    if (body.agentId !== undefined) {
      const agent = await findAgentInOrg(db, orgId, body.agentId, { includeArchived: false });
      if (!agent) throw ERRORS.validation({ agentId: NOT_OWN_AGENT });
      agentId = agent.id;
    }
    const fileName = fileNameLabel(file.filename);
    const title = body.title?.trim() || defaultTitle(fileName);
    const row = await insertDocument(db, {
      org_id: orgId,
      agent_id: agentId,
      title,
      category: body.category?.trim() || null,
      file_name: fileName,
      content_type: CONTENT_TYPES[detected.kind],
      size_bytes: file.data.length,
      sha256: createHash('sha256').update(file.data).digest('hex'),
      file: file.data,
      created_by_user_id: userId,
    }).catch((err: unknown) => {
      // The agent was deleted since it was checked (another manager's DELETE meanwhile).
      if (agentId !== null && isForeignKeyViolation(err)) throw ERRORS.validation({ agentId: NOT_OWN_AGENT });
      throw err;
    });
    background.run('knowledge-base processing', log, async () => {
      const outcome = await processDocument(db, row.id, workerOptions);
      if (outcome === 'ready' && embedder) await embedPendingPassages(db, embedder);
    });
    return { status: 201 as const, body: present(row) };
  }

  return {
    async listKnowledgeDocuments(ctx) {
      const { orgId } = ctx.principal();
      const page = ctx.query.page ?? 1;
      const limit = ctx.query.limit ?? DEFAULT_LIMIT;
      const agentId = ctx.query.agentId === undefined ? undefined : await ownAgent(db, orgId, ctx.query.agentId);
      const { rows, total } = await listDocumentsInOrg(db, orgId, { agentId, status: ctx.query.status, limit, offset: (page - 1) * limit });
      return { status: 200, body: { documents: rows.map(present), pagination: { page, limit, total, totalPages: Math.ceil(total / limit) } } };
    },

    async uploadKnowledgeDocument(ctx) {
      return upload(ctx.principal(), ctx.body as UploadBody, ctx.req.log);
    },

    async uploadKnowledgeDocumentLegacy(ctx) {
      return upload(ctx.principal(), ctx.body as UploadBody, ctx.req.log);
    },

    async getKnowledgeDocument(ctx) {
      return { status: 200, body: present(await ownDocument(ctx.principal().orgId, ctx.params.id)) };
    },

    async deleteKnowledgeDocument(ctx) {
      const { orgId } = ctx.principal();
      const row = await ownDocument(orgId, ctx.params.id);
      if (!(await deleteDocumentInOrg(db, orgId, row.id))) throw ERRORS.notFound('Knowledge-base document', ctx.params.id);
      return { status: 204, body: undefined };
    },

    async searchKnowledgeBase(ctx) {
      const { orgId } = ctx.principal();
      const agentId = ctx.body.agentId === undefined ? undefined : await ownAgent(db, orgId, ctx.body.agentId);
      const answer = await findPassages(db, orgId, { text: ctx.body.query, agentId, limit: ctx.body.limit ?? DEFAULT_SEARCH_LIMIT }, embedder);
      return { status: 200, body: presentSearch(answer) };
    },
  };
}
