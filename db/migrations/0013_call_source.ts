// Simulated calls say so, and the simulator's call state lives in the database (issues 13.4, 14.4).
//
// - calls.source gains 'simulator': a call recorded by the voice webhook of a server running the
//   local telephony simulator (TELEPHONY=simulator) — demo figures, never real ones.
// - simulator_calls: what the simulated carrier changed on a call with call control (hold, mute,
//   the number it is bridged to after a transfer, recordings, hang-up). Nothing else is kept: a
//   call that reached our voice webhook is known to the simulator from its `calls` row (its status
//   and its current <Dial> leg), so call control works on any instance and after a restart.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE calls DROP CONSTRAINT calls_source_check;
    ALTER TABLE calls ADD CONSTRAINT calls_source_check CHECK (source IN ('twilio', 'manual', 'simulator'));
    CREATE INDEX calls_org_source_created_idx ON calls (org_id, source, created_at) WHERE source <> 'twilio';

    CREATE TABLE simulator_calls (
      call_sid text PRIMARY KEY REFERENCES calls(call_sid) ON DELETE CASCADE,
      ended boolean NOT NULL DEFAULT false,
      in_conference boolean NOT NULL DEFAULT false,
      on_hold boolean NOT NULL DEFAULT false,
      muted boolean NOT NULL DEFAULT false,
      bridged_to text,
      redirected_to text,
      recordings jsonb NOT NULL DEFAULT '[]'::jsonb,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE simulator_calls;
    DROP INDEX calls_org_source_created_idx;
    UPDATE calls SET source = 'twilio' WHERE source = 'simulator';
    ALTER TABLE calls DROP CONSTRAINT calls_source_check;
    ALTER TABLE calls ADD CONSTRAINT calls_source_check CHECK (source IN ('twilio', 'manual'));
  `.execute(db);
}
