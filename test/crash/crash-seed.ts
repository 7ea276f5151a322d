// What the crash test's server runs on: one organisation, one active RTB campaign on a dialled
// number, two RTB targets (stub bidders in the test process) and a buyer behind them (what an
// auction without a valid bid in time falls back to). Target 1 bids higher and has a daily cap: it
// takes exactly `cap` calls (an exact cap shows in the legs), the others the rest.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';

export const CRASH_PUBLIC_BASE_URL = 'https://crash.example.com';
export const CRASH_WEBHOOK_TOKEN = 'crash-webhook-token-0123456789abcdef';
export const CRASH_TARGETS = [
  { name: 'High bidder (capped)', amount: 20, destination: '+14155550201', dailyCap: 40 },
  { name: 'Low bidder', amount: 10, destination: '+14155550202', dailyCap: null },
] as const;
export const CRASH_BUYER = { phone: '+13125550291', payout: '7.0000' } as const;

export async function seedCrashCampaign(db: Kysely<DB>, options: { bidderUrls: string[]; deadlineMs: number; phone: string }): Promise<void> {
  if (options.bidderUrls.length !== CRASH_TARGETS.length) throw new Error(`--bidders needs ${CRASH_TARGETS.length} URLs`);
  const org = await db.insertInto('organizations').values({ name: 'Crash Org' }).returning('id').executeTakeFirstOrThrow();
  const campaign = await db
    .insertInto('campaigns')
    .values({
      org_id: org.id,
      name: 'Crash RTB',
      phone_number: options.phone,
      routing_type: 'priority',
      status: 'active',
      enable_rtb: true,
      rtb_id: randomBytes(16).toString('hex'),
      min_bidders_required: 1,
      bidding_timeout_ms: options.deadlineMs,
      auction_type: 'first_price',
      payout: '5.0000',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const buyer = await db
    .insertInto('buyers')
    .values({ org_id: org.id, name: 'Fallback buyer', phone_number: CRASH_BUYER.phone, payout: CRASH_BUYER.payout })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('campaign_buyers').values({ org_id: org.id, campaign_id: campaign.id, buyer_id: buyer.id, priority: 1 }).execute();
  for (const [i, target] of CRASH_TARGETS.entries()) {
    const row = await db
      .insertInto('rtb_targets')
      .values({
        org_id: org.id,
        name: target.name,
        endpoint_url: options.bidderUrls[i]!,
        timeout_ms: options.deadlineMs,
        min_bid_amount: 1,
        max_bid_amount: 100,
        daily_cap: target.dailyCap,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.insertInto('campaign_rtb_targets').values({ org_id: org.id, campaign_id: campaign.id, target_id: row.id, priority: i + 1 }).execute();
  }
}
