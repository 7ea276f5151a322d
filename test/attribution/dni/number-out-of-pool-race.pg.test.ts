// A number taken out of its pool while a visitor is being given it: the holding that assignment
// makes must end with the others (a number out of its pool holds for nobody), whether the
// assignment locked the number's row (a free number) or only referenced it (a recycled one).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import { heldOpen, waitersBehind } from '../../helpers/held-open.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { liveHoldings, makePool, makeSession } from './dni-fixtures.js';

let t: TestApp;
let owner: Member;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Out Of Pool Race Org');
});
afterAll(async () => t.close());

async function raceRemovalWithHolding(lockNumberRow: boolean): Promise<void> {
  const { rule, numbers } = await makePool(t.db, owner.orgId, { numbers: 1 });
  const number = numbers[0]!;
  const session = await makeSession(t.db, owner.orgId);
  let pid = 0;
  const assignment = await heldOpen(t.db, async (trx) => {
    pid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)).rows[0]!.pid;
    if (lockNumberRow) await sql`select id from phone_numbers where id = ${number.id} for update`.execute(trx);
    await trx
      .insertInto('pool_assignments')
      .values({ org_id: owner.orgId, pool_id: rule.poolId, phone_number_id: number.id, visitor_session_id: session, assigned_at: new Date(), last_seen_at: new Date() })
      .execute();
  });
  let answered = false;
  const removal = owner.client
    .DELETE('/api/number-pools/{id}/numbers/{phoneNumberId}', { params: { path: { id: String(rule.poolId), phoneNumberId: String(number.id) } } })
    .finally(() => (answered = true));
  // The removal waits for the assignment (or, were it not to, answers meanwhile).
  for (let i = 0; i < 200 && !answered && (await waitersBehind(t.db, pid)) === 0; i += 1) await new Promise((r) => setTimeout(r, 10));
  expect(answered).toBe(false);
  await assignment.commit();
  expect((await removal).response.status).toBe(204);
  expect(await liveHoldings(t.db, rule.poolId)).toEqual([]);
}

describe('a number taken out of its pool during an assignment', () => {
  it('ends the holding of an assignment that locked the number', async () => {
    await raceRemovalWithHolding(true);
  });
  it('ends the holding of an assignment that only referenced it (recycling)', async () => {
    await raceRemovalWithHolding(false);
  });
});
