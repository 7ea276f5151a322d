// A receiver answering 429 (or 503) with Retry-After is retried when it asked, not after the
// first backoff: the header reaches the worker's verdict, and next_attempt_at follows it — also
// when the answer's body then stalls past the time-out (the status line and headers are the answer).
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
let stalling: TestReceiver;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Retry After Org');
  receiver = await startDeliveryReceiver(t, (req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(429, { 'retry-after': '600' }).end('slow down'));
  });
  // Sends its status line, headers and a first piece of body, then nothing more.
  stalling = await startDeliveryReceiver(
    t,
    (req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(429, { 'retry-after': '600', 'content-length': '100' });
        res.write('slow');
      });
    },
    400,
  );
});
afterAll(async () => {
  await stalling?.close();
  await receiver?.close();
  await t?.close();
});

describe('Retry-After', () => {
  it('a 429 asking for 600 s is next tried in 600 s, not after the 60 s first backoff', async () => {
    const endpoint = await createEndpoint(owner, { url: `${receiver.url}/busy`, events: ['*'] });
    await raiseEvent(t.db, { orgId: owner.orgId, type: 'agent.status_changed', data: AGENT_STATUS_DATA });
    const before = Date.now();
    expect(await deliverDue(t.db, WEBHOOK_QUEUE, { ...receiver.options, retryBaseMs: 60_000 })).toBe(1);
    const [row] = await deliveryRows(t, endpoint.id);
    expect(row).toMatchObject({ status: 'pending', attempts: 1, last_error: 'HTTP 429' });
    const waitMs = new Date(row!.next_attempt_at).getTime() - before;
    expect(waitMs).toBeGreaterThan(590_000);
    expect(waitMs).toBeLessThan(610_000);
    expect((await attemptRows(t, row!.id)).map((a) => a.http_status)).toEqual([429]);
  });

  it('a 429 asking for 600 s whose body then stalls past the time-out is next tried in 600 s too', async () => {
    const other = await registerOrg(t, 'Retry After Stalling Org');
    const endpoint = await createEndpoint(other, { url: `${stalling.url}/stalls`, events: ['*'] });
    await raiseEvent(t.db, { orgId: other.orgId, type: 'agent.status_changed', data: AGENT_STATUS_DATA });
    const before = Date.now();
    expect(await deliverDue(t.db, WEBHOOK_QUEUE, { ...stalling.options, retryBaseMs: 60_000 })).toBe(1);
    const [row] = await deliveryRows(t, endpoint.id);
    expect(row).toMatchObject({ status: 'pending', attempts: 1, last_error: 'HTTP 429' });
    const waitMs = new Date(row!.next_attempt_at).getTime() - before;
    expect(waitMs).toBeGreaterThan(590_000);
    expect(waitMs).toBeLessThan(610_000);
  });
});
