// Number pools under /api/number-pools and their seed 001 aliases under /api/pools (one
// implementation: both families must give identical answers).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { components } from '../../../client/index.js';
import { type Client, type Member, addMember, createCampaign, registerOrg } from '../../helpers/fixtures.js';
import { snapshotTables } from '../../helpers/db-snapshot.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import type { Deps } from '../../../server/handler-types.js';
import { createNumberPoolHandlers } from '../../../server/inbound/number-pools/handlers.js';

type NumberPool = components['schemas']['NumberPool'];
type PhoneNumber = components['schemas']['PhoneNumber'];

let t: TestApp;
let owner: Member;
let other: Member;
let nextLine = 100;

/** A fresh simulator number bought through the API (admin-only). */
async function buyNumber(client: Client, extra: { campaignId?: string } = {}): Promise<PhoneNumber> {
  const phoneNumber = `+1312555${String(nextLine++).padStart(4, '0')}`;
  const { data, response } = await client.POST('/api/phone-numbers/purchase', { body: { phoneNumber, ...extra } });
  if (response.status !== 201 || !data) throw new Error(`purchase failed: ${response.status}`);
  return data;
}

async function createPool(client: Client, body: components['schemas']['NumberPoolCreate'] = { name: 'Pool' }): Promise<NumberPool> {
  const { data, response } = await client.POST('/api/number-pools', { body });
  if (response.status !== 201 || !data) throw new Error(`createNumberPool failed: ${response.status}`);
  return data;
}

async function numberOf(client: Client, id: number): Promise<PhoneNumber | undefined> {
  const { data } = await client.GET('/api/phone-numbers');
  return data?.find((n) => n.id === id);
}

const id = (value: number | string) => ({ params: { path: { id: String(value) } } });
const poolNumber = (pool: number | string, phoneNumberId: number | string) => ({
  params: { path: { id: String(pool), phoneNumberId: String(phoneNumberId) } },
});

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Pools Org');
  other = await registerOrg(t, 'Other Pools Org');
});
afterAll(async () => t.close());

describe('number pools: CRUD on both path families', () => {
  it('serves each seed 001 alias with the very same handler function', () => {
    const handlers = createNumberPoolHandlers({ db: t.db } as Deps);
    const names = ['listNumberPools', 'createNumberPool', 'getNumberPool', 'updateNumberPool', 'deleteNumberPool', 'addNumberToPool', 'removeNumberFromPool'] as const;
    for (const name of names) expect(handlers[`${name}Legacy`]).toBe(handlers[name]);
  });

  it('creates the seed body and answers identically under /api/number-pools and /api/pools', async () => {
    const seed = { name: 'New Pool', description: 'Description for new pool', isActive: true };
    const created = await owner.client.POST('/api/number-pools', { body: seed });
    expect(created.response.status).toBe(201);
    expect(created.data).toMatchObject({ ...seed, campaignId: null, numbersCount: 0, assignedNumbers: [] });
    expect(Number.isInteger(created.data?.id)).toBe(true);
    const legacy = await owner.client.POST('/api/pools', { body: seed });
    expect(legacy.response.status).toBe(201);
    const strip = ({ id: _id, createdAt: _c, updatedAt: _u, ...rest }: NumberPool) => rest;
    expect(strip(legacy.data!)).toEqual(strip(created.data!));

    for (const pool of [created.data!, legacy.data!]) {
      const viaNew = await owner.client.GET('/api/number-pools/{id}', id(pool.id));
      const viaOld = await owner.client.GET('/api/pools/{id}', id(pool.id));
      expect(viaNew.response.status).toBe(200);
      expect(viaOld.response.status).toBe(200);
      expect(viaNew.data).toEqual(pool);
      expect(viaOld.data).toEqual(pool);
    }
    const listNew = await owner.client.GET('/api/number-pools');
    const listOld = await owner.client.GET('/api/pools');
    expect(listNew.response.status).toBe(200);
    expect(listOld.data).toEqual(listNew.data);
    expect(listNew.data?.map((p) => p.id)).toEqual(expect.arrayContaining([created.data!.id, legacy.data!.id]));
  });

  it('updates only the fields sent, through either path', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Pool campaign' });
    const pool = await createPool(owner.client, { name: 'Before', description: 'kept' });
    const renamed = await owner.client.PUT('/api/number-pools/{id}', { ...id(pool.id), body: { name: 'Summer Campaign Pool', campaignId: campaign.id } });
    expect(renamed.response.status).toBe(200);
    expect(renamed.data).toMatchObject({ id: pool.id, name: 'Summer Campaign Pool', description: 'kept', campaignId: campaign.id, isActive: true });
    const legacy = await owner.client.PUT('/api/pools/{id}', { ...id(pool.id), body: { isActive: false, description: null } });
    expect(legacy.response.status).toBe(200);
    expect(legacy.data).toMatchObject({ name: 'Summer Campaign Pool', description: null, campaignId: campaign.id, isActive: false });
    const detached = await owner.client.PUT('/api/pools/{id}', { ...id(pool.id), body: { campaignId: null } });
    expect(detached.data?.campaignId).toBeNull();
    const fetched = await owner.client.GET('/api/number-pools/{id}', id(pool.id));
    expect(fetched.data).toEqual(detached.data);
  });

  it('validates bodies the same way on both paths', async () => {
    const pool = await createPool(owner.client);
    for (const path of ['/api/number-pools', '/api/pools'] as const) {
      const empty = await owner.client.POST(path, { body: { name: '' } });
      expect(empty.response.status).toBe(400);
      expect(empty.error?.details).toMatchObject({ name: expect.any(String) });
      const extra = await owner.client.POST(path, { body: { name: 'X', orgId: other.orgId } as never });
      expect(extra.response.status).toBe(400);
      expect(extra.error?.details).toMatchObject({ orgId: 'is not allowed' });
      const badCampaign = await owner.client.POST(path, { body: { name: 'X', campaignId: 'nope' } });
      expect(badCampaign.response.status).toBe(400);
    }
    for (const path of ['/api/number-pools/{id}', '/api/pools/{id}'] as const) {
      const noFields = await owner.client.PUT(path, { ...id(pool.id), body: {} });
      expect(noFields.response.status).toBe(400);
      const wrongType = await owner.client.PUT(path, { ...id(pool.id), body: { isActive: 'yes' } as never });
      expect(wrongType.response.status).toBe(400);
      expect(wrongType.error?.details).toMatchObject({ isActive: expect.any(String) });
    }
  });

  it('answers 404 for unknown or malformed pool ids on every operation of both families', async () => {
    for (const raw of ['abc', '0', '99999999999', '2147483647']) {
      const attempts = [
        owner.client.GET('/api/number-pools/{id}', id(raw)),
        owner.client.GET('/api/pools/{id}', id(raw)),
        owner.client.PUT('/api/number-pools/{id}', { ...id(raw), body: { name: 'x' } }),
        owner.client.PUT('/api/pools/{id}', { ...id(raw), body: { name: 'x' } }),
        owner.client.DELETE('/api/number-pools/{id}', id(raw)),
        owner.client.DELETE('/api/pools/{id}', id(raw)),
        owner.client.POST('/api/number-pools/{id}/numbers', { ...id(raw), body: { phoneNumberId: 1 } }),
        owner.client.POST('/api/pools/{id}/numbers', { ...id(raw), body: { phoneNumberId: 1 } }),
        owner.client.DELETE('/api/number-pools/{id}/numbers/{phoneNumberId}', poolNumber(raw, 1)),
        owner.client.DELETE('/api/pools/{id}/numbers/{phoneNumberId}', poolNumber(raw, 1)),
      ];
      for (const { response, error } of await Promise.all(attempts)) {
        expect(response.status).toBe(404);
        expect((error as { code?: string } | undefined)?.code).toBe('RESOURCE_NOT_FOUND');
      }
    }
  });

  it('deletes through either path, leaving the numbers outside any pool', async () => {
    for (const path of ['/api/number-pools/{id}', '/api/pools/{id}'] as const) {
      const pool = await createPool(owner.client, { name: `Doomed ${path}` });
      const number = await buyNumber(owner.client);
      expect((await owner.client.POST('/api/number-pools/{id}/numbers', { ...id(pool.id), body: { phoneNumberId: number.id } })).response.status).toBe(201);
      expect(await numberOf(owner.client, number.id)).toMatchObject({ poolId: pool.id, status: 'pooled' });
      const del = await owner.client.DELETE(path, id(pool.id));
      expect(del.response.status).toBe(204);
      expect((await owner.client.GET('/api/number-pools/{id}', id(pool.id))).response.status).toBe(404);
      expect((await owner.client.DELETE(path, id(pool.id))).response.status).toBe(404);
      expect(await numberOf(owner.client, number.id)).toMatchObject({ poolId: null, campaignId: null, status: 'unassigned' });
    }
  });
});

describe('number pools: numbers in and out', () => {
  it('adds numbers (201 with the pool), lists them, and takes them out again', async () => {
    const pool = await createPool(owner.client, { name: 'Members' });
    const first = await buyNumber(owner.client);
    const second = await buyNumber(owner.client);
    const added = await owner.client.POST('/api/number-pools/{id}/numbers', { ...id(pool.id), body: { phoneNumberId: first.id } });
    expect(added.response.status).toBe(201);
    expect(added.data).toMatchObject({ id: pool.id, numbersCount: 1, assignedNumbers: [{ id: first.id, phoneNumber: first.phoneNumber, isActive: true }] });
    const legacy = await owner.client.POST('/api/pools/{id}/numbers', { ...id(pool.id), body: { phoneNumberId: second.id } });
    expect(legacy.response.status).toBe(201);
    expect(legacy.data?.numbersCount).toBe(2);
    expect(legacy.data?.assignedNumbers.map((n) => n.id)).toEqual([first.id, second.id]);

    expect(await numberOf(owner.client, first.id)).toMatchObject({ poolId: pool.id, campaignId: null, status: 'pooled' });

    // The list carries every pool's numbers.
    const otherPool = await createPool(owner.client, { name: 'Members 2' });
    const third = await buyNumber(owner.client);
    await owner.client.POST('/api/pools/{id}/numbers', { ...id(otherPool.id), body: { phoneNumberId: third.id } });
    const list = await owner.client.GET('/api/number-pools');
    expect(list.data?.find((p) => p.id === pool.id)).toMatchObject({ numbersCount: 2, assignedNumbers: [{ id: first.id }, { id: second.id }] });
    expect(list.data?.find((p) => p.id === otherPool.id)).toMatchObject({ numbersCount: 1, assignedNumbers: [{ id: third.id, phoneNumber: third.phoneNumber }] });
    expect((await owner.client.GET('/api/pools')).data).toEqual(list.data);

    const removed = await owner.client.DELETE('/api/number-pools/{id}/numbers/{phoneNumberId}', poolNumber(pool.id, first.id));
    expect(removed.response.status).toBe(204);
    const removedLegacy = await owner.client.DELETE('/api/pools/{id}/numbers/{phoneNumberId}', poolNumber(pool.id, second.id));
    expect(removedLegacy.response.status).toBe(204);
    const after = await owner.client.GET('/api/number-pools/{id}', id(pool.id));
    expect(after.data).toMatchObject({ numbersCount: 0, assignedNumbers: [] });
    expect(await numberOf(owner.client, first.id)).toMatchObject({ poolId: null, status: 'unassigned' });

    // Not (or no longer) in that pool: 404.
    expect((await owner.client.DELETE('/api/number-pools/{id}/numbers/{phoneNumberId}', poolNumber(pool.id, first.id))).response.status).toBe(404);
    expect((await owner.client.DELETE('/api/pools/{id}/numbers/{phoneNumberId}', poolNumber(pool.id, third.id))).response.status).toBe(404);
    for (const raw of ['abc', '0', '99999999999', '2147483647']) {
      expect((await owner.client.DELETE('/api/number-pools/{id}/numbers/{phoneNumberId}', poolNumber(pool.id, raw))).response.status).toBe(404);
    }
    expect(await numberOf(owner.client, third.id)).toMatchObject({ poolId: otherPool.id });
  });

  it('refuses a number already in this pool, in another pool, or pointed at a campaign (409), leaving it unchanged', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Direct line' });
    const pool = await createPool(owner.client, { name: 'A' });
    const poolB = await createPool(owner.client, { name: 'B' });
    const pooled = await buyNumber(owner.client);
    const direct = await buyNumber(owner.client, { campaignId: campaign.id });
    expect((await owner.client.POST('/api/number-pools/{id}/numbers', { ...id(pool.id), body: { phoneNumberId: pooled.id } })).response.status).toBe(201);

    for (const path of ['/api/number-pools/{id}/numbers', '/api/pools/{id}/numbers'] as const) {
      const again = await owner.client.POST(path, { ...id(pool.id), body: { phoneNumberId: pooled.id } });
      expect(again.response.status).toBe(409);
      expect(again.error).toMatchObject({ code: 'CONFLICT', details: { phoneNumberId: expect.stringContaining('already in this pool') } });
      const elsewhere = await owner.client.POST(path, { ...id(poolB.id), body: { phoneNumberId: pooled.id } });
      expect(elsewhere.response.status).toBe(409);
      expect(elsewhere.error?.details).toMatchObject({ phoneNumberId: expect.stringContaining(`pool ${pool.id}`) });
      const assigned = await owner.client.POST(path, { ...id(pool.id), body: { phoneNumberId: direct.id } });
      expect(assigned.response.status).toBe(409);
      expect(assigned.error?.details).toMatchObject({ phoneNumberId: expect.stringContaining('campaign') });
    }
    expect(await numberOf(owner.client, pooled.id)).toMatchObject({ poolId: pool.id, status: 'pooled' });
    expect(await numberOf(owner.client, direct.id)).toMatchObject({ poolId: null, campaignId: campaign.id, status: 'assigned' });
    expect((await owner.client.GET('/api/number-pools/{id}', id(poolB.id))).data?.numbersCount).toBe(0);

    // And the other way round: a pooled number cannot be pointed at a campaign, nor unassigned.
    for (const campaignId of [campaign.id, null]) {
      const assign = await owner.client.POST('/api/phone-numbers/{id}/assign-campaign', { ...id(pooled.id), body: { campaignId } });
      expect(assign.response.status).toBe(409);
      expect(JSON.stringify(assign.error?.details)).toContain('take it out of the pool first');
    }
    expect(await numberOf(owner.client, pooled.id)).toMatchObject({ poolId: pool.id, campaignId: null });
  });

  it("refuses (409 naming phoneNumberId) a number that a campaign uses as its phoneNumber, on both paths, changing nothing", async () => {
    const number = await buyNumber(owner.client);
    const campaign = await createCampaign(owner.client, { name: 'Owns a pooled line', phoneNumber: number.phoneNumber });
    const pool = await createPool(owner.client, { name: 'Would take its calls' });
    const before = await snapshotTables(t.db, { api_keys: ['last_used_at'] });
    for (const path of ['/api/number-pools/{id}/numbers', '/api/pools/{id}/numbers'] as const) {
      const added = await owner.client.POST(path, { ...id(pool.id), body: { phoneNumberId: number.id } });
      expect(added.response.status).toBe(409);
      expect(added.error).toMatchObject({ code: 'CONFLICT' });
      expect(Object.keys(added.error?.details as object)).toEqual(['phoneNumberId']);
      expect((added.error?.details as Record<string, string>).phoneNumberId).toContain(campaign.id);
    }
    expect(await snapshotTables(t.db, { api_keys: ['last_used_at'] })).toEqual(before);
  });

  it('answers 404 for unknown numbers and 400 for a malformed phoneNumberId', async () => {
    const pool = await createPool(owner.client, { name: 'Strict' });
    const unknown = await owner.client.POST('/api/number-pools/{id}/numbers', { ...id(pool.id), body: { phoneNumberId: 2147483647 } });
    expect(unknown.response.status).toBe(404);
    expect(unknown.error?.code).toBe('RESOURCE_NOT_FOUND');
    for (const phoneNumberId of [0, -1, 2147483648, 1.5, '1']) {
      const bad = await owner.client.POST('/api/pools/{id}/numbers', { ...id(pool.id), body: { phoneNumberId } as never });
      expect(bad.response.status).toBe(400);
      expect(bad.error?.details).toMatchObject({ phoneNumberId: expect.any(String) });
    }
    const missing = await owner.client.POST('/api/number-pools/{id}/numbers', { ...id(pool.id), body: {} as never });
    expect(missing.error?.details).toMatchObject({ phoneNumberId: 'is required' });
  });

  it('keeps a pool when its campaign is deleted, without the campaign', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Gone soon' });
    const pool = await createPool(owner.client, { name: 'Orphan', campaignId: campaign.id });
    expect(pool.campaignId).toBe(campaign.id);
    expect((await owner.client.DELETE('/api/campaigns/{id}', { params: { path: { id: campaign.id } } })).response.status).toBe(204);
    const after = await owner.client.GET('/api/pools/{id}', id(pool.id));
    expect(after.data).toMatchObject({ id: pool.id, campaignId: null });
  });
});

describe('number pools: roles and tenancy', () => {
  it('lets agents read, managers write and move numbers, and only admins delete', async () => {
    const agent = await addMember(t, owner, 'agent');
    const manager = await addMember(t, owner, 'manager');
    const admin = await addMember(t, owner, 'admin');
    const pool = await createPool(owner.client, { name: 'Roles' });
    const number = await buyNumber(owner.client);

    for (const path of ['/api/number-pools', '/api/pools'] as const) {
      expect((await agent.client.GET(path)).response.status).toBe(200);
      const agentCreate = await agent.client.POST(path, { body: { name: 'Nope' } });
      expect(agentCreate.response.status).toBe(403);
      expect(agentCreate.error?.code).toBe('FORBIDDEN');
      expect((await manager.client.POST(path, { body: { name: 'Yes' } })).response.status).toBe(201);
    }
    expect((await agent.client.GET('/api/pools/{id}', id(pool.id))).response.status).toBe(200);
    expect((await agent.client.PUT('/api/number-pools/{id}', { ...id(pool.id), body: { name: 'x' } })).response.status).toBe(403);
    expect((await agent.client.POST('/api/pools/{id}/numbers', { ...id(pool.id), body: { phoneNumberId: number.id } })).response.status).toBe(403);

    expect((await manager.client.PUT('/api/pools/{id}', { ...id(pool.id), body: { name: 'Managed' } })).response.status).toBe(200);
    expect((await manager.client.POST('/api/pools/{id}/numbers', { ...id(pool.id), body: { phoneNumberId: number.id } })).response.status).toBe(201);
    expect((await agent.client.DELETE('/api/pools/{id}/numbers/{phoneNumberId}', poolNumber(pool.id, number.id))).response.status).toBe(403);
    expect((await manager.client.DELETE('/api/number-pools/{id}/numbers/{phoneNumberId}', poolNumber(pool.id, number.id))).response.status).toBe(204);
    expect((await manager.client.DELETE('/api/number-pools/{id}', id(pool.id))).response.status).toBe(403);
    expect((await manager.client.DELETE('/api/pools/{id}', id(pool.id))).response.status).toBe(403);
    expect((await admin.client.DELETE('/api/pools/{id}', id(pool.id))).response.status).toBe(204);
    expect((await t.client().GET('/api/pools')).response.status).toBe(401);
  });

  it('treats another organisation’s pools, numbers and campaigns as absent (404), changing nothing', async () => {
    const myCampaign = await createCampaign(owner.client, { name: 'Mine' });
    const myPool = await createPool(owner.client, { name: 'Mine', campaignId: myCampaign.id });
    const myNumber = await buyNumber(owner.client);
    const theirCampaign = await createCampaign(other.client, { name: 'Theirs' });
    const theirPool = await createPool(other.client, { name: 'Theirs' });
    const theirNumber = await buyNumber(other.client);
    await other.client.POST('/api/pools/{id}/numbers', { ...id(theirPool.id), body: { phoneNumberId: theirNumber.id } });

    expect((await owner.client.GET('/api/number-pools')).data?.some((p) => p.id === theirPool.id)).toBe(false);
    expect((await owner.client.GET('/api/pools')).data?.some((p) => p.id === theirPool.id)).toBe(false);
    const attempts = [
      owner.client.GET('/api/number-pools/{id}', id(theirPool.id)),
      owner.client.GET('/api/pools/{id}', id(theirPool.id)),
      owner.client.PUT('/api/number-pools/{id}', { ...id(theirPool.id), body: { name: 'Hijacked' } }),
      owner.client.PUT('/api/pools/{id}', { ...id(theirPool.id), body: { name: 'Hijacked' } }),
      owner.client.DELETE('/api/number-pools/{id}', id(theirPool.id)),
      owner.client.DELETE('/api/pools/{id}', id(theirPool.id)),
      // my number into their pool, their number into my pool
      owner.client.POST('/api/number-pools/{id}/numbers', { ...id(theirPool.id), body: { phoneNumberId: myNumber.id } }),
      owner.client.POST('/api/pools/{id}/numbers', { ...id(myPool.id), body: { phoneNumberId: theirNumber.id } }),
      owner.client.DELETE('/api/number-pools/{id}/numbers/{phoneNumberId}', poolNumber(theirPool.id, theirNumber.id)),
      owner.client.DELETE('/api/pools/{id}/numbers/{phoneNumberId}', poolNumber(myPool.id, theirNumber.id)),
      // a pool of mine naming their campaign
      owner.client.POST('/api/number-pools', { body: { name: 'Cross', campaignId: theirCampaign.id } }),
      owner.client.POST('/api/pools', { body: { name: 'Cross', campaignId: theirCampaign.id } }),
      owner.client.PUT('/api/number-pools/{id}', { ...id(myPool.id), body: { campaignId: theirCampaign.id } }),
      owner.client.PUT('/api/pools/{id}', { ...id(myPool.id), body: { campaignId: '00000000-0000-4000-8000-000000000000' } }),
    ];
    for (const { response, error } of await Promise.all(attempts)) {
      expect(response.status).toBe(404);
      expect((error as { code?: string } | undefined)?.code).toBe('RESOURCE_NOT_FOUND');
    }
    const theirs = await other.client.GET('/api/number-pools/{id}', id(theirPool.id));
    expect(theirs.data).toMatchObject({ name: 'Theirs', numbersCount: 1, assignedNumbers: [{ id: theirNumber.id }] });
    expect((await owner.client.GET('/api/pools/{id}', id(myPool.id))).data).toMatchObject({ name: 'Mine', campaignId: myCampaign.id, numbersCount: 0 });
    expect((await owner.client.GET('/api/number-pools')).data?.some((p) => p.name === 'Cross')).toBe(false);
    expect(await numberOf(owner.client, myNumber.id)).toMatchObject({ poolId: null });
  });
});
