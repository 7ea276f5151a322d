// A lead given to another agent: `lead_updated` reaches the user it was assigned to as well as the
// one it now is (the first must learn it is no longer theirs), and the organisation's managers; a
// third agent gets nothing of it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, type Member, registerOrg } from '../helpers/fixtures.js';
import { connected, recordingClient, type RecordingClient } from '../helpers/live-contract.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let owner: Member;
const clients: RecordingClient[] = [];

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Lead Reassigned Org');
});
afterAll(async () => {
  for (const c of clients) c.close();
  await t?.close();
});

async function socketOf(member: Member): Promise<RecordingClient> {
  const token = (await member.client.POST('/api/events/token')).data!.token;
  const c = recordingClient(t.url, { auth: { token } });
  clients.push(c);
  await connected(c.socket);
  return c;
}

describe('lead_updated on reassignment', () => {
  it('reaches the previous assignee, the new one and the managers, not another agent', async () => {
    const [first, second, third] = await Promise.all([addMember(t, owner, 'agent'), addMember(t, owner, 'agent'), addMember(t, owner, 'agent')]);
    const lead = (await owner.client.POST('/api/leads', { body: { phone: '+14155550311', name: 'Passed On', assignedTo: first!.id } })).data!;
    const [was, now, other, manager] = await Promise.all([socketOf(first!), socketOf(second!), socketOf(third!), socketOf(owner)]);
    const res = await owner.client.PUT('/api/leads/{id}', { params: { path: { id: lead.id } }, body: { assignedTo: second!.id } });
    expect(res.response.status).toBe(200);
    for (const c of [was, now, manager]) {
      const event = await c.waitFor((e) => e.name === 'lead_updated' && e.payload.leadId === lead.id);
      expect(event.payload.changes).toEqual({ assignedTo: second!.id });
      expect(c.violations).toEqual([]);
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(other.events.filter((e) => e.name === 'lead_updated')).toEqual([]);
    // Once it is the second's, a change of notes no longer reaches the first.
    await owner.client.PUT('/api/leads/{id}', { params: { path: { id: lead.id } }, body: { notes: 'Second call' } });
    await now.waitFor((e) => e.name === 'lead_updated' && (e.payload.changes as Record<string, unknown>).notes === 'Second call');
    await new Promise((r) => setTimeout(r, 200));
    expect(was.events.filter((e) => e.name === 'lead_updated')).toHaveLength(1);
  });
});
