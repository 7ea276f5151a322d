// A number taken out of its pool and put back (or into another pool) while a visitor session was
// shown it: ultra-fast may still answer that session from memory for up to half the pool's idle
// time (assign-cache.ts), so the number must not be given to another visitor before then —
// else two visitors see one number, and the first one's call is attributed to the second.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCampaign, type Member, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { makePool } from './dni-fixtures.js';

let t: TestApp;
let owner: Member;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Moved Number Org');
});
afterAll(async () => t.close());
afterEach(() => {
  vi.useRealTimers();
});

async function ultraFast(campaignId: string, sessionId: string): Promise<string | null> {
  const res = await fetch(`${t.url}/api/dni/ultra-fast`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ campaignId, sessionId }) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { phoneNumber: string | null }).phoneNumber;
}

describe('a pool number taken out of its pool and put back', () => {
  it('is given to no other visitor while the session shown it may still be answered from memory', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date());
    const campaign = await createCampaign(owner.client, { name: 'Moved Number Campaign' });
    const { rule, numbers } = await makePool(t.db, owner.orgId, { numbers: 2, campaignId: campaign.id, idleTimeoutSec: 60 });
    const [x, y] = [numbers[0]!, numbers[1]!];
    expect(await ultraFast(campaign.id, 'moved_s1')).toBe(x.phoneNumber);
    expect(await ultraFast(campaign.id, 'moved_s0')).toBe(y.phoneNumber);

    const path = { id: String(rule.poolId) };
    const out = await owner.client.DELETE('/api/number-pools/{id}/numbers/{phoneNumberId}', { params: { path: { ...path, phoneNumberId: String(x.id) } } });
    expect(out.response.status).toBe(204);
    const back = await owner.client.POST('/api/number-pools/{id}/numbers', { params: { path }, body: { phoneNumberId: x.id } });
    expect(back.response.status).toBe(201);

    vi.setSystemTime(Date.now() + 10_000);
    // The first visitor's repeat is answered from memory: it still shows x.
    expect(await ultraFast(campaign.id, 'moved_s1')).toBe(x.phoneNumber);
    // So a new visitor must not be given x as well.
    expect(await ultraFast(campaign.id, 'moved_s2')).not.toBe(x.phoneNumber);

    // Once the memory cannot answer any more (half the idle time after the last sighting), x is free again.
    vi.setSystemTime(Date.now() + 25_000);
    expect(await ultraFast(campaign.id, 'moved_s3')).toBe(x.phoneNumber);
  });
});

describe('the numbers of a deleted pool put into another pool', () => {
  it('are given to no other visitor while a session shown one may still be answered from memory', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date());
    const campaign = await createCampaign(owner.client, { name: 'Deleted Pool Campaign' });
    const { rule, numbers } = await makePool(t.db, owner.orgId, { numbers: 2, campaignId: campaign.id, idleTimeoutSec: 60 });
    const [x, y] = [numbers[0]!, numbers[1]!];
    expect(await ultraFast(campaign.id, 'deleted_s1')).toBe(x.phoneNumber);

    const gone = await owner.client.DELETE('/api/number-pools/{id}', { params: { path: { id: String(rule.poolId) } } });
    expect(gone.response.status).toBe(204);
    const next = await makePool(t.db, owner.orgId, { numbers: 0, campaignId: campaign.id, idleTimeoutSec: 60 });
    for (const n of [x, y]) {
      const added = await owner.client.POST('/api/number-pools/{id}/numbers', { params: { path: { id: String(next.rule.poolId) } }, body: { phoneNumberId: n.id } });
      expect(added.response.status).toBe(201);
    }

    vi.setSystemTime(Date.now() + 10_000);
    // The first visitor's repeat is answered from memory: it still shows x.
    expect(await ultraFast(campaign.id, 'deleted_s1')).toBe(x.phoneNumber);
    // So a new visitor must not be given x as well.
    expect(await ultraFast(campaign.id, 'deleted_s2')).toBe(y.phoneNumber);

    // The deleted pool's holdings are kept (released, outside any pool) for attribution history.
    const history = await t.db.selectFrom('pool_assignments').select(['pool_id', 'released_at']).where('phone_number_id', '=', x.id).execute();
    expect(history).toHaveLength(1);
    expect(history[0]!.pool_id).toBeNull();
    expect(history[0]!.released_at).not.toBeNull();

    // Once the memory cannot answer any more (half the old idle time after the last sighting), x is free again.
    vi.setSystemTime(Date.now() + 25_000);
    expect(await ultraFast(campaign.id, 'deleted_s3')).toBe(x.phoneNumber);
  });
});
