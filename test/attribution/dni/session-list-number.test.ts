// GET /api/visitor-sessions `phoneNumber` is "the pool number the session holds now", and a holding
// counts until it is released (docs/architecture.md: a visitor who calls after a pause is still
// found as long as nobody else was given the number). A session quiet for longer than the pool's
// idle time whose number nobody else took still holds it — its calls are attributed to it — so
// the list shows it; once released (given to another visitor), it shows none.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignPoolNumber } from '../../../server/attribution/dni/assign.js';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { makePool, makeSession } from './dni-fixtures.js';

let t: TestApp;
let owner: Member;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Session List Org');
});
afterAll(async () => t.close());

async function listedNumber(sessionId: string): Promise<string | null | undefined> {
  const { data, response } = await owner.client.GET('/api/visitor-sessions', { params: { query: { limit: 100 } } });
  expect(response.status).toBe(200);
  return data?.sessions.find((s) => s.sessionId === sessionId)?.phoneNumber;
}

describe('the number a listed visitor session holds', () => {
  it('is shown while the holding lasts, past the idle time, and no longer once the number went to another visitor', async () => {
    const { rule, numbers } = await makePool(t.db, owner.orgId, { numbers: 1, idleTimeoutSec: 60, whenExhausted: 'recycle_oldest' });
    const longAgo = new Date(Date.now() - 10 * 60_000);
    const quiet = await makeSession(t.db, owner.orgId, longAgo, 'list_quiet');
    expect(await assignPoolNumber(t.db, rule, quiet, longAgo)).toMatchObject({ phoneNumber: numbers[0]!.phoneNumber });

    // Ten idle times later nobody else has needed the number: it is still the session's.
    expect(await listedNumber('list_quiet')).toBe(numbers[0]!.phoneNumber);

    const next = await makeSession(t.db, owner.orgId, new Date(), 'list_next');
    expect(await assignPoolNumber(t.db, rule, next)).toMatchObject({ phoneNumber: numbers[0]!.phoneNumber });
    expect(await listedNumber('list_quiet')).toBeNull();
    expect(await listedNumber('list_next')).toBe(numbers[0]!.phoneNumber);
  });
});
