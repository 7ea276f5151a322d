// Reading call records for the API: one page of calls, or one call with its dial attempts.
// Every query is scoped to the caller's organisation.
import { sql } from 'kysely';
import type { CallLegRow, CallRow, CallSource, Db } from '../../../../db/types.js';
import { listCallLegs } from './calls.js';
import type { CallStatus } from '../status.js';

export type CallView = CallRow & {
  buyer_name: string | null;
  rtb_request_id: string | null;
  winning_bid_amount: string | null;
};

export interface CallFilters {
  campaignId?: string | undefined;
  status?: CallStatus | undefined;
  source?: CallSource | undefined;
}

function callsQuery(db: Db, orgId: string) {
  return db
    .selectFrom('calls')
    .leftJoin('buyers', (join) => join.onRef('buyers.id', '=', 'calls.buyer_id').onRef('buyers.org_id', '=', 'calls.org_id'))
    .leftJoin('bid_requests', (join) => join.onRef('bid_requests.id', '=', 'calls.bid_request_id').onRef('bid_requests.org_id', '=', 'calls.org_id'))
    .selectAll('calls')
    .select(['buyers.name as buyer_name', 'bid_requests.request_id as rtb_request_id', 'bid_requests.winning_bid_amount as winning_bid_amount'])
    .where('calls.org_id', '=', orgId);
}

export async function listCallsPage(db: Db, orgId: string, filters: CallFilters, page: number, limit: number): Promise<{ rows: CallView[]; total: number }> {
  let rows = callsQuery(db, orgId);
  let count = db.selectFrom('calls').select(sql<string>`count(*)`.as('total')).where('org_id', '=', orgId);
  if (filters.campaignId) {
    rows = rows.where('calls.campaign_id', '=', filters.campaignId);
    count = count.where('campaign_id', '=', filters.campaignId);
  }
  if (filters.status) {
    rows = rows.where('calls.status', '=', filters.status);
    count = count.where('status', '=', filters.status);
  }
  if (filters.source) {
    rows = rows.where('calls.source', '=', filters.source);
    count = count.where('source', '=', filters.source);
  }
  const [items, counted] = await Promise.all([
    rows.orderBy('calls.created_at', 'desc').orderBy('calls.id', 'desc').limit(limit).offset((page - 1) * limit).execute(),
    count.executeTakeFirstOrThrow(),
  ]);
  return { rows: items as CallView[], total: Number(counted.total) };
}

export async function findCallWithLegs(db: Db, orgId: string, id: number): Promise<{ call: CallView; legs: CallLegRow[] } | undefined> {
  const call = (await callsQuery(db, orgId).where('calls.id', '=', id).executeTakeFirst()) as CallView | undefined;
  if (!call) return undefined;
  return { call, legs: await listCallLegs(db, id) };
}
