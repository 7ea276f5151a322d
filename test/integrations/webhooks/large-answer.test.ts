// A receiver's answer is its status line: a 2xx delivers even when the body that comes with it is
// larger than the worker reads (64 KiB — a framework's HTML page, an echo of the event). It was
// counted as a failed try: the event was POSTed again and again (8 times), the delivery ended
// failed, and ten such events disabled an endpoint that had taken every one of them. The same for
// a 2xx whose page stalls past the time-out after its status line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_QUEUE } from '../../../server/integrations/webhooks/queue.js';
import { deliverDue } from '../../../server/platform/deliveries/worker.js';
import { raiseEvent } from '../../../server/platform/events/raise.js';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { AGENT_STATUS_DATA, attemptRows, createEndpoint, deliveryRows, drain, startDeliveryReceiver, type TestReceiver } from './helpers.js';

let t: TestApp;
let owner: Member;
let receiver: TestReceiver;
const received: string[] = [];
const BIG = 'x'.repeat(100_000);

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Large Answer Org');
  // /sized: a declared content-length; /chunked: none; /error: a 500 with a large page.
  receiver = await startDeliveryReceiver(t, (req, res) => {
    req.resume();
    req.on('end', () => {
      received.push(req.url ?? '');
      if (req.url === '/stalled') {
        // The status line and a first part of the page, then nothing until the worker gives up.
        res.writeHead(200, { 'content-type': 'text/html' });
        res.write('<html>');
      } else if (req.url === '/chunked') {
        res.writeHead(200, { 'content-type': 'text/html' });
        for (let i = 0; i < 10; i += 1) res.write(BIG.slice(0, 10_000));
        res.end();
      } else res.writeHead(req.url === '/error' ? 500 : 200, { 'content-type': 'text/html', 'content-length': String(BIG.length) }).end(BIG);
    });
  });
});
afterAll(async () => {
  await receiver?.close();
  await t?.close();
});

describe('a receiver answering with a large body', () => {
  it('a 2xx delivers at the first try, whatever the size of its body', async () => {
    const sized = await createEndpoint(owner, { url: `${receiver.url}/sized`, events: ['*'] });
    const chunked = await createEndpoint(owner, { url: `${receiver.url}/chunked`, events: ['*'] });
    await raiseEvent(t.db, { orgId: owner.orgId, type: 'agent.status_changed', data: AGENT_STATUS_DATA });
    await drain(t, receiver.options);
    expect(received.filter((u) => u !== '/error').sort()).toEqual(['/chunked', '/sized']);
    for (const endpoint of [sized, chunked]) {
      const [row] = await deliveryRows(t, endpoint.id);
      expect(row).toMatchObject({ status: 'delivered', attempts: 1, last_error: null });
      expect((await attemptRows(t, row!.id)).map((a) => a.http_status)).toEqual([200]);
    }
  });

  it('a 5xx with a large page is still a 5xx: retried', async () => {
    const failing = await createEndpoint(owner, { url: `${receiver.url}/error`, events: ['*'] });
    await raiseEvent(t.db, { orgId: owner.orgId, type: 'agent.status_changed', data: AGENT_STATUS_DATA });
    await drain(t, receiver.options);
    const [row] = await deliveryRows(t, failing.id);
    expect(row).toMatchObject({ status: 'failed', attempts: WEBHOOK_QUEUE.maxAttempts, last_error: 'HTTP 500' });
  });

  it('a 2xx whose page never finishes is delivered: the status line was the answer, the event is not sent again', async () => {
    const stalled = await createEndpoint(owner, { url: `${receiver.url}/stalled`, events: ['*'] });
    await raiseEvent(t.db, { orgId: owner.orgId, type: 'agent.status_changed', data: AGENT_STATUS_DATA });
    const impatient = { ...WEBHOOK_QUEUE, timeoutMs: 300 };
    while ((await deliverDue(t.db, impatient, receiver.options)) > 0);
    expect(received.filter((u) => u === '/stalled')).toHaveLength(1);
    const [row] = await deliveryRows(t, stalled.id);
    expect(row).toMatchObject({ status: 'delivered', attempts: 1, last_error: null });
    expect((await attemptRows(t, row!.id)).map((a) => a.http_status)).toEqual([200]);
  });
});
