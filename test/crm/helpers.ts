// Multipart uploads and waiting for imports, for the CRM tests.
import { expect } from 'vitest';
import type { Member } from '../helpers/fixtures.js';
import type { TestApp } from '../helpers/test-app.js';

export function cookieOf(member: Member): string {
  return [...member.client.cookieJar!.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
}

/** POST a multipart form (`file` as a CSV named `fileName`, then the fields, or the fields first). */
export async function upload(
  t: TestApp,
  member: Member,
  path: string,
  file: string | Uint8Array | Blob | null,
  fields: Record<string, string> = {},
  options: { fieldsFirst?: boolean; fileName?: string } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const form = new FormData();
  const addFields = () => Object.entries(fields).forEach(([k, v]) => form.append(k, v));
  if (options.fieldsFirst) addFields();
  if (file !== null) form.append('file', file instanceof Blob ? file : new Blob([file], { type: 'text/csv' }), options.fileName ?? 'leads.csv');
  if (!options.fieldsFirst) addFields();
  const response = await fetch(t.url + path, { method: 'POST', body: form, headers: { cookie: cookieOf(member) } });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
}

/** Wait until the import has ended (completed or failed). */
export async function waitForImport(member: Member, id: string, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { data } = await member.client.GET('/api/leads/imports/{id}', { params: { path: { id } } });
    expect(data).toBeDefined();
    if (data!.status === 'completed' || data!.status === 'failed') return data;
    if (Date.now() > deadline) throw new Error(`import ${id} still ${data!.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
