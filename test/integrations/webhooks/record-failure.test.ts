// A database error while recording one delivery's try must not end the pass while the pass's other
// sends are still in flight: their answers would go unrecorded (and the shutdown that awaits the
// pass would not wait for them), so they were sent again once their claim lapsed. The pass now
// records every try it can, then throws the first error to the runner.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WEBHOOK_QUEUE } from '../../../server/integrations/webhooks/queue.js';
import { createDeliveryDispatcher, deliverDue } from '../../../server/platform/deliveries/worker.js';
import type { DeliveryOptions } from '../../../server/platform/deliveries/types.js';
import { raiseEvent } from '../../../server/platform/events/raise.js';
import { createOutboundPolicy } from '../../../server/platform/http/outbound/url-policy.js';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { createEndpoint, deliveryRows } from './helpers.js';

// Recording the try of a delivery to /broken fails as a lost database connection would.
vi.mock('../../../server/platform/deliveries/queries.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../server/platform/deliveries/queries.js')>();
  return {
    ...real,
    recordAttempt: async (...args: Parameters<typeof real.recordAttempt>) => {
      if (args[2].url.endsWith('/broken')) throw new Error('connection terminated');
      return real.recordAttempt(...args);
    },
  };
});

let t: TestApp;
let owner: Member;
let server: Server;
let url: string;
let options: DeliveryOptions;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Record Failure Org');
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => setTimeout(() => res.writeHead(200).end('ok'), req.url === '/slow' ? 700 : 0));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const policy = createOutboundPolicy(t.config.outboundAllowPrivate);
  options = { dispatcher: createDeliveryDispatcher(policy, { timeoutMs: 5000 }), policy, retryBaseMs: 0, timeoutMs: 5000 };
});
afterAll(async () => {
  await options?.dispatcher.close();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await t?.close();
});

const agentData = { agentId: '9c3e5a7b-1d2f-4a6b-8c0d-2e4f6a8b0c1d', status: 'busy', previousStatus: 'available', reason: 'user', statusVersion: 2, changedAt: '2025-08-04T11:55:10.000Z' };

describe('a pass where recording one try fails', () => {
  it('still records the others (a slower answer included) before it throws the error', async () => {
    const broken = await createEndpoint(owner, { url: `${url}/broken`, events: ['*'] });
    const slow = await createEndpoint(owner, { url: `${url}/slow`, events: ['*'] });
    await raiseEvent(t.db, { orgId: owner.orgId, type: 'agent.status_changed', data: agentData });
    await expect(deliverDue(t.db, WEBHOOK_QUEUE, options)).rejects.toThrow('connection terminated');
    // At the moment the pass gave up, the slow receiver's answer was already recorded.
    expect((await deliveryRows(t, slow.id)).map((r) => [r.status, r.attempts])).toEqual([['delivered', 1]]);
    expect((await deliveryRows(t, broken.id)).map((r) => r.status)).toEqual(['pending']);
  });
});
