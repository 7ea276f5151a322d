// Presence changes racing each other (people through the API, calls through setAgentPresence
// with compare-and-set): the final status is one that was asked for, and the history is one
// unbroken chain — each row's from_status is the previous row's to_status, and the last row's
// to_status is the agent's status. On PostgreSQL the changes run on many connections at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentStatus } from '../../db/types.js';
import { setAgentPresence } from '../../server/dialer/agents/presence.js';
import { addMember, type Member, registerOrg } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let owner: Member;
let manager: Member;

const STATUSES: AgentStatus[] = ['available', 'busy', 'offline', 'break'];

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Presence Org');
  manager = await addMember(t, owner, 'manager');
});
afterAll(async () => t.close());

async function newAgent(name: string): Promise<string> {
  const { data } = await manager.client.POST('/api/agents', { body: { name, phone: '+14155553333' } });
  if (!data) throw new Error('createAgent failed');
  return data.id;
}

async function expectConsistent(agentId: string, requested: Set<AgentStatus>) {
  const agent = await t.db.selectFrom('agents').selectAll().where('id', '=', agentId).executeTakeFirstOrThrow();
  const history = await t.db.selectFrom('agent_status_changes').selectAll().where('agent_id', '=', agentId).orderBy('id').execute();
  expect(requested.has(agent.status) || history.length === 0).toBe(true);
  expect(history[0]?.from_status ?? 'offline').toBe('offline');
  for (let i = 1; i < history.length; i++) {
    expect({ i, from: history[i]!.from_status }).toEqual({ i, from: history[i - 1]!.to_status });
    expect(history[i]!.changed_at.getTime()).toBeGreaterThanOrEqual(history[i - 1]!.changed_at.getTime());
  }
  for (const h of history) expect(h.from_status).not.toBe(h.to_status);
  expect(history.at(-1)?.to_status ?? 'offline').toBe(agent.status);
  expect(agent.status_version).toBe(history.length);
  return { agent, history };
}

describe('concurrent presence changes', () => {
  it('many unconditional changes at once end in a requested status with an unbroken history', async () => {
    const agentId = await newAgent('Racer');
    const asked = Array.from({ length: 60 }, (_, i) => STATUSES[(i * 7 + 1) % 4]!);
    await Promise.all(asked.map((to, i) => setAgentPresence(t.db, owner.orgId, agentId, { to, reason: i % 2 === 0 ? 'user' : 'call' })));
    const { history } = await expectConsistent(agentId, new Set(asked));
    expect(history.length).toBeGreaterThan(0);
  });

  it('compare-and-set: of many calls claiming an available agent at once exactly one wins', async () => {
    const agentId = await newAgent('Claimed');
    await setAgentPresence(t.db, owner.orgId, agentId, { to: 'available', reason: 'user' });
    const results = await Promise.all(
      Array.from({ length: 30 }, () => setAgentPresence(t.db, owner.orgId, agentId, { from: 'available', to: 'busy', reason: 'call' })),
    );
    expect(results.filter((r) => r.outcome === 'changed')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'conflict' || r.outcome === 'unchanged')).toHaveLength(29);
    const { agent } = await expectConsistent(agentId, new Set(['busy']));
    expect(agent.status).toBe('busy');
  });

  it('people and calls mixed through the API and the function keep the chain', async () => {
    const agentId = await newAgent('Mixed');
    const asked: AgentStatus[] = [];
    const work: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i++) {
      const to = STATUSES[(i * 3) % 4]!;
      asked.push(to);
      work.push(
        i % 3 === 0
          ? manager.client.PUT('/api/agents/{id}/status', { params: { path: { id: agentId } }, body: { status: to } })
          : setAgentPresence(t.db, owner.orgId, agentId, { to, reason: 'call', ...(i % 2 === 0 ? { from: 'available' as const } : {}) }),
      );
    }
    await Promise.all(work);
    await expectConsistent(agentId, new Set(asked));
  });

  it('answers not_found for another organisation or an unknown agent', async () => {
    const agentId = await newAgent('Mine');
    const other = await registerOrg(t, 'Other');
    expect(await setAgentPresence(t.db, other.orgId, agentId, { to: 'available', reason: 'call' })).toEqual({ outcome: 'not_found' });
    expect(await setAgentPresence(t.db, owner.orgId, '00000000-0000-4000-8000-000000000000', { to: 'available', reason: 'call' })).toEqual({ outcome: 'not_found' });
  });
});
