// A key revoked while its SSE request is being set up (authenticated, its rooms being read): the
// revocation's check of open connections ran before the stream was tracked, so the stream must
// check its caller itself once tracked — not stay open until the next periodic check (30 s).
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Member, registerOrg } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let owner: Member;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'SSE Revoked Org');
});
afterAll(async () => t?.close());

it('a stream whose key was revoked while it opened ends at once', async () => {
  const created = (await owner.client.POST('/api/api-keys', { body: { name: 'agent key', role: 'agent' } })).data!;
  let res: Response | undefined;
  // An agent's rooms are read from `agents`: the request waits there, authenticated, while the key is revoked.
  await t.db.transaction().execute(async (trx) => {
    await sql`LOCK TABLE agents IN ACCESS EXCLUSIVE MODE`.execute(trx);
    const pending = fetch(`${t.url}/api/events`, { headers: { authorization: `Bearer ${created.key}` }, signal: AbortSignal.timeout(8000) });
    await new Promise((r) => setTimeout(r, 300));
    await trx.updateTable('api_keys').set({ revoked_at: new Date() }).where('id', '=', created.id).execute();
    void pending.then((r) => (res = r));
  });
  t.app.live.hub.recheckCallers();
  await new Promise((r) => setTimeout(r, 500));
  expect(res?.status).toBe(200);
  // The stream ends by itself well before the periodic check.
  const body = await res!.text();
  expect(body).toContain('retry:');
});
