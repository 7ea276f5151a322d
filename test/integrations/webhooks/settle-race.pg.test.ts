// Deliveries of one endpoint settling at once (PostgreSQL: one connection each). A receiver that
// answers 404 to everything, 20 deliveries claimed in one pass: the 10th failure in a row disables
// the endpoint and ends its pending deliveries — among them the ones whose own failure was being
// recorded at that moment. Each settling transaction wrote its delivery, then waited for the
// endpoint's row, while the disabling one held the endpoint and waited for those deliveries: a
// deadlock, so PostgreSQL aborted a transaction, the pass failed, and the aborted delivery (its
// answer already in) stayed pending to be sent again. The endpoint is now held first, as every
// other change of an endpoint and its deliveries holds it (a PUT disabling it, too).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_QUEUE } from '../../../server/integrations/webhooks/queue.js';
import { createDeliveryDispatcher, deliverDue } from '../../../server/platform/deliveries/worker.js';
import type { DeliveryOptions } from '../../../server/platform/deliveries/types.js';
import { raiseEvent } from '../../../server/platform/events/raise.js';
import { createOutboundPolicy } from '../../../server/platform/http/outbound/url-policy.js';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { startReceiver, type Receiver } from '../../attribution/pixels/receiver.js';
import { AGENT_STATUS_DATA, createEndpoint, deliveryRows } from './helpers.js';

let t: TestApp;
let owner: Member;
let receiver: Receiver;
let options: DeliveryOptions;


beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Settle Race Org');
  receiver = await startReceiver();
  const policy = createOutboundPolicy(t.config.outboundAllowPrivate);
  options = { dispatcher: createDeliveryDispatcher(policy, WEBHOOK_QUEUE), policy, retryBaseMs: 0 };
});
afterAll(async () => {
  await options?.dispatcher.close();
  await receiver?.close();
  await t?.close();
});

describe('deliveries of one endpoint settling at once', () => {
  it('a receiver answering 404 to a whole pass: every delivery ends failed once, the endpoint disabled, the pass does not fail', async () => {
    const endpoint = await createEndpoint(owner, { url: `${receiver.url}/gone`, events: ['*'] });
    receiver.fail(Infinity, 404);
    for (let i = 0; i < 20; i += 1) await raiseEvent(t.db, { orgId: owner.orgId, type: 'agent.status_changed', data: AGENT_STATUS_DATA });
    await expect(deliverDue(t.db, WEBHOOK_QUEUE, { ...options, batchSize: 20 })).resolves.toBe(20);
    const rows = await deliveryRows(t, endpoint.id);
    expect(rows.filter((r) => r.status !== 'failed')).toEqual([]);
    expect(receiver.requests).toHaveLength(20);
    const shown = (await owner.client.GET('/api/webhook-endpoints/{id}', { params: { path: { id: endpoint.id } } })).data!;
    expect(shown).toMatchObject({ isActive: false, deliveries: { pending: 0, delivered: 0, failed: 20 } });
    // Nothing is left to send again.
    expect(await deliverDue(t.db, WEBHOOK_QUEUE, { ...options, leaseMs: 0 })).toBe(0);
    await t.db.updateTable('webhook_deliveries').set({ locked_until: null }).where('endpoint_id', '=', endpoint.id).execute();
    expect(await deliverDue(t.db, WEBHOOK_QUEUE, options)).toBe(0);
  });

});
