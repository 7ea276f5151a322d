// Raising an event nobody listens to costs no SQL: who listens is remembered a second per
// organisation (server/platform/events/listeners.ts). A change made through the API is seen at
// once; an endpoint written by another instance (here: straight into the table) within the second.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LISTENERS_TTL_MS } from '../../../server/platform/events/listeners.js';
import { raiseEvent } from '../../../server/platform/events/raise.js';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { createEndpoint, deliveryRows } from './helpers.js';

let t: TestApp;
let owner: Member;
const data = { agentId: '00000000-0000-4000-8000-000000000001', status: 'available' };

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Listeners Org');
});
afterAll(async () => t.close());

const raise = () => raiseEvent(t.db, { orgId: owner.orgId, type: 'agent.status_changed', data });

describe('who listens to events', () => {
  it('sees an endpoint made through the API at once, and one written elsewhere within a second', async () => {
    expect((await raise()).deliveries).toBe(0);
    const subscribed = await createEndpoint(owner, { url: 'https://hooks.example.com/agents', events: ['agent.status_changed'] });
    expect((await raise()).deliveries).toBe(1);
    expect(await deliveryRows(t, subscribed.id)).toHaveLength(1);

    // Another instance's endpoint (written to the table, not through this server's API).
    const other = await t.db
      .insertInto('webhook_endpoints')
      .values({ org_id: owner.orgId, url: 'https://hooks.example.com/all', events: JSON.stringify(['*']), signing_secret: 'unused', is_active: true })
      .returning('id')
      .executeTakeFirstOrThrow();
    await new Promise((r) => setTimeout(r, LISTENERS_TTL_MS + 50));
    expect((await raise()).deliveries).toBe(2);
    expect(await deliveryRows(t, other.id)).toHaveLength(1);
  });

  it('raises nothing for a type nobody subscribes to, one delivery for the type subscribed', async () => {
    const org = await registerOrg(t, 'Listeners Org 2');
    const endpoint = await createEndpoint(org, { url: 'https://hooks.example.com/calls', events: ['lead.updated'] });
    expect((await raiseEvent(t.db, { orgId: org.orgId, type: 'lead.created', data })).deliveries).toBe(0);
    expect(await deliveryRows(t, endpoint.id)).toHaveLength(0);
    expect((await raiseEvent(t.db, { orgId: org.orgId, type: 'lead.updated', data })).deliveries).toBe(1);
    expect(await deliveryRows(t, endpoint.id)).toHaveLength(1);
  });
});
