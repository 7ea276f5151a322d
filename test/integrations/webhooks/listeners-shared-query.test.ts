// Who listens is remembered per organisation, and a look-up in flight was shared with every
// caller — also with one inside a transaction. On PGlite (one connection) a look-up started
// outside any transaction (the voice webhook's route load) waits for the connection; a raise
// point inside a transaction that holds it (a lead created, a call's status) awaited that very
// look-up: neither could go on, and the server stopped answering. (With PostgreSQL the same when
// transactions held every pooled connection.) A look-up in flight is now shared only with callers
// on the same connection handle; a settled answer with everybody.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgetEventListeners, listenedTypes } from '../../../server/platform/events/listeners.js';
import { raiseEvent } from '../../../server/platform/events/raise.js';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { createEndpoint } from './helpers.js';

let t: TestApp;
let owner: Member;
const data = { agentId: '00000000-0000-4000-8000-000000000001', status: 'available' };

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Shared Look-up Org');
});
afterAll(async () => t.close());

const within = <T>(ms: number, work: Promise<T>) =>
  Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms))]);

describe('a look-up of who listens, in flight outside a transaction', () => {
  it('does not hold up a raise point inside a transaction', async () => {
    await createEndpoint(owner, { url: 'https://hooks.example.com/all', events: ['*'] });
    forgetEventListeners();
    let outside: Promise<unknown> | undefined;
    const raised = await t.db.transaction().execute(async (trx) => {
      outside = listenedTypes(t.db, owner.orgId, ['call.started']);
      outside.catch(() => {});
      const work = raiseEvent(trx, { orgId: owner.orgId, type: 'agent.status_changed', data });
      work.catch(() => {});
      return within(3000, work);
    });
    expect(raised.deliveries).toBe(1);
    await expect(outside!).resolves.toEqual(['call.started']);
  });
});
