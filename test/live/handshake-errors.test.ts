// A refused Socket.IO handshake answers in the API's one error format (seed 000: error, code,
// details, timestamp, requestId) as `connect_error`'s `data`, its message "Unauthorized" as
// documented; a handshake the server failed to check (the database unreachable) is not told
// "Unauthorized" — a client would take its credentials for bad and never retry — but
// INTERNAL_ERROR, "Internal server error".
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Member, registerOrg } from '../helpers/fixtures.js';
import { connected, recordingClient, type RecordingClient } from '../helpers/live-contract.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let owner: Member;
let apiKey: string;
const clients: RecordingClient[] = [];

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Handshake Errors Org');
  apiKey = (await owner.client.POST('/api/api-keys', { body: { name: 'k', role: 'manager' } })).data!.key;
});
afterAll(async () => {
  for (const c of clients) c.close();
  await t?.close();
});

async function refusal(options: Parameters<typeof recordingClient>[1]): Promise<Error & { data?: Record<string, unknown> }> {
  const c = recordingClient(t.url, options);
  clients.push(c);
  return connected(c.socket).then(
    () => {
      throw new Error('connected');
    },
    (err: unknown) => err as Error & { data?: Record<string, unknown> },
  );
}

const errorFormat = (code: string, error: string) => ({ code, error, details: expect.anything() as unknown, timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown, requestId: expect.any(String) as unknown });

describe('handshake errors', () => {
  it('a refusal: "Unauthorized", its data in the API error format', async () => {
    const err = await refusal({ auth: { token: 'not-a-key' } });
    expect(err.message).toBe('Unauthorized');
    expect(err.data).toEqual(errorFormat('UNAUTHORIZED', 'Authentication required'));
  });

  it('the server failing to check the credentials: INTERNAL_ERROR, not Unauthorized', async () => {
    await sql`ALTER TABLE api_keys RENAME TO api_keys_hidden`.execute(t.db);
    let err: Error & { data?: Record<string, unknown> };
    try {
      err = await refusal({ auth: { token: apiKey } });
    } finally {
      await sql`ALTER TABLE api_keys_hidden RENAME TO api_keys`.execute(t.db);
    }
    expect(err.message).toBe('Internal server error');
    expect(err.data).toEqual({ ...errorFormat('INTERNAL_ERROR', 'Internal server error'), details: null });
    // The same credentials connect once the database answers.
    const c = recordingClient(t.url, { auth: { token: apiKey } });
    clients.push(c);
    await connected(c.socket);
  });
});
