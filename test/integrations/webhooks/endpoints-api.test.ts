// /api/webhook-endpoints (issue 19 item 4): CRUD scoped by organisation, the secret shown once and
// rotated, validation (a bad body is a 400 naming the field and changes nothing), the outbound
// guard's save-time check, roles (managers and above), disabling and re-enabling by hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Member, addMember, registerOrg } from '../../helpers/fixtures.js';
import { snapshotTables } from '../../helpers/db-snapshot.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { createEndpoint } from './helpers.js';

let t: TestApp;
let owner: Member;
let manager: Member;
let agent: Member;

const path = (id: string) => ({ params: { path: { id } } });
const URL_OK = 'http://127.0.0.1:9/hooks';

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Webhook Org');
  manager = await addMember(t, owner, 'manager');
  agent = await addMember(t, owner, 'agent');
});
afterAll(async () => t.close());

describe('webhook endpoints: CRUD', () => {
  it('creates an endpoint with its secret shown once, then only its hint', async () => {
    const created = await createEndpoint(manager, { url: `${URL_OK} `, events: ['call.completed', 'lead.qualified'], description: '  Our CRM ' });
    expect(created).toMatchObject({
      url: URL_OK,
      description: 'Our CRM',
      events: ['call.completed', 'lead.qualified'],
      isActive: true,
      disabledAt: null,
      disabledReason: null,
      consecutiveFailures: 0,
      deliveries: { pending: 0, delivered: 0, failed: 0 },
    });
    expect(created.secret).toMatch(/^whsec_[0-9A-Za-z_-]{43}$/);
    expect(created.secretHint).toBe(`whsec_…${created.secret.slice(-4)}`);

    const read = await owner.client.GET('/api/webhook-endpoints/{id}', path(created.id));
    expect(read.response.status).toBe(200);
    const { secret, ...shown } = created;
    expect(read.data).toEqual(shown);
    expect(JSON.stringify(read.data)).not.toContain(secret);
    const list = await owner.client.GET('/api/webhook-endpoints');
    expect(list.data!.find((e) => e.id === created.id)).toEqual(shown);
    expect(JSON.stringify(list.data)).not.toContain(secret);
    // Stored sealed: the raw column is ciphertext.
    const raw = await t.rawDb.selectFrom('webhook_endpoints').select('signing_secret').where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(raw.signing_secret).toMatch(/^enc:v1:/);
    expect(raw.signing_secret).not.toContain(secret.slice(6));
  });

  it("stores '*' alone when it is among the events", async () => {
    const created = await createEndpoint(owner, { url: URL_OK, events: ['lead.created', '*'] });
    expect(created.events).toEqual(['*']);
  });

  it('changes only the fields sent, then deletes (404 afterwards)', async () => {
    const created = await createEndpoint(owner, { url: URL_OK, events: ['lead.updated'] });
    const updated = await manager.client.PUT('/api/webhook-endpoints/{id}', { ...path(created.id), body: { events: ['agent.status_changed'], description: null } });
    expect(updated.response.status).toBe(200);
    expect(updated.data).toMatchObject({ url: URL_OK, events: ['agent.status_changed'], description: null, isActive: true, secretHint: created.secretHint });
    const deleted = await manager.client.DELETE('/api/webhook-endpoints/{id}', path(created.id));
    expect(deleted.response.status).toBe(204);
    expect((await owner.client.GET('/api/webhook-endpoints/{id}', path(created.id))).response.status).toBe(404);
    expect((await owner.client.DELETE('/api/webhook-endpoints/{id}', path(created.id))).response.status).toBe(404);
  });

  it('rotates the secret: the new one shown once, the old one gone', async () => {
    const created = await createEndpoint(owner, { url: URL_OK, events: ['*'] });
    const rotated = await owner.client.POST('/api/webhook-endpoints/{id}/rotate-secret', path(created.id));
    expect(rotated.response.status).toBe(200);
    expect(rotated.data!.secret).toMatch(/^whsec_/);
    expect(rotated.data!.secret).not.toBe(created.secret);
    const stored = await t.db.selectFrom('webhook_endpoints').select('signing_secret').where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(stored.signing_secret).toBe(rotated.data!.secret);
  });

  it('disables by hand (reason visible, pending deliveries ended) and re-enables (streak cleared)', async () => {
    const created = await createEndpoint(owner, { url: URL_OK, events: ['*'] });
    await owner.client.POST('/api/webhook-endpoints/{id}/test', path(created.id));
    await t.db.updateTable('webhook_endpoints').set({ consecutive_failures: 4 }).where('id', '=', created.id).execute();
    const off = await owner.client.PUT('/api/webhook-endpoints/{id}', { ...path(created.id), body: { isActive: false } });
    expect(off.data).toMatchObject({ isActive: false, disabledReason: 'disabled through the API', consecutiveFailures: 4, deliveries: { pending: 0, delivered: 0, failed: 1 } });
    expect(off.data!.disabledAt).not.toBeNull();
    const log = await owner.client.GET('/api/webhook-endpoints/{id}/deliveries', path(created.id));
    expect(log.data!.deliveries[0]).toMatchObject({ eventType: 'ping', status: 'failed', lastError: 'endpoint disabled: disabled through the API', nextAttemptAt: null });
    // Disabling again changes nothing; re-enabling clears why and when, and the streak.
    const again = await owner.client.PUT('/api/webhook-endpoints/{id}', { ...path(created.id), body: { isActive: false } });
    expect(again.data!.disabledAt).toBe(off.data!.disabledAt);
    const on = await owner.client.PUT('/api/webhook-endpoints/{id}', { ...path(created.id), body: { isActive: true } });
    expect(on.data).toMatchObject({ isActive: true, disabledAt: null, disabledReason: null, consecutiveFailures: 0 });
  });

  it('points pending retries at a new URL', async () => {
    const created = await createEndpoint(owner, { url: URL_OK, events: ['*'] });
    await owner.client.POST('/api/webhook-endpoints/{id}/test', path(created.id));
    const moved = 'http://127.0.0.1:10/moved';
    await owner.client.PUT('/api/webhook-endpoints/{id}', { ...path(created.id), body: { url: moved } });
    const log = await owner.client.GET('/api/webhook-endpoints/{id}/deliveries', path(created.id));
    expect(log.data!.deliveries.map((d) => [d.status, d.url])).toEqual([['pending', moved]]);
  });
});

describe('webhook endpoints: validation', () => {
  it('answers 400 naming the field for bad bodies, and changes nothing', async () => {
    const created = await createEndpoint(owner, { url: URL_OK, events: ['*'] });
    const before = await snapshotTables(t.db, { api_keys: ['last_used_at'] });
    const bad: Array<[string, Promise<{ response: Response; error?: unknown }>]> = [
      ['url', owner.client.POST('/api/webhook-endpoints', { body: { url: 'ftp://example.com/x', events: ['*'] } })],
      ['url', owner.client.POST('/api/webhook-endpoints', { body: { url: 'not a url', events: ['*'] } })],
      ['url', owner.client.POST('/api/webhook-endpoints', { body: { url: 'http://169.254.169.254/latest/meta-data/', events: ['*'] } })],
      ['url', owner.client.POST('/api/webhook-endpoints', { body: { url: 'http://10.0.0.1/hook', events: ['*'] } })],
      ['url', owner.client.POST('/api/webhook-endpoints', { body: { url: 'http://localhost:8080/hook', events: ['*'] } })],
      ['events', owner.client.POST('/api/webhook-endpoints', { body: { url: URL_OK, events: [] } })],
      ['events.0', owner.client.POST('/api/webhook-endpoints', { body: { url: URL_OK, events: ['call.exploded' as 'call.started'] } })],
      ['events', owner.client.POST('/api/webhook-endpoints', { body: { url: URL_OK } as never })],
      ['events', owner.client.POST('/api/webhook-endpoints', { body: { url: URL_OK, events: ['ping' as 'call.started'] } })],
      ['secret', owner.client.POST('/api/webhook-endpoints', { body: { url: URL_OK, events: ['*'], secret: 'mine' } as never })],
      ['description', owner.client.POST('/api/webhook-endpoints', { body: { url: URL_OK, events: ['*'], description: 'x'.repeat(501) } })],
      ['url', owner.client.PUT('/api/webhook-endpoints/{id}', { ...path(created.id), body: { url: 'http://[::1]/hook' } })],
      ['body', owner.client.PUT('/api/webhook-endpoints/{id}', { ...path(created.id), body: {} })],
      ['isActive', owner.client.PUT('/api/webhook-endpoints/{id}', { ...path(created.id), body: { isActive: 'yes' as never } })],
      ['status', owner.client.GET('/api/webhook-endpoints/{id}/deliveries', { params: { path: { id: created.id }, query: { status: 'lost' as 'failed' } } })],
      ['limit', owner.client.GET('/api/webhook-endpoints/{id}/deliveries', { params: { path: { id: created.id }, query: { limit: 101 } } })],
    ];
    for (const [field, request] of bad) {
      const { response, error } = await request;
      const details = (error as { details?: Record<string, string> }).details ?? {};
      expect({ field, status: response.status, named: Object.keys(details).some((k) => k === field || k.startsWith(`${field}.`) || k === field.split('.')[0]) }).toEqual({
        field,
        status: 400,
        named: true,
      });
    }
    expect(await snapshotTables(t.db, { api_keys: ['last_used_at'] })).toEqual(before);
  });

  it('answers 404 for a malformed or unknown id, and for a delivery of another endpoint', async () => {
    const a = await createEndpoint(owner, { url: URL_OK, events: ['*'] });
    const b = await createEndpoint(owner, { url: URL_OK, events: ['*'] });
    const ping = await owner.client.POST('/api/webhook-endpoints/{id}/test', path(a.id));
    await t.db.updateTable('webhook_deliveries').set({ status: 'failed' }).where('id', '=', ping.data!.id).execute();
    const unknown = '4f1c2b3a-5d6e-4f70-8a9b-0c1d2e3f4a5b';
    const attempts = await Promise.all([
      owner.client.GET('/api/webhook-endpoints/{id}', path('not-a-uuid')),
      owner.client.GET('/api/webhook-endpoints/{id}', path(unknown)),
      owner.client.POST('/api/webhook-endpoints/{id}/test', path(unknown)),
      owner.client.POST('/api/webhook-endpoints/{id}/rotate-secret', path('1')),
      owner.client.GET('/api/webhook-endpoints/{id}/deliveries', path(unknown)),
      owner.client.POST('/api/webhook-endpoints/{id}/deliveries/{deliveryId}/replay', { params: { path: { id: b.id, deliveryId: ping.data!.id } } }),
      owner.client.POST('/api/webhook-endpoints/{id}/deliveries/{deliveryId}/replay', { params: { path: { id: a.id, deliveryId: 'x1' } } }),
      owner.client.POST('/api/webhook-endpoints/{id}/deliveries/{deliveryId}/replay', { params: { path: { id: a.id, deliveryId: '99999999999999999999' } } }),
    ]);
    expect(attempts.map((a) => [a.response.status, (a.error as { code?: string }).code])).toEqual(attempts.map(() => [404, 'RESOURCE_NOT_FOUND']));
  });
});

describe('webhook endpoints: roles', () => {
  it('lets managers and above in; an agent gets 403 (payloads carry the whole organisation’s leads and calls)', async () => {
    const created = await createEndpoint(owner, { url: URL_OK, events: ['*'] });
    const denied = await Promise.all([
      agent.client.GET('/api/webhook-endpoints'),
      agent.client.POST('/api/webhook-endpoints', { body: { url: URL_OK, events: ['*'] } }),
      agent.client.GET('/api/webhook-endpoints/{id}', path(created.id)),
      agent.client.PUT('/api/webhook-endpoints/{id}', { ...path(created.id), body: { isActive: false } }),
      agent.client.DELETE('/api/webhook-endpoints/{id}', path(created.id)),
      agent.client.POST('/api/webhook-endpoints/{id}/rotate-secret', path(created.id)),
      agent.client.POST('/api/webhook-endpoints/{id}/test', path(created.id)),
      agent.client.GET('/api/webhook-endpoints/{id}/deliveries', path(created.id)),
    ]);
    expect(denied.map((d) => d.response.status)).toEqual(denied.map(() => 403));
    const anonymous = await t.client().GET('/api/webhook-endpoints');
    expect(anonymous.response.status).toBe(401);
  });
});
