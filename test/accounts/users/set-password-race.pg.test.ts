// Two admins setting each other's password at the same moment took the same two rows' locks in
// opposite orders (each its target's, then its own): PostgreSQL broke the deadlock by failing one
// of them, a 500. Deterministic on a PostgreSQL server: one request is made to hold its target's row
// while it waits for its own row, which the other request is queued to take first.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, type Member, registerOrg } from '../../helpers/fixtures.js';
import { waitersBehind } from '../../helpers/held-open.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

let t: TestApp;
let owner: Member;
beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Password Race Org');
});
afterAll(async () => t.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `n` backends wait behind backend `pid`, directly or behind one that does. */
async function untilQueued(pid: number, n: number): Promise<void> {
  for (let i = 0; i < 400; i += 1) {
    if ((await waitersBehind(t.db, pid)) >= n) return;
    await sleep(25);
  }
  throw new Error('the requests never queued behind the lock');
}

const setPassword = (actor: Member, target: Member, password: string) =>
  actor.client.PUT('/api/users/{id}/password', { params: { path: { id: String(target.id) } }, body: { password } });

describe('setting passwords concurrently', () => {
  it('two admins setting each other\'s password: no deadlock, no 500', async () => {
    const a = await addMember(t, owner, 'admin');
    const b = await addMember(t, owner, 'admin');
    let pending: Promise<Awaited<ReturnType<typeof setPassword>>>[] = [];
    await t.db.transaction().execute(async (trx) => {
      // A's row held: b's request (target a) queues for it first; then a's request (target b)
      // takes b's row and queues for its own, a's, behind it.
      await trx.selectFrom('users').select('id').where('id', '=', a.id).forUpdate().execute();
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
      const pid = rows[0]!.pid;
      pending = [setPassword(b, a, 'a-new-passphrase-for-a')];
      await untilQueued(pid, 1);
      pending.push(setPassword(a, b, 'a-new-passphrase-for-b'));
      await untilQueued(pid, 2);
    });
    const statuses = (await Promise.all(pending)).map((r) => r.response.status);
    expect(statuses).not.toContain(500);
    expect(statuses).toEqual([204, 204]);
  });
});
