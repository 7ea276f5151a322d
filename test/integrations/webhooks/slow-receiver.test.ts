// A receiver that takes most of the time-out to answer (within it, as docs/integrations.md asks:
// "answer any 2xx within 10 s") and a pass of deliveries to it. The worker's own connection pool
// held 10 sockets per receiver while a pass sends 20 deliveries at once: the other 10 waited for
// a socket on the worker's clock, timed out before the receiver could answer (or after it had the
// event), and were counted failed tries — sent again, and on towards disabling the endpoint. A
// pass now never waits for its own sockets: every delivery it claims has one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_QUEUE } from '../../../server/integrations/webhooks/queue.js';
import { deliverDue } from '../../../server/platform/deliveries/worker.js';
import { raiseEvent } from '../../../server/platform/events/raise.js';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { AGENT_STATUS_DATA, createEndpoint, deliveryRows, startDeliveryReceiver, type TestReceiver } from './helpers.js';

const ANSWER_AFTER_MS = 1200;
const TIMEOUT_MS = 2000;

let t: TestApp;
let owner: Member;
let receiver: TestReceiver;
let received = 0;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Slow Receiver Org');
  receiver = await startDeliveryReceiver(
    t,
    (req, res) => {
      req.resume();
      req.on('end', () => {
        received += 1;
        setTimeout(() => res.writeHead(200).end('ok'), ANSWER_AFTER_MS);
      });
    },
    TIMEOUT_MS,
  );
});
afterAll(async () => {
  await receiver?.close();
  await t?.close();
});

describe('a receiver answering within the time-out, a pass of 20 deliveries to it', () => {
  it('delivers every one at its first try, each sent once', async () => {
    const endpoint = await createEndpoint(owner, { url: `${receiver.url}/slow`, events: ['*'] });
    for (let i = 0; i < 20; i += 1) await raiseEvent(t.db, { orgId: owner.orgId, type: 'agent.status_changed', data: AGENT_STATUS_DATA });
    expect(await deliverDue(t.db, WEBHOOK_QUEUE, receiver.options)).toBe(20);
    const rows = await deliveryRows(t, endpoint.id);
    expect(rows.map((r) => [r.status, r.attempts, r.last_error]).filter(([status]) => status !== 'delivered')).toEqual([]);
    expect(received).toBe(20);
  });
});
