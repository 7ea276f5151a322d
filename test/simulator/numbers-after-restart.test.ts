// The simulator sells each fictional number once: a number an organisation bought is not offered
// by a search again — not after a restart (the simulator's own memory is empty then), and not by
// another instance over the same database — as Twilio never offers a number someone holds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Member, registerOrg } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let owner: Member;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Numbers Restart Org');
});
afterAll(async () => t.close());

async function search(member: Member): Promise<string[]> {
  const found = await member.client.GET('/api/phone-numbers/search', { params: { query: { areaCode: '617', limit: 3 } } });
  expect(found.response.status).toBe(200);
  return found.data!.numbers.map((n) => n.phoneNumber);
}

describe('simulator number search', () => {
  it('never offers a number bought before a restart', async () => {
    const [first] = await search(owner);
    const bought = await owner.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: first! } });
    expect(bought.response.status).toBe(201);
    expect(await search(owner)).not.toContain(first);

    t = await t.restart();
    const other = await registerOrg(t, 'Numbers Restart Other Org');
    const offered = await search(other);
    expect(offered).toHaveLength(3);
    expect(offered).not.toContain(first);
  }, 60000);
});
