// The outbound dialer (issue 18, DESIGN.md 9.2; seed 002): outbound campaigns' settings, the
// calls the dialer places, and the leads' claim.
//
// - campaigns: an outbound campaign's settings (null / defaults on inbound campaigns): caller id
//   (one of the organisation's numbers, checked by the API), schedule window, time zone, calling
//   hours and days (applied in the lead's local time, clamped to 08:00–21:00 by the dialer),
//   dial mode, lines per available agent, agent group, retry policy (the one model of
//   server/dialer/schedule/retry-policy.ts, as JSON), AMD, voicemail drop (an audio of the
//   organisation, a URL, or text), recording, the abandonment cap; and the dialer's counters,
//   written in the transactions that change the calls (never counted on read).
// - calls: the lead and agent of an outbound call, how it ended for the dialer (answered_by from
//   AMD, disposition), talk time and cost, the conference it was bridged in, the attempt number.
// - leads: `dial_lease_until` — a lead in `calling` belongs to the dialer that claimed it until
//   then; a claim whose dialer died before placing the call lapses and the lead is dialled again
//   (no lead stays stuck in `calling`); `last_call_id` is the call the lead is in.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE campaigns
      ADD COLUMN caller_id text CHECK (caller_id ~ '^\\+[1-9][0-9]{6,14}$'),
      ADD COLUMN schedule_start timestamptz,
      ADD COLUMN schedule_end timestamptz,
      ADD COLUMN time_zone text CHECK (length(time_zone) BETWEEN 1 AND 64),
      ADD COLUMN calling_hours_start text CHECK (calling_hours_start ~ '^[0-2][0-9]:[0-5][0-9]$'),
      ADD COLUMN calling_hours_end text CHECK (calling_hours_end ~ '^[0-2][0-9]:[0-5][0-9]$'),
      ADD COLUMN calling_days smallint[] CHECK (calling_days <@ ARRAY[1,2,3,4,5,6,7]::smallint[]),
      ADD COLUMN dial_mode text CHECK (dial_mode IN ('preview', 'progressive', 'predictive')),
      ADD COLUMN lines_per_agent numeric(4,2) CHECK (lines_per_agent >= 1 AND lines_per_agent <= 10),
      ADD COLUMN agent_group_id uuid,
      ADD COLUMN retry_policy jsonb,
      ADD COLUMN amd_enabled boolean NOT NULL DEFAULT false,
      ADD COLUMN voicemail_drop jsonb,
      ADD COLUMN record_calls boolean NOT NULL DEFAULT false,
      ADD COLUMN max_abandon_rate numeric(5,4) CHECK (max_abandon_rate >= 0 AND max_abandon_rate <= 1),
      ADD COLUMN calls_made integer NOT NULL DEFAULT 0,
      ADD COLUMN calls_answered integer NOT NULL DEFAULT 0,
      ADD COLUMN calls_completed integer NOT NULL DEFAULT 0,
      ADD COLUMN calls_abandoned integer NOT NULL DEFAULT 0,
      ADD CONSTRAINT campaigns_agent_group_fkey FOREIGN KEY (org_id, agent_group_id) REFERENCES agent_groups (org_id, id) ON DELETE SET NULL (agent_group_id);
    CREATE INDEX campaigns_outbound_active_idx ON campaigns (id) WHERE direction = 'outbound' AND status = 'active';

    ALTER TABLE calls
      ADD COLUMN lead_id uuid,
      ADD COLUMN agent_id uuid,
      ADD COLUMN answered_by text CHECK (answered_by IN ('human', 'machine_start', 'machine_end_beep', 'machine_end_silence',
        'machine_end_other', 'fax', 'unknown')),
      ADD COLUMN disposition text CHECK (disposition IN ('answered', 'voicemail', 'no_answer', 'busy', 'failed', 'abandoned', 'canceled')),
      ADD COLUMN talk_time_sec integer CHECK (talk_time_sec >= 0),
      ADD COLUMN cost numeric(12,5),
      ADD COLUMN conference_name text,
      ADD COLUMN dial_attempt integer CHECK (dial_attempt >= 1),
      ADD CONSTRAINT calls_lead_fkey FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE SET NULL,
      ADD CONSTRAINT calls_agent_fkey FOREIGN KEY (agent_id) REFERENCES agents (id) ON DELETE SET NULL;
    CREATE INDEX calls_lead_idx ON calls (lead_id, created_at) WHERE lead_id IS NOT NULL;
    CREATE INDEX calls_agent_idx ON calls (agent_id, created_at) WHERE agent_id IS NOT NULL;
    CREATE INDEX calls_outbound_open_idx ON calls (campaign_id) WHERE direction = 'outbound' AND status_rank < 4;
    -- The predictive pacing's recent calls per campaign, newest first.
    CREATE INDEX calls_outbound_recent_idx ON calls (campaign_id, id DESC) WHERE direction = 'outbound';

    ALTER TABLE leads
      ADD COLUMN dial_lease_until timestamptz,
      ADD COLUMN last_call_id integer;
    CREATE INDEX leads_calling_idx ON leads (dial_lease_until) WHERE dial_status = 'calling';
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE leads DROP COLUMN dial_lease_until, DROP COLUMN last_call_id;
    ALTER TABLE calls DROP COLUMN lead_id, DROP COLUMN agent_id, DROP COLUMN answered_by, DROP COLUMN disposition,
      DROP COLUMN talk_time_sec, DROP COLUMN cost, DROP COLUMN conference_name, DROP COLUMN dial_attempt;
    DROP INDEX campaigns_outbound_active_idx;
    ALTER TABLE campaigns DROP COLUMN caller_id, DROP COLUMN schedule_start, DROP COLUMN schedule_end, DROP COLUMN time_zone,
      DROP COLUMN calling_hours_start, DROP COLUMN calling_hours_end, DROP COLUMN calling_days, DROP COLUMN dial_mode,
      DROP COLUMN lines_per_agent, DROP COLUMN agent_group_id, DROP COLUMN retry_policy, DROP COLUMN amd_enabled,
      DROP COLUMN voicemail_drop, DROP COLUMN record_calls, DROP COLUMN max_abandon_rate, DROP COLUMN calls_made,
      DROP COLUMN calls_answered, DROP COLUMN calls_completed, DROP COLUMN calls_abandoned;
  `.execute(db);
}
