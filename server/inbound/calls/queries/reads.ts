// Reading call records for the API: one page of calls, or one call with its dial attempts.
// Every query is scoped to the caller's organisation, and for an agent-role caller to its own
// agent's calls (access.ts).
import { sql } from 'kysely';
import type { CallLegRow, CallRow, Db } from '../../../../db/types.js';
import type { CallScope } from '../access.js';
import type { CallFilters } from '../filters.js';
import { listCallLegs } from './calls.js';
import { callConditions } from './conditions.js';

export type CallView = CallRow & {
  buyer_name: string | null;
  rtb_request_id: string | null;
  winning_bid_amount: string | null;
};

function callsQuery(db: Db, scope: CallScope, filters: CallFilters) {
  return db
    .selectFrom('calls')
    .leftJoin('buyers', (join) => join.onRef('buyers.id', '=', 'calls.buyer_id').onRef('buyers.org_id', '=', 'calls.org_id'))
    .leftJoin('bid_requests', (join) => join.onRef('bid_requests.id', '=', 'calls.bid_request_id').onRef('bid_requests.org_id', '=', 'calls.org_id'))
    .selectAll('calls')
    .select(['buyers.name as buyer_name', 'bid_requests.request_id as rtb_request_id', 'bid_requests.winning_bid_amount as winning_bid_amount'])
    .where((eb) => callConditions(eb, scope, filters));
}

export async function listCallsPage(db: Db, scope: CallScope, filters: CallFilters, page: number, limit: number): Promise<{ rows: CallView[]; total: number }> {
  const count = db
    .selectFrom('calls')
    .select(sql<string>`count(*)`.as('total'))
    .where((eb) => callConditions(eb, scope, filters));
  const [items, counted] = await Promise.all([
    callsQuery(db, scope, filters).orderBy('calls.created_at', 'desc').orderBy('calls.id', 'desc').limit(limit).offset((page - 1) * limit).execute(),
    count.executeTakeFirstOrThrow(),
  ]);
  return { rows: items as CallView[], total: Number(counted.total) };
}

export async function findCallWithLegs(db: Db, scope: CallScope, id: number): Promise<{ call: CallView; legs: CallLegRow[] } | undefined> {
  const call = (await callsQuery(db, scope, {}).where('calls.id', '=', id).executeTakeFirst()) as CallView | undefined;
  if (!call) return undefined;
  return { call, legs: await listCallLegs(db, id) };
}

/** Whether the call is one the caller reaches. */
export async function callInScope(db: Db, scope: CallScope, id: number): Promise<boolean> {
  const found = await db
    .selectFrom('calls')
    .select('calls.id')
    .where((eb) => callConditions(eb, scope, {}))
    .where('calls.id', '=', id)
    .executeTakeFirst();
  return found !== undefined;
}
