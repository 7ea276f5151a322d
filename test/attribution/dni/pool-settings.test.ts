// A pool's DNI settings through the API (DESIGN.md 4.4: "when the pool is exhausted the oldest idle
// assignment is recycled (or the default number is shown, per pool setting)"): whenExhausted is
// chosen when the pool is made and may be changed; idleTimeoutSec is chosen when it is made.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { insertTag, poolLine } from './dni-fixtures.js';

let t: TestApp;
let owner: Member;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Pool Settings Org');
});
afterAll(async () => t.close());

async function addNumber(poolId: number): Promise<string> {
  const phoneNumber = poolLine();
  await t.db
    .insertInto('phone_numbers')
    .values({ org_id: owner.orgId, phone_number: phoneNumber, friendly_name: null, provider_sid: `PN${randomBytes(16).toString('hex')}`, provider: 'simulator', campaign_id: null, pool_id: poolId, monthly_fee: null })
    .execute();
  return phoneNumber;
}

async function track(tagCode: string, sessionId: string): Promise<{ phoneNumber: string | null; source: string }> {
  const res = await fetch(`${t.url}/api/dni/track`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tagCode, sessionId }) });
  expect(res.status).toBe(200);
  return (await res.json()) as { phoneNumber: string | null; source: string };
}

describe('number pool DNI settings', () => {
  it('are shown, with their defaults', async () => {
    const { data, response } = await owner.client.POST('/api/number-pools', { body: { name: 'Defaults' } });
    expect(response.status).toBe(201);
    expect(data).toMatchObject({ idleTimeoutSec: 1800, whenExhausted: 'recycle_oldest' });
  });

  it('whenExhausted: default_number shows the tag default number to a visitor of an exhausted pool, and may be changed', async () => {
    const { data: pool, response } = await owner.client.POST('/api/number-pools', { body: { name: 'Small pool', whenExhausted: 'default_number', idleTimeoutSec: 120 } });
    expect(response.status).toBe(201);
    expect(pool).toMatchObject({ idleTimeoutSec: 120, whenExhausted: 'default_number' });
    const only = await addNumber(pool!.id);
    const { tagCode } = await insertTag(t.db, owner.orgId, { poolId: pool!.id, defaultNumber: '+13125550177' });
    expect(await track(tagCode, 'settings_1')).toMatchObject({ phoneNumber: only, source: 'pool' });
    expect(await track(tagCode, 'settings_2')).toMatchObject({ phoneNumber: '+13125550177', source: 'default' });

    const changed = await owner.client.PUT('/api/number-pools/{id}', { params: { path: { id: String(pool!.id) } }, body: { whenExhausted: 'recycle_oldest' } });
    expect(changed.response.status).toBe(200);
    expect(changed.data).toMatchObject({ idleTimeoutSec: 120, whenExhausted: 'recycle_oldest' });
    const got = await owner.client.GET('/api/number-pools/{id}', { params: { path: { id: String(pool!.id) } } });
    expect(got.data).toMatchObject({ whenExhausted: 'recycle_oldest' });
  });

  it('refuses an idle time out of range, and a change of it', async () => {
    const low = await owner.client.POST('/api/number-pools', { body: { name: 'Too short', idleTimeoutSec: 10 } });
    expect(low.response.status).toBe(400);
    const { data: pool } = await owner.client.POST('/api/number-pools', { body: { name: 'Fixed idle' } });
    // Not part of the update body (a server instance may serve a session from memory for half of it).
    const changed = await owner.client.PUT('/api/number-pools/{id}', { params: { path: { id: String(pool!.id) } }, body: { idleTimeoutSec: 60 } as never });
    expect(changed.response.status).toBe(400);
  });
});
