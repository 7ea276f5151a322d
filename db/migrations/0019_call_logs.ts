// Call logs, follow-up tasks and lead stage history (issue 17 item 5, DESIGN.md 9.1; seed 003's
// POST/GET /calls).
//
// - call_logs: a call logged by hand on a lead (outcome, duration, notes, the number called, an
//   optional link to one of our call records). The author is user_id (SET NULL when the user is
//   deleted); a log goes with its lead. Outcomes are seed 003's, in our spelling.
// - follow_ups: a callback task, made from a log's scheduledFollowUp (one per log at most, going
//   with the log). Its own table rather than columns of call_logs, because a task has a life of
//   its own (done, cancelled, moved) and is listed across logs by who must call and when.
//   completed_at is set exactly while the task is done or cancelled.
// - leads.next_follow_up_at: the soonest open task's due time, kept by the code that changes
//   follow_ups, in the same transaction, under a lock of the lead row (server/crm/follow-ups/queries.ts).
// - lead_stage_changes: every change of a lead's stage, written in the transaction that changes
//   it (server/crm/leads/queries.ts), for the lead's timeline.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE leads ADD COLUMN next_follow_up_at timestamptz;

    CREATE TABLE call_logs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      lead_id uuid NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
      user_id integer REFERENCES users(id) ON DELETE SET NULL,
      call_id integer REFERENCES calls(id) ON DELETE SET NULL,
      phone_e164 text NOT NULL CHECK (phone_e164 ~ '^\\+[1-9][0-9]{6,14}$'),
      outcome text NOT NULL CHECK (outcome IN ('interested', 'not_interested', 'voicemail', 'no_answer', 'busy', 'callback_requested')),
      duration_sec integer CHECK (duration_sec BETWEEN 0 AND 86400),
      notes text CHECK (length(notes) <= 1000),
      recording_url text CHECK (length(recording_url) <= 2048),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX call_logs_org_created_idx ON call_logs (org_id, created_at DESC, id);
    CREATE INDEX call_logs_org_user_created_idx ON call_logs (org_id, user_id, created_at DESC);
    CREATE INDEX call_logs_lead_created_idx ON call_logs (lead_id, created_at);
    CREATE INDEX call_logs_user_idx ON call_logs (user_id) WHERE user_id IS NOT NULL;
    CREATE INDEX call_logs_call_idx ON call_logs (call_id) WHERE call_id IS NOT NULL;

    CREATE TABLE follow_ups (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      lead_id uuid NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
      call_log_id uuid UNIQUE REFERENCES call_logs(id) ON DELETE CASCADE,
      user_id integer REFERENCES users(id) ON DELETE SET NULL,
      due_at timestamptz NOT NULL,
      status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
      completed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((status = 'open') = (completed_at IS NULL))
    );
    CREATE INDEX follow_ups_org_status_due_idx ON follow_ups (org_id, status, due_at, id);
    CREATE INDEX follow_ups_org_user_status_due_idx ON follow_ups (org_id, user_id, status, due_at);
    CREATE INDEX follow_ups_lead_due_idx ON follow_ups (lead_id, due_at) WHERE status = 'open';
    CREATE INDEX follow_ups_user_idx ON follow_ups (user_id) WHERE user_id IS NOT NULL;

    CREATE TABLE lead_stage_changes (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      lead_id uuid NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
      user_id integer REFERENCES users(id) ON DELETE SET NULL,
      from_stage text NOT NULL CHECK (from_stage IN ('new', 'contacted', 'follow_up', 'qualified', 'converted', 'lost')),
      to_stage text NOT NULL CHECK (to_stage IN ('new', 'contacted', 'follow_up', 'qualified', 'converted', 'lost')),
      changed_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX lead_stage_changes_lead_idx ON lead_stage_changes (lead_id, changed_at);
    CREATE INDEX lead_stage_changes_user_idx ON lead_stage_changes (user_id) WHERE user_id IS NOT NULL;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE lead_stage_changes;
    DROP TABLE follow_ups;
    DROP TABLE call_logs;
    ALTER TABLE leads DROP COLUMN next_follow_up_at;
  `.execute(db);
}
