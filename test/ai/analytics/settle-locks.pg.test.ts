// Two settlers on two connections (PostgreSQL only: the embedded database has one connection):
// while one holds a batch, the other skips it; once the first commits, nothing is left to price.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settleOutboundBatch } from '../../../server/ai/analytics/settle.js';
import { registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { insertAgent, insertOutbound } from './helpers.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ env: { AI_CALL_INTERVAL_MS: '0' } });
});
afterAll(async () => t.close());

describe('a batch held by one settler', () => {
  it('is skipped by another, and priced once', async () => {
    const { orgId } = await registerOrg(t, 'Locks Org');
    const agentId = await insertAgent(t.db, orgId, 'Agent');
    const ended = new Date(Date.now() - 3_600_000);
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await insertOutbound(t.db, orgId, agentId, { startedAt: ended, endedAt: ended, durationSec: 60 }));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let claimed!: () => void;
    const hasClaimed = new Promise<void>((resolve) => (claimed = resolve));
    const first = t.db.transaction().execute(async (trx) => {
      const priced = await settleOutboundBatch(trx, { rates: t.config.aiRates });
      claimed();
      await held; // keep the row locks until the second settler has looked
      return priced;
    });
    await hasClaimed;
    const second = await settleOutboundBatch(t.db, { rates: t.config.aiRates });
    expect(second).toEqual([]);
    release();
    expect((await first).map((p) => p.id).sort()).toEqual([...ids].sort());
    expect(await settleOutboundBatch(t.db, { rates: t.config.aiRates })).toEqual([]);
    const rows = await t.db.selectFrom('ai_outbound_calls').select('cost').where('id', 'in', ids).execute();
    expect(rows.map((r) => Number(r.cost))).toEqual([0.014, 0.014, 0.014]);
  });
});
