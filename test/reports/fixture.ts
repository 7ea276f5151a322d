// Calls, auctions and bids written straight into the test database at chosen instants, for the
// report tests (the call path itself is tested elsewhere; reports only read what it recorded).
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { CallDisposition, DB } from '../../db/types.js';

type Status = 'queued' | 'ringing' | 'in-progress' | 'completed' | 'busy' | 'no-answer' | 'failed';
const RANK: Record<Status, number> = { queued: 0, ringing: 2, 'in-progress': 3, completed: 4, busy: 4, 'no-answer': 4, failed: 4 };

export interface CallSpec {
  at: string;
  campaignId?: string | null;
  buyerId?: number | null;
  targetId?: number | null;
  status: Status;
  duration?: number | null;
  revenue?: string | null;
  /** A correction's revenue (PUT /api/calls/{id}). */
  override?: string | null;
  /** An outbound call of the dialer: the agent it was bridged to, how it ended, the agent's talk time. */
  agentId?: string | null;
  disposition?: CallDisposition | null;
  talkTime?: number | null;
  leadId?: string | null;
}

export async function insertCall(db: Kysely<DB>, orgId: string, c: CallSpec): Promise<number> {
  const row = await db
    .insertInto('calls')
    .values({
      org_id: orgId,
      call_sid: `CA${randomBytes(16).toString('hex')}`,
      campaign_id: c.campaignId ?? null,
      buyer_id: c.buyerId ?? null,
      rtb_target_id: c.targetId ?? null,
      from_number: '+13105551234',
      to_number: '+12125550100',
      status: c.status,
      status_rank: RANK[c.status],
      duration_sec: c.duration ?? null,
      revenue: c.revenue ?? null,
      revenue_qualified_at: c.revenue == null ? null : new Date(c.at),
      revenue_override: c.override ?? null,
      routing_method: c.targetId ? 'rtb' : c.buyerId ? 'priority' : null,
      ...(c.agentId !== undefined || c.disposition !== undefined
        ? { direction: 'outbound' as const, agent_id: c.agentId ?? null, disposition: c.disposition ?? null, talk_time_sec: c.talkTime ?? null, lead_id: c.leadId ?? null }
        : {}),
      created_at: new Date(c.at),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface BidSpec {
  targetId: number | null;
  targetName: string;
  status: 'success' | 'rejected' | 'filtered' | 'timeout' | 'error';
  valid: boolean;
  winning?: boolean;
  amount?: string | null;
  responseMs?: number | null;
}

export interface AuctionSpec {
  at: string;
  campaignId: string | null;
  status: 'won' | 'no_valid_bids' | 'insufficient_bidders' | 'no_eligible_targets';
  winningBid?: string | null;
  responseMs: number;
  bids: BidSpec[];
}

export async function insertAuction(db: Kysely<DB>, orgId: string, a: AuctionSpec): Promise<number> {
  const at = new Date(a.at);
  const requestId = `req_${randomBytes(8).toString('hex')}`;
  const request = await db
    .insertInto('bid_requests')
    .values({
      org_id: orgId,
      request_id: requestId,
      campaign_id: a.campaignId,
      call_start_time: at,
      source: 'call',
      auction_type: 'first_price',
      status: a.status,
      total_targets_pinged: a.bids.filter((b) => b.status !== 'filtered').length,
      successful_responses: a.bids.filter((b) => b.status === 'success').length,
      winning_bid_amount: a.winningBid ?? null,
      clearing_price: a.winningBid ?? null,
      bidding_started_at: at,
      bidding_completed_at: new Date(at.getTime() + a.responseMs),
      total_response_time_ms: a.responseMs,
      ledger: JSON.stringify({ fixture: true }),
      created_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (a.bids.length > 0) {
    await db
      .insertInto('bid_responses')
      .values(
        a.bids.map((b) => ({
          org_id: orgId,
          bid_request_id: request.id,
          request_id: requestId,
          rtb_target_id: b.targetId,
          target_name: b.targetName,
          status: b.status,
          response_time_ms: b.responseMs ?? null,
          bid_amount: b.amount ?? null,
          is_valid: b.valid,
          is_winning_bid: b.winning ?? false,
          created_at: at,
        })),
      )
      .execute();
  }
  return Number(request.id);
}

export async function insertTarget(db: Kysely<DB>, orgId: string, name: string): Promise<number> {
  const row = await db.insertInto('rtb_targets').values({ org_id: orgId, name, endpoint_url: 'https://bids.example.com/bid' }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}
