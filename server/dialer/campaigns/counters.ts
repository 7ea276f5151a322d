// Outbound campaigns' counters (seed 002's dialerStats) in shard rows (migration 0028): a writer
// adds to its own connection's row, a read sums the campaign's rows. Functions take `db` first.
import { sql } from 'kysely';
import type { Db } from '../../../db/types.js';

export interface DialCounters {
  callsMade: number;
  callsAnswered: number;
  callsCompleted: number;
  callsAbandoned: number;
}

export const NO_DIAL_COUNTERS: DialCounters = { callsMade: 0, callsAnswered: 0, callsCompleted: 0, callsAbandoned: 0 };
const SHARDS = 32;

/** Adds to the campaign's counters, on the row of this transaction's connection. */
export async function addDialCounters(trx: Db, campaignId: string, add: Partial<DialCounters>): Promise<void> {
  const made = add.callsMade ?? 0;
  const answered = add.callsAnswered ?? 0;
  const completed = add.callsCompleted ?? 0;
  const abandoned = add.callsAbandoned ?? 0;
  if (made + answered + completed + abandoned === 0) return;
  await sql`
    INSERT INTO campaign_dial_counters (campaign_id, shard, calls_made, calls_answered, calls_completed, calls_abandoned)
    VALUES (${campaignId}, pg_backend_pid() % ${SHARDS}, ${made}, ${answered}, ${completed}, ${abandoned})
    ON CONFLICT (campaign_id, shard) DO UPDATE SET
      calls_made = campaign_dial_counters.calls_made + EXCLUDED.calls_made,
      calls_answered = campaign_dial_counters.calls_answered + EXCLUDED.calls_answered,
      calls_completed = campaign_dial_counters.calls_completed + EXCLUDED.calls_completed,
      calls_abandoned = campaign_dial_counters.calls_abandoned + EXCLUDED.calls_abandoned`.execute(trx);
}

/** The counters of the given campaigns (absent: all zero). */
export async function dialCounters(db: Db, campaignIds: readonly string[]): Promise<Map<string, DialCounters>> {
  if (campaignIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('campaign_dial_counters')
    .select((eb) => [
      'campaign_id',
      eb.fn.sum<string>('calls_made').as('made'),
      eb.fn.sum<string>('calls_answered').as('answered'),
      eb.fn.sum<string>('calls_completed').as('completed'),
      eb.fn.sum<string>('calls_abandoned').as('abandoned'),
    ])
    .where('campaign_id', 'in', [...campaignIds])
    .groupBy('campaign_id')
    .execute();
  return new Map(
    rows.map((r) => [
      r.campaign_id,
      { callsMade: Number(r.made), callsAnswered: Number(r.answered), callsCompleted: Number(r.completed), callsAbandoned: Number(r.abandoned) },
    ]),
  );
}
