// legRevenuePolicy (pure): a call pays what its last dialled leg was reserved at — not an earlier
// buyer's payout when a plain number answered, and still its own when its buyer was deleted since.
import { describe, expect, it } from 'vitest';
import type { CallLegRow } from '../../../db/types.js';
import { legRevenuePolicy } from '../../../server/inbound/calls/queries/index.js';

function leg(attempt: number, fields: Partial<CallLegRow>): CallLegRow {
  return {
    call_id: 1,
    attempt,
    org_id: '00000000-0000-4000-8000-000000000001',
    buyer_id: null,
    rtb_target_id: null,
    destination: null,
    dial_call_sid: null,
    dial_status: null,
    dial_duration_sec: null,
    dial_segments: null,
    payout: null,
    min_duration_sec: 0,
    started_at: new Date('2026-12-06T12:00:00Z'),
    ended_at: null,
    ...fields,
  };
}

describe('legRevenuePolicy', () => {
  it("pays the last dialled leg's payout and minimum", () => {
    const legs = [leg(1, { buyer_id: 1, destination: '+13125550001', payout: '10.0000', min_duration_sec: 30, dial_status: 'no-answer' }), leg(2, { buyer_id: 2, destination: '+13125550002', payout: '50.0000', min_duration_sec: 90 })];
    expect(legRevenuePolicy(legs)).toEqual({ minDurationSec: 90, payout: '50.0000' });
  });

  it("a plain number answering after a busy buyer pays nothing (not the buyer's payout)", () => {
    const legs = [leg(1, { buyer_id: 1, destination: '+13125550001', payout: '40.0000', dial_status: 'busy' }), leg(2, { destination: '+13125550009' })];
    expect(legRevenuePolicy(legs)).toEqual({ minDurationSec: 0, payout: null });
  });

  it('a leg whose buyer was deleted since pays what it was reserved at, not the earlier leg', () => {
    const legs = [leg(1, { buyer_id: 1, destination: '+13125550001', payout: '10.0000', dial_status: 'no-answer' }), leg(2, { buyer_id: null, destination: '+13125550002', payout: '50.0000', min_duration_sec: 60 })];
    expect(legRevenuePolicy(legs)).toEqual({ minDurationSec: 60, payout: '50.0000' });
  });

  it('a row a dial callback wrote before its reservation is passed over; no dialled leg pays nothing', () => {
    const legs = [leg(1, { buyer_id: 1, destination: '+13125550001', payout: '25.0000', min_duration_sec: 45 }), leg(2, { dial_status: 'busy' })];
    expect(legRevenuePolicy(legs)).toEqual({ minDurationSec: 45, payout: '25.0000' });
    expect(legRevenuePolicy([])).toEqual({ minDurationSec: 0, payout: null });
  });
});
