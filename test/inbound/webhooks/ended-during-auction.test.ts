// A caller who hangs up while the auction runs: the call's final status callback commits before
// the auction's winner is reserved. The winner's leg must not be inserted open on the ended call
// (nobody would ever end it: Twilio never calls back for a <Dial> it never ran), nor the ended call
// be moved to the target with its payout.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import type { StubBidder } from '../../helpers/stub-bidder.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { callRow, callSid, callStatus, HANGUP_XML, legRows, rtbCampaign, voice } from './helpers.js';

let t: TestApp;
let owner: Member;
const stubs: StubBidder[] = [];

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Ended During Auction Org');
});
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((s) => s.close()));
});
afterAll(async () => t.close());

async function recorded(sid: string): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if (await t.db.selectFrom('calls').select('id').where('call_sid', '=', sid).executeTakeFirst()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the call was never recorded');
}

describe('a caller hanging up during the auction', () => {
  it('the winner (a target without limits, answered in one statement) gets no open leg on the ended call', async () => {
    const { campaign } = await rtbCampaign(owner.client, stubs, [{ amount: 25, destination: '+14155550301', delayMs: 400 }]);
    const sid = callSid();
    const answer = voice(t, sid, campaign.phoneNumber!);
    await recorded(sid);
    expect((await callStatus(t, sid, 'completed', 1)).status).toBe(204);
    expect((await answer).text).toBe(HANGUP_XML);
    const legs = await legRows(t, sid);
    expect(legs.filter((l) => l.ended_at === null)).toEqual([]);
    expect(await callRow(t, sid)).toMatchObject({ status: 'completed', rtb_target_id: null, payout: null, revenue: null });
  });
});
