// Outbound campaigns' counters (seed 002's callsMade / callsAnswered / callsCompleted /
// callsAbandoned) kept in shard rows, summed on read (issue 18's start rate).
//
// They were columns of the campaign's own row, updated at the end of every call: with two dial
// loops and 100 calls ending at once, every finishing transaction queued on that one row lock
// (the benchmark fell from 254 to 139 call starts per second). Each writer now adds to the row of
// its own database connection (`pg_backend_pid() % 32`), so writers on different connections
// never wait for each other; a read sums at most 32 small rows of the campaign.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE campaign_dial_counters (
      campaign_id uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
      shard smallint NOT NULL CHECK (shard >= 0 AND shard < 32),
      calls_made integer NOT NULL DEFAULT 0,
      calls_answered integer NOT NULL DEFAULT 0,
      calls_completed integer NOT NULL DEFAULT 0,
      calls_abandoned integer NOT NULL DEFAULT 0,
      PRIMARY KEY (campaign_id, shard)
    );
    INSERT INTO campaign_dial_counters (campaign_id, shard, calls_made, calls_answered, calls_completed, calls_abandoned)
      SELECT id, 0, calls_made, calls_answered, calls_completed, calls_abandoned FROM campaigns
      WHERE calls_made + calls_answered + calls_completed + calls_abandoned > 0;
    ALTER TABLE campaigns DROP COLUMN calls_made, DROP COLUMN calls_answered, DROP COLUMN calls_completed, DROP COLUMN calls_abandoned;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE campaigns
      ADD COLUMN calls_made integer NOT NULL DEFAULT 0,
      ADD COLUMN calls_answered integer NOT NULL DEFAULT 0,
      ADD COLUMN calls_completed integer NOT NULL DEFAULT 0,
      ADD COLUMN calls_abandoned integer NOT NULL DEFAULT 0;
    UPDATE campaigns c SET calls_made = s.made, calls_answered = s.answered, calls_completed = s.completed, calls_abandoned = s.abandoned
      FROM (SELECT campaign_id, sum(calls_made)::int AS made, sum(calls_answered)::int AS answered,
                   sum(calls_completed)::int AS completed, sum(calls_abandoned)::int AS abandoned
            FROM campaign_dial_counters GROUP BY campaign_id) s
      WHERE s.campaign_id = c.id;
    DROP TABLE campaign_dial_counters;
  `.execute(db);
}
