// Uploading audio through the SDK client as multipart/form-data (the SDK passes a FormData body
// through untouched; the browser-style boundary comes from fetch).
import type { Client } from '../helpers/fixtures.js';

export interface UploadInput {
  data: Buffer;
  filename?: string;
  /** The part's content type as the client claims it (never trusted by the server). */
  type?: string;
  name?: string;
  category?: string;
  description?: string;
  extra?: Record<string, string>;
}

export function audioForm(input: UploadInput): FormData {
  const form = new FormData();
  if (input.name !== undefined) form.append('name', input.name);
  if (input.category !== undefined) form.append('category', input.category);
  if (input.description !== undefined) form.append('description', input.description);
  for (const [key, value] of Object.entries(input.extra ?? {})) form.append(key, value);
  form.append('audio', new Blob([input.data], { type: input.type ?? 'application/octet-stream' }), input.filename ?? 'greeting.mp3');
  return form;
}

export function upload(client: Client, input: UploadInput) {
  const form = audioForm({ name: 'Greeting', ...input });
  return client.POST('/api/audio', { body: {} as never, bodySerializer: () => form });
}
