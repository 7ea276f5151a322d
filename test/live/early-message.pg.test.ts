// A client's message sent the moment it is connected, while the server is still joining it to its
// rooms, is answered (PostgreSQL: the agents table is held locked so that the server's room look-up
// waits). A listener added only after that look-up missed such a message, and the client waited
// for an acknowledgement that never came (seen as a 30 s timeout in a loaded test run).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, type Member, registerOrg } from '../helpers/fixtures.js';
import { connected, recordingClient, type RecordingClient } from '../helpers/live-contract.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let agentUser: Member;
let ownAgentId: string;
const clients: RecordingClient[] = [];

beforeAll(async () => {
  t = await startTestApp();
  const owner = await registerOrg(t, 'Early Org');
  agentUser = await addMember(t, owner, 'agent');
  const groupId = (await owner.client.POST('/api/agent-groups', { body: { name: 'Early agents' } })).data!.id;
  ownAgentId = (await owner.client.POST('/api/agents', { body: { name: 'Early agent', phone: '+13125550180', groupId, userId: agentUser.id } })).data!.id;
});

afterAll(async () => {
  for (const c of clients) c.close();
  await t?.close();
});

describe('a message sent at once after connecting', () => {
  it('agent:join is acknowledged once the rooms are joined, not lost', async () => {
    const token = (await agentUser.client.POST('/api/events/token')).data!.token;
    let answer: Promise<unknown> | undefined;
    await t.db.transaction().execute(async (trx) => {
      await sql`LOCK TABLE agents IN ACCESS EXCLUSIVE MODE`.execute(trx);
      const c = recordingClient(t.url, { auth: { token } });
      clients.push(c);
      await connected(c.socket);
      answer = c.socket.timeout(10_000).emitWithAck('agent:join', { agentId: ownAgentId });
      answer.catch(() => {}); // awaited below
      await new Promise((r) => setTimeout(r, 300)); // the server's room look-up waits for this lock
    });
    await expect(answer).resolves.toEqual({ ok: true });
  });
});
