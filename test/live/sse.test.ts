// The live events as Server-Sent Events (GET /api/events): authenticated like the API, the same
// rooms, `Last-Event-ID` replayed (or `resync` when the id is no longer held), events validated
// against asyncapi.yaml, a slow reader disconnected before its buffer passes 1 MiB.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveEventViolations } from '../helpers/live-contract.js';
import { type Member, registerOrg } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let owner: Member;
let apiKey: string;
let agentId: string;

interface SseEvent {
  id: string | undefined;
  event: string;
  data: Record<string, unknown>;
}

/** Reads an SSE response until `until` says enough (or the time is up), then aborts it. */
async function readEvents(headers: Record<string, string>, until: (events: SseEvent[]) => boolean, timeoutMs = 10_000): Promise<{ status: number; events: SseEvent[]; contentType: string | null }> {
  const controller = new AbortController();
  const res = await fetch(`${t.url}/api/events`, { headers, signal: controller.signal });
  const events: SseEvent[] = [];
  if (res.status !== 200 || !res.body) return { status: res.status, events, contentType: res.headers.get('content-type') };
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const deadline = setTimeout(() => controller.abort(), timeoutMs);
  try {
    while (!until(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = Object.fromEntries(block.split('\n').filter((l) => !l.startsWith(':') && l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
        if (fields.event) events.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data ?? '{}') as Record<string, unknown> });
      }
    }
  } catch (err) {
    if ((err as Error).name !== 'AbortError') throw err;
  } finally {
    clearTimeout(deadline);
    controller.abort();
  }
  return { status: res.status, events, contentType: res.headers.get('content-type') };
}

const setStatus = (status: 'available' | 'break' | 'offline') => owner.client.PUT('/api/agents/{id}/status', { params: { path: { id: agentId } }, body: { status } });

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'SSE Org');
  apiKey = (await owner.client.POST('/api/api-keys', { body: { name: 'SSE key', role: 'manager' } })).data!.key;
  agentId = (await owner.client.POST('/api/agents', { body: { name: 'SSE agent', phone: '+13125550150' } })).data!.id;
});
afterAll(async () => t?.close());

describe('GET /api/events', () => {
  it('401 without credentials, in the API error format', async () => {
    const res = await fetch(`${t.url}/api/events`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('UNAUTHORIZED');
  });

  it('streams the organisation\'s events; Last-Event-ID replays what was missed, an unknown id gets resync', async () => {
    const auth = { authorization: `Bearer ${apiKey}` };
    const first = readEvents(auth, (events) => events.some((e) => e.event === 'agent:status:updated'));
    await new Promise((r) => setTimeout(r, 200));
    await setStatus('available');
    const seen = await first;
    expect(seen.status).toBe(200);
    expect(seen.contentType).toContain('text/event-stream');
    const event = seen.events.find((e) => e.event === 'agent:status:updated')!;
    expect(event.data).toMatchObject({ agentId, status: 'available', previousStatus: 'offline' });
    expect(event.id).toBe(event.data.eventId);
    expect(liveEventViolations(event.event, event.data)).toEqual([]);

    // Disconnected: two more changes; reconnecting with the last id replays exactly them, in order.
    await setStatus('break');
    await setStatus('offline');
    const replay = await readEvents({ ...auth, 'last-event-id': event.id! }, (events) => events.length >= 2);
    expect(replay.events.map((e) => e.data.status)).toEqual(['break', 'offline']);
    for (const e of replay.events) expect(liveEventViolations(e.event, e.data)).toEqual([]);

    const unknown = await readEvents({ ...auth, 'last-event-id': 'zzz-000000000001' }, (events) => events.length >= 1);
    expect(unknown.events[0]).toMatchObject({ event: 'resync', data: { reason: 'events_expired' } });
    expect(liveEventViolations('resync', unknown.events[0]!.data)).toEqual([]);
  });

  it('the stream carries the headers of every response (version, request id, rate limit)', async () => {
    const controller = new AbortController();
    const res = await fetch(`${t.url}/api/events`, { headers: { authorization: `Bearer ${apiKey}`, 'x-request-id': 'sse-headers-1' }, signal: controller.signal });
    controller.abort();
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('sse-headers-1');
    expect(res.headers.get('x-api-version')).toBeTruthy();
    expect(res.headers.get('x-service-version')).toBeTruthy();
    expect(Number(res.headers.get('x-ratelimit-limit'))).toBeGreaterThan(0);
    expect(res.headers.get('x-ratelimit-remaining')).not.toBeNull();
    expect(res.headers.get('content-type')).toContain('text/event-stream');
  });

  it('a Last-Event-ID longer than the contract allows is answered 400 naming it, no stream opened', async () => {
    const res = await fetch(`${t.url}/api/events`, { headers: { authorization: `Bearer ${apiKey}`, 'last-event-id': 'a'.repeat(65) } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; error: string; details: unknown };
    expect(body.code).toBe('VALIDATION_ERROR');
    expect(JSON.stringify(body).toLowerCase()).toContain('last-event-id');
  });

  it('HEAD answers the stream\'s headers and ends, holding no stream open', async () => {
    const res = await fetch(`${t.url}/api/events`, { method: 'HEAD', headers: { authorization: `Bearer ${apiKey}` }, signal: AbortSignal.timeout(3000) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    // The answer ended (a stream would never): nothing of it is held.
    expect(await res.text()).toBe('');
  });

  it('another organisation sees none of it', async () => {
    const stranger = await registerOrg(t, 'SSE Stranger');
    const key = (await stranger.client.POST('/api/api-keys', { body: { name: 'k', role: 'manager' } })).data!.key;
    const theirs = readEvents({ authorization: `Bearer ${key}` }, () => false, 1500);
    await new Promise((r) => setTimeout(r, 200));
    await setStatus('available');
    expect((await theirs).events).toEqual([]);
  });
});
