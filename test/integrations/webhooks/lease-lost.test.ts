// A worker whose lease ran out while its try was on the wire (a slow database, a paused process):
// another worker has claimed the delivery since and is trying it. The first worker's late record
// must not touch the row the second one holds — neither free it for a third send (a retry), nor end
// it (its last try failing) so that the second worker's 2xx is lost and counted as a failure.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WEBHOOK_QUEUE } from '../../../server/integrations/webhooks/queue.js';
import { claimDue, recordAttempt } from '../../../server/platform/deliveries/queries.js';
import type { OutboundResult } from '../../../server/platform/http/outbound/guarded-client.js';
import { raiseEvent } from '../../../server/platform/events/raise.js';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { AGENT_STATUS_DATA, attemptRows, createEndpoint, deliveryRows } from './helpers.js';

let t: TestApp;
let owner: Member;

const answer = (status: number): OutboundResult => ({ ok: true, status, headers: {}, body: '', durationMs: 3 });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Lease Lost Org');
});
afterAll(async () => t?.close());
beforeEach(async () => {
  await t.db.deleteFrom('webhook_endpoints').execute();
});

/** One pending delivery, claimed twice: first under a lease that runs out, then by a second worker. */
async function claimedTwice(attemptsSoFar: number) {
  const endpoint = await createEndpoint(owner, { url: 'http://127.0.0.1:9/hooks', events: ['*'] });
  await raiseEvent(t.db, { orgId: owner.orgId, type: 'agent.status_changed', data: AGENT_STATUS_DATA });
  await t.db.updateTable('webhook_deliveries').set({ attempts: attemptsSoFar }).where('endpoint_id', '=', endpoint.id).execute();
  const [stale] = await claimDue(t.db, WEBHOOK_QUEUE, 10, 30);
  await sleep(60);
  const [current] = await claimDue(t.db, WEBHOOK_QUEUE, 10, 60_000);
  expect(stale?.id).toBeDefined();
  expect(current?.id).toBe(stale?.id);
  return { endpointId: endpoint.id, stale: stale!, current: current! };
}

describe('a try recorded after its lease ran out', () => {
  it('does not free the row another worker holds (no third send), and that worker records its try', async () => {
    const { endpointId, stale, current } = await claimedTwice(0);
    expect(await recordAttempt(t.db, WEBHOOK_QUEUE, stale, answer(500), { kind: 'retry', delayMs: 0 })).toBe(false);
    expect(await claimDue(t.db, WEBHOOK_QUEUE, 10, 60_000)).toHaveLength(0);
    expect(await recordAttempt(t.db, WEBHOOK_QUEUE, current, answer(200), { kind: 'delivered' })).toBe(true);
    const [row] = await deliveryRows(t, endpointId);
    expect(row).toMatchObject({ status: 'delivered', attempts: 1, locked_until: null, last_error: null });
    expect((await attemptRows(t, row!.id)).map((a) => [a.attempt, a.http_status])).toEqual([[1, 200]]);
  });

  it('does not end the delivery with its last failed try: the other worker’s 2xx makes it delivered, no failure counted', async () => {
    const { endpointId, stale, current } = await claimedTwice(7);
    expect(await recordAttempt(t.db, WEBHOOK_QUEUE, stale, answer(500), { kind: 'failed' })).toBe(false);
    expect(await recordAttempt(t.db, WEBHOOK_QUEUE, current, answer(200), { kind: 'delivered' })).toBe(true);
    const [row] = await deliveryRows(t, endpointId);
    expect(row).toMatchObject({ status: 'delivered', attempts: 8, locked_until: null, last_error: null });
    expect((await attemptRows(t, row!.id)).map((a) => [a.attempt, a.http_status])).toEqual([[8, 200]]);
    const endpoint = await t.db.selectFrom('webhook_endpoints').select('consecutive_failures').where('id', '=', endpointId).executeTakeFirstOrThrow();
    expect(endpoint.consecutive_failures).toBe(0);
  });
});
