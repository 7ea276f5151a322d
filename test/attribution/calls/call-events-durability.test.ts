// A call's events (conversion events of its session, pixel deliveries) are written in the
// transaction of the call's change: a crash before the commit loses the change and its events
// (Twilio's retry then records them, once), never the events alone; and a failure of one kind of
// events loses only that kind, never the call's change (savepoints): the caller is still connected
// and the money still counted.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { recordCallEvents } from '../../../server/attribution/calls/call-events.js';
import { applyCallEvent, legRevenuePolicy, recordRoutedCall } from '../../../server/inbound/calls/queries/index.js';
import { pixelEventsOf } from '../../../server/attribution/pixels/fire.js';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { insertTag, makePool } from '../dni/dni-fixtures.js';
import { buyerCampaign, callRow, callSid, dialStatus, voice } from '../../inbound/webhooks/helpers.js';
import { dial } from '../../inbound/calls/helpers.js';

// The fast path's one-statement write, watched (the app runs in this process): a test of the fast
// path shows it was taken.
vi.mock('../../../server/inbound/calls/queries/index.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../server/inbound/calls/queries/index.js')>();
  return { ...original, recordRoutedCall: vi.fn(original.recordRoutedCall) };
});

let t: TestApp;
let owner: Member;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Durable Events Org');
});
afterAll(async () => t.close());

/** A campaign with a paying buyer, a pool with a tag, and a pixel on every call event. */
async function pooledCampaign(limited: boolean) {
  const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550931', payout: 20, minCallDurationSec: 30, ...(limited ? { maxConcurrentCalls: 10 } : {}) }]);
  const { rule } = await makePool(t.db, owner.orgId, { numbers: 1, campaignId: campaign.id });
  const { tagCode } = await insertTag(t.db, owner.orgId, { campaignId: campaign.id, poolId: rule.poolId });
  const pixel = await owner.client.POST('/api/tracking-pixels', {
    body: { name: `Every event ${campaign.id}`, url: 'https://pixels.example.com/e?sid=[Call:CallSid]', fireOn: ['call_started', 'call_answered', 'call_completed', 'conversion'], campaignId: campaign.id },
  });
  expect(pixel.response.status).toBe(201);
  return { tagCode };
}

async function holdNumber(tagCode: string, sessionId: string): Promise<string> {
  const res = await fetch(`${t.url}/api/dni/track`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tagCode, sessionId }) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { phoneNumber: string }).phoneNumber;
}

async function eventsOfCall(callId: number) {
  const conversions = await t.db.selectFrom('conversion_events').select('event_type').where('call_id', '=', callId).orderBy('id').execute();
  const pixels = await t.db.selectFrom('pixel_deliveries').select('event').where('call_id', '=', callId).orderBy('id').execute();
  return { conversions: conversions.map((r) => r.event_type), pixels: pixels.map((r) => r.event) };
}

describe("a call's events and its change commit together", () => {
  it('a crash after the events but before the commit loses both; the retried callback records both once', async () => {
    const { tagCode } = await pooledCampaign(false);
    const number = await holdNumber(tagCode, 'durable_crash');
    const sid = callSid();
    expect((await voice(t, sid, number)).status).toBe(200);
    const call = await callRow(t, sid);
    expect(await eventsOfCall(call.id)).toEqual({ conversions: ['call_started'], pixels: ['call_started'] });

    const answered = dial(1, 'completed', { dialCallDuration: 45 });
    const crash = applyCallEvent(t.db, sid, answered, legRevenuePolicy, async (trx, result) => {
      await recordCallEvents(trx, result, pixelEventsOf(result.effects));
      throw new Error('the process died before COMMIT');
    });
    await expect(crash).rejects.toThrow('the process died before COMMIT');
    // Nothing of the transition is there: neither the leg's outcome and the revenue, nor the events.
    expect((await callRow(t, sid)).revenue).toBeNull();
    expect(await eventsOfCall(call.id)).toEqual({ conversions: ['call_started'], pixels: ['call_started'] });

    // Twilio's retry of the same callback, twice: the change and its events, once.
    for (let i = 0; i < 2; i += 1) expect((await dialStatus(t, sid, 1, 'completed', 45)).status).toBe(200);
    expect(Number((await callRow(t, sid)).revenue)).toBe(20);
    expect(await eventsOfCall(call.id)).toEqual({
      conversions: ['call_started', 'call_answered', 'conversion'],
      pixels: ['call_started', 'call_answered', 'conversion'],
    });
  });

  const cases = [
    { path: 'fast', failing: 'conversion_events', left: { conversions: [], pixels: ['call_started', 'call_answered', 'conversion'] } },
    { path: 'general', failing: 'conversion_events', left: { conversions: [], pixels: ['call_started', 'call_answered', 'conversion'] } },
    { path: 'fast', failing: 'pixel_deliveries', left: { conversions: ['call_started', 'call_answered', 'conversion'], pixels: [] } },
    { path: 'general', failing: 'pixel_deliveries', left: { conversions: ['call_started', 'call_answered', 'conversion'], pixels: [] } },
  ] as const;
  for (const { path, failing, left } of cases) {
    it(`a failure of ${failing} alone loses only those and never undoes the call's change (${path} path)`, async () => {
      const { tagCode } = await pooledCampaign(path === 'general');
      const sessionId = `durable_fault_${path}_${failing}`;
      const number = await holdNumber(tagCode, sessionId);
      // Fault injection: this table refuses rows of calls attributed to a durable_fault_ session.
      await sql`CREATE OR REPLACE FUNCTION test_fail_call_event() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF EXISTS (SELECT 1 FROM calls c JOIN visitor_sessions v ON v.id = c.visitor_session_id
                      WHERE c.id = NEW.call_id AND v.session_id LIKE 'durable_fault_%') THEN
            RAISE EXCEPTION 'injected failure';
          END IF;
          RETURN NEW;
        END $$`.execute(t.db);
      await sql`CREATE TRIGGER test_fail_call_event BEFORE INSERT ON ${sql.table(failing)} FOR EACH ROW EXECUTE FUNCTION test_fail_call_event()`.execute(t.db);
      const fastWrites = vi.mocked(recordRoutedCall).mock.calls.length;
      try {
        const sid = callSid();
        const answer = await voice(t, sid, number);
        expect(answer.status).toBe(200);
        expect(answer.text).toContain('<Dial');
        expect(vi.mocked(recordRoutedCall).mock.calls.length - fastWrites).toBe(path === 'fast' ? 1 : 0);
        expect((await dialStatus(t, sid, 1, 'completed', 45)).status).toBe(200);
        const call = await callRow(t, sid);
        expect(call.attribution?.sessionId).toBe(sessionId);
        expect(Number(call.revenue)).toBe(20);
        const legs = await t.db.selectFrom('call_legs').select('dial_status').where('call_id', '=', call.id).execute();
        expect(legs.map((l) => l.dial_status)).toEqual(['completed']);
        expect(await eventsOfCall(call.id)).toEqual(left);
      } finally {
        await sql`DROP TRIGGER test_fail_call_event ON ${sql.table(failing)}`.execute(t.db);
        await sql`DROP FUNCTION test_fail_call_event()`.execute(t.db);
      }
    });
  }
});
