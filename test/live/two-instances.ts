// Shared by the two-instance live-event tests (PostgreSQL adapter, Redis streams adapter): two
// servers over one database; clients on each; an event raised on either reaches clients on both,
// SSE included, and stays in its organisation.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Member, registerOrg } from '../helpers/fixtures.js';
import { connected, recordingClient, type RecordingClient } from '../helpers/live-contract.js';
import { startTestApp, startTestAppSharing, type TestApp } from '../helpers/test-app.js';

export async function eventsCrossInstances(a: TestApp, b: TestApp): Promise<void> {
  const owner: Member = await registerOrg(a, 'Cluster Org');
  const key = (await owner.client.POST('/api/api-keys', { body: { name: 'k', role: 'manager' } })).data!.key;
  const agentId = (await owner.client.POST('/api/agents', { body: { name: 'Cluster agent', phone: '+13125550140' } })).data!.id;
  const clients: RecordingClient[] = [recordingClient(a.url, { auth: { token: key } }), recordingClient(b.url, { auth: { token: key } })];
  const stranger = await registerOrg(b, 'Cluster Stranger');
  const strangerKey = (await stranger.client.POST('/api/api-keys', { body: { name: 'k', role: 'manager' } })).data!.key;
  const outsider = recordingClient(b.url, { auth: { token: strangerKey } });
  try {
    await Promise.all([...clients, outsider].map((c) => connected(c.socket)));
    // SSE on instance B.
    const controller = new AbortController();
    const sse = await fetch(`${b.url}/api/events`, { headers: { authorization: `Bearer ${key}` }, signal: controller.signal });
    const sseText = (async () => {
      let text = '';
      const reader = sse.body!.getReader();
      try {
        while (!text.includes('"status":"break"')) {
          const { value, done } = await reader.read();
          if (done) break;
          text += new TextDecoder().decode(value);
        }
      } catch {
        // aborted
      }
      return text;
    })();
    await new Promise((r) => setTimeout(r, 300));
    // Raised on A (through A's API) and on B (through B's API).
    await owner.client.PUT('/api/agents/{id}/status', { params: { path: { id: agentId } }, body: { status: 'available' } });
    const viaB = b.client();
    await viaB.POST('/api/login', { body: { email: owner.email, password: 'correct-horse-battery' } });
    await viaB.PUT('/api/agents/{id}/status', { params: { path: { id: agentId } }, body: { status: 'break' } });
    for (const c of clients) {
      await c.waitFor((e) => e.name === 'agent:status:updated' && e.payload.status === 'available');
      await c.waitFor((e) => e.name === 'agent:status:updated' && e.payload.status === 'break');
      expect(c.violations).toEqual([]);
    }
    const text = await Promise.race([sseText, new Promise<string>((r) => setTimeout(() => r('timeout'), 10_000))]);
    controller.abort();
    expect(text).toContain('"status":"available"');
    expect(text).toContain('"status":"break"');
    expect(outsider.events).toEqual([]);
  } finally {
    for (const c of [...clients, outsider]) c.close();
  }
}

/**
 * Two instances over one test database with the given adapter, started before the describe's
 * tests and closed after, and the cross-instance test above; the instances for the other tests.
 */
export function withTwoInstances(live: 'postgres' | 'redis'): { a: () => TestApp; b: () => TestApp } {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await startTestApp({ live });
    b = await startTestAppSharing(a, { live });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });
  it('an event raised on either instance reaches Socket.IO and SSE clients on both, and stays in its organisation', async () => {
    await eventsCrossInstances(a, b);
  });
  return { a: () => a, b: () => b };
}
