// A document as the API shows it (seed 004's fields in camelCase). `vectorCount`: with semantic
// search configured, its passages that have a vector of the configured model; without it, seed
// 004's name for `chunkCount` (every passage has its full-text vector, a tsvector). The stored
// file is never shown.
import type { components } from '../../../client/schema.js';
import type { SearchAnswer } from './hybrid-search.js';
import type { KbDocumentView } from './queries.js';
import type { KnowledgePassage } from './search.js';

type KnowledgeDocument = components['schemas']['KnowledgeDocument'];

/** `embeddingModel`: the configured embeddings model, null without semantic search. */
export function presentDocument(row: KbDocumentView, embeddingModel: string | null): KnowledgeDocument {
  return {
    id: row.id,
    title: row.title,
    fileName: row.file_name,
    agentId: row.agent_id,
    category: row.category,
    contentType: row.content_type as KnowledgeDocument['contentType'],
    sizeBytes: row.size_bytes,
    status: row.status,
    failureReason: row.failure_reason,
    chunkCount: row.chunk_count,
    vectorCount: embeddingModel === null ? row.chunk_count : row.vector_model === embeddingModel ? row.vector_count : 0,
    pageCount: row.page_count,
    createdAt: row.created_at.toISOString(),
    processedAt: row.processed_at?.toISOString() ?? null,
  };
}

/** The title when none is given: the file's name (cut to the column's 300 characters), else a label. */
export function defaultTitle(fileName: string | null): string {
  return fileName ? fileName.slice(0, 300) : 'Untitled document';
}

type KnowledgeSearchResults = components['schemas']['KnowledgeSearchResults'];

/** A search's answer as the API shows it (the passages' row ids are not shown). */
export function presentSearch(answer: SearchAnswer): KnowledgeSearchResults {
  const common = (p: KnowledgePassage) => ({ content: p.content, score: p.score, documentId: p.documentId, documentTitle: p.documentTitle, position: p.position, page: p.page });
  if (answer.mode === 'hybrid') {
    return { mode: 'hybrid', results: answer.passages.map((p) => ({ ...common(p), textScore: p.textScore, semanticScore: p.semanticScore })) };
  }
  return { mode: 'fullText', ...(answer.notice ? { notice: answer.notice } : {}), results: answer.passages.map(common) };
}
