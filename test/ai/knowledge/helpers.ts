// Knowledge-base requests through the SDK client (multipart uploads pass a FormData body through
// untouched), waiting for processing, and AI agents inserted directly (their API is another area's).
import type { Client } from '../../helpers/fixtures.js';
import type { TestApp } from '../../helpers/test-app.js';
import { waitFor } from '../../helpers/wait-for.js';

export interface KbUpload {
  data: Buffer;
  filename?: string;
  /** The part's content type as the client claims it (never trusted by the server). */
  type?: string;
  agentId?: string;
  title?: string;
  category?: string;
  extra?: Record<string, string>;
  /** Seed 004's path (the deprecated alias). */
  legacy?: boolean;
}

export function kbForm(input: KbUpload): FormData {
  const form = new FormData();
  if (input.agentId !== undefined) form.append('agentId', input.agentId);
  if (input.title !== undefined) form.append('title', input.title);
  if (input.category !== undefined) form.append('category', input.category);
  for (const [key, value] of Object.entries(input.extra ?? {})) form.append(key, value);
  form.append('file', new Blob([input.data], { type: input.type ?? 'application/octet-stream' }), input.filename ?? 'document.txt');
  return form;
}

export function kbUpload(client: Client, input: KbUpload) {
  const form = kbForm(input);
  const path = input.legacy ? '/api/knowledge-base/upload' : '/api/knowledge-base';
  return client.POST(path, { body: {} as never, bodySerializer: () => form });
}

/** The document once it is no longer `processing`. */
export async function waitProcessed(client: Client, id: string) {
  const { data } = await waitFor(
    `knowledge document ${id} processed`,
    () => client.GET('/api/knowledge-base/{id}', { params: { path: { id } } }),
    (r) => r.data !== undefined && r.data.status !== 'processing',
  );
  return data!;
}

/** Upload, expect 201, wait for the end of processing. */
export async function uploadProcessed(client: Client, input: KbUpload) {
  const created = await kbUpload(client, input);
  if (created.response.status !== 201 || !created.data) throw new Error(`upload failed: ${created.response.status} ${JSON.stringify(created.error)}`);
  return waitProcessed(client, created.data.id);
}

/** An AI agent of the organisation (the row its API would write). */
export async function insertAgent(t: TestApp, orgId: string, name: string, options: { archived?: boolean } = {}): Promise<string> {
  const row = await t.db
    .insertInto('ai_agents')
    .values({ org_id: orgId, name, system_prompt: 'You answer questions about our products.', model: 'gpt-4o-mini', ...(options.archived ? { archived_at: new Date() } : {}) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
