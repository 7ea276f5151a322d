// A document as the API shows it (seed 004's fields in camelCase; `vectorCount` is its name for
// `chunkCount`). The stored file is never shown.
import type { components } from '../../../client/schema.js';
import type { KbDocumentView } from './queries.js';

type KnowledgeDocument = components['schemas']['KnowledgeDocument'];

export function presentDocument(row: KbDocumentView): KnowledgeDocument {
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
    vectorCount: row.chunk_count,
    pageCount: row.page_count,
    createdAt: row.created_at.toISOString(),
    processedAt: row.processed_at?.toISOString() ?? null,
  };
}

/** The title when none is given: the file's name (cut to the column's 300 characters), else a label. */
export function defaultTitle(fileName: string | null): string {
  return fileName ? fileName.slice(0, 300) : 'Untitled document';
}
