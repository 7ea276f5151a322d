// A manager's PUT { isActive } decided from the endpoint as it was read before its transaction: when
// the delivery worker disabled the endpoint meanwhile (its 10th failure in a row), "isActive: true"
// was taken for no change and the endpoint stayed disabled although the answer was a 200. The row
// is now locked before the change is worked out. (PostgreSQL: a transaction holds the endpoint's
// row, as the worker's settling transaction does, while the request arrives.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

let t: TestApp;
let owner: Member;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Race Org');
});
afterAll(async () => t?.close());

describe('enabling an endpoint while the worker disables it', () => {
  it('ends enabled, as asked and as answered', async () => {
    const created = await owner.client.POST('/api/webhook-endpoints', { body: { url: 'https://hooks.example.com/in', events: ['*'] } });
    expect(created.response.status).toBe(201);
    const id = created.data!.id;
    const put = (endpointId: string) => owner.client.PUT('/api/webhook-endpoints/{id}', { params: { path: { id: endpointId } }, body: { isActive: true } });
    let answer: ReturnType<typeof put> | undefined;
    await t.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('webhook_endpoints')
        .set({ is_active: false, consecutive_failures: 10, disabled_at: new Date(), disabled_reason: '10 consecutive deliveries failed (the last: HTTP 502)' })
        .where('id', '=', id)
        .execute();
      answer = put(id);
      answer.catch(() => {}); // awaited below
      await new Promise((r) => setTimeout(r, 300)); // the request reads the endpoint and waits for this row
    });
    const enabled = await answer!;
    expect(enabled.response.status).toBe(200);
    expect(enabled.data).toMatchObject({ isActive: true, consecutiveFailures: 0, disabledReason: null });
    const shown = await owner.client.GET('/api/webhook-endpoints/{id}', { params: { path: { id } } });
    expect(shown.data).toMatchObject({ isActive: true, consecutiveFailures: 0, disabledAt: null, disabledReason: null });
  });
});
