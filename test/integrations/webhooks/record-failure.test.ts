// A database error while recording one delivery's try must not end the pass while the pass's other
// sends are still in flight: their answers would go unrecorded (and the shutdown that awaits the
// pass would not wait for them), so they were sent again once their claim lapsed. The pass now
// records every try it can, then throws the first error to the runner.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WEBHOOK_QUEUE } from '../../../server/integrations/webhooks/queue.js';
import { deliverDue } from '../../../server/platform/deliveries/worker.js';
import { raiseEvent } from '../../../server/platform/events/raise.js';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { AGENT_STATUS_DATA, createEndpoint, deliveryRows, startDeliveryReceiver, type TestReceiver } from './helpers.js';

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
let receiver: TestReceiver;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Record Failure Org');
  receiver = await startDeliveryReceiver(
    t,
    (req, res) => {
      req.resume();
      req.on('end', () => setTimeout(() => res.writeHead(200).end('ok'), req.url === '/slow' ? 700 : 0));
    },
    5000,
  );
});
afterAll(async () => {
  await receiver?.close();
  await t?.close();
});

describe('a pass where recording one try fails', () => {
  it('still records the others (a slower answer included) before it throws the error', async () => {
    const broken = await createEndpoint(owner, { url: `${receiver.url}/broken`, events: ['*'] });
    const slow = await createEndpoint(owner, { url: `${receiver.url}/slow`, events: ['*'] });
    await raiseEvent(t.db, { orgId: owner.orgId, type: 'agent.status_changed', data: AGENT_STATUS_DATA });
    await expect(deliverDue(t.db, WEBHOOK_QUEUE, receiver.options)).rejects.toThrow('connection terminated');
    // At the moment the pass gave up, the slow receiver's answer was already recorded.
    expect((await deliveryRows(t, slow.id)).map((r) => [r.status, r.attempts])).toEqual([['delivered', 1]]);
    expect((await deliveryRows(t, broken.id)).map((r) => r.status)).toEqual(['pending']);
  });
});
