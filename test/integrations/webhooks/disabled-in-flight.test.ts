// An endpoint disabled while one of its deliveries is on the wire: the disable ends the deliveries
// not yet sent, but the one in flight was received. When its receiver answers 2xx the delivery is
// delivered (its attempt logged with the 200), not left "failed: endpoint disabled" — a failed
// delivery invites a replay, and the receiver would get the event twice. A non-2xx answer keeps the
// disable's end (the try is logged and counted in the delivery's attempts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_QUEUE } from '../../../server/integrations/webhooks/queue.js';
import { deliverDue } from '../../../server/platform/deliveries/worker.js';
import { raiseEvent } from '../../../server/platform/events/raise.js';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { AGENT_STATUS_DATA, attemptRows, createEndpoint, deliveryRows, startDeliveryReceiver, type TestReceiver } from './helpers.js';

let t: TestApp;
let owner: Member;
let receiver: TestReceiver;
let answer = 200;
let endpointId = '';

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Disabled In Flight Org');
  // The receiver: the endpoint is disabled through the API while the request is open, then it answers.
  receiver = await startDeliveryReceiver(t, (req, res) => {
    req.resume();
    req.on('end', () => {
      void owner.client
        .PUT('/api/webhook-endpoints/{id}', { params: { path: { id: endpointId } }, body: { isActive: false } })
        .then(() => res.writeHead(answer).end('ok'));
    });
  });
});
afterAll(async () => {
  await receiver?.close();
  await t?.close();
});

describe('an endpoint disabled while its delivery is in flight', () => {
  it('a 2xx answer makes the delivery delivered; the endpoint stays disabled and nothing is left to replay', async () => {
    const endpoint = await createEndpoint(owner, { url: `${receiver.url}/ok`, events: ['*'] });
    endpointId = endpoint.id;
    answer = 200;
    await raiseEvent(t.db, { orgId: owner.orgId, type: 'agent.status_changed', data: AGENT_STATUS_DATA });
    expect(await deliverDue(t.db, WEBHOOK_QUEUE, receiver.options)).toBe(1);
    const [row] = await deliveryRows(t, endpoint.id);
    expect(row).toMatchObject({ status: 'delivered', attempts: 1, last_error: null, locked_until: null });
    expect(row!.delivered_at).not.toBeNull();
    expect((await attemptRows(t, row!.id)).map((a) => a.http_status)).toEqual([200]);
    const shown = (await owner.client.GET('/api/webhook-endpoints/{id}', { params: { path: { id: endpoint.id } } })).data!;
    expect(shown).toMatchObject({ isActive: false, deliveries: { pending: 0, delivered: 1, failed: 0 } });
    // Another pass sends nothing more.
    expect(await deliverDue(t.db, WEBHOOK_QUEUE, receiver.options)).toBe(0);
  });

  it('a failing answer keeps the disable’s end, with the try logged', async () => {
    const endpoint = await createEndpoint(owner, { url: `${receiver.url}/down`, events: ['*'] });
    endpointId = endpoint.id;
    answer = 503;
    await raiseEvent(t.db, { orgId: owner.orgId, type: 'agent.status_changed', data: AGENT_STATUS_DATA });
    expect(await deliverDue(t.db, WEBHOOK_QUEUE, receiver.options)).toBe(1);
    const [row] = await deliveryRows(t, endpoint.id);
    // The try counted: the delivery's attempts agree with its log of tries.
    expect(row).toMatchObject({ status: 'failed', attempts: 1, last_error: 'endpoint disabled: disabled through the API', locked_until: null });
    expect((await attemptRows(t, row!.id)).map((a) => a.http_status)).toEqual([503]);
    expect(await deliverDue(t.db, WEBHOOK_QUEUE, receiver.options)).toBe(0);
  });
});
