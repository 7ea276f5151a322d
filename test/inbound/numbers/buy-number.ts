// A number bought through the API (the simulator's search, then purchase), for tests that need
// one of the organisation's own numbers; each call takes the next area code so the offers differ.
import { expect } from 'vitest';
import type { Member } from '../../helpers/fixtures.js';

export function numberBuyer(member: Member, firstAreaCode: number): () => Promise<{ id: number; phoneNumber: string }> {
  let areaCode = firstAreaCode;
  return async () => {
    const search = await member.client.GET('/api/phone-numbers/search', { params: { query: { areaCode: String(areaCode++) } } });
    const offered = search.data!.numbers[0]!.phoneNumber;
    const bought = await member.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: offered } });
    expect(bought.response.status).toBe(201);
    return { id: bought.data!.id, phoneNumber: offered };
  };
}
