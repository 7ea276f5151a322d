// Audio rows -> API shapes, and the upload form -> a row (pure).
import type { components } from '../../../client/schema.js';
import { iso } from '../../platform/common/dates.js';
import type { AudioRow } from './queries.js';

type Audio = components['schemas']['Audio'];

export function presentAudio(row: AudioRow, publicBaseUrl: string): Audio {
  return {
    id: row.id,
    name: row.name,
    category: row.category,
    description: row.description,
    fileName: row.file_name,
    format: row.format,
    contentType: row.content_type,
    sizeBytes: row.size_bytes,
    durationSeconds: row.duration_seconds === null ? null : Number(row.duration_seconds),
    sha256: row.sha256,
    streamUrl: `${publicBaseUrl.replace(/\/+$/, '')}/api/audio/${row.id}/stream`,
    createdBy: row.created_by,
    createdAt: iso(row.created_at),
  };
}

/** The ETag of a file (its content never changes). */
export const audioEtag = (row: Pick<AudioRow, 'sha256'>): string => `"${row.sha256}"`;

/** The file name as a label: no path, no control characters, at most 255 characters; null when nothing is left. */
export function fileNameLabel(raw: string): string | null {
  const base = raw.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 255);
  return clean === '' ? null : clean;
}
