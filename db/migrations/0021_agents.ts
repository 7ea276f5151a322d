// Human agents of the outbound dialer, their groups and their presence history (issue 18 item 5,
// DESIGN.md 9.2; seed 002's /api/agents).
//
// - agent_groups: a team of agents (name unique per organisation). UNIQUE (org_id, id) lets agents
//   reference a group of their own organisation only.
// - agents: a person who takes calls at `phone_e164` — optionally a user of the organisation (at
//   most one agent per user). `status` is the presence; `status_version` counts its changes and
//   `status_changed_at` says when the last one happened. A presence change is one conditional
//   statement under the row's lock (server/dialer/agents/presence.ts) that also writes the
//   history row, so changes by people and by calls never interleave. working_hours is the
//   buyers' operating-hours shape ({monday: {start, end}, ...}) in `time_zone`. Deleting a group
//   leaves its agents without one (ON DELETE SET NULL of the one column, PostgreSQL 15+).
// - agent_status_changes: every presence change (from, to, why: a person or a call, who), in
//   order of `id` per agent; each row's from_status is the previous row's to_status.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE agent_groups (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      description text CHECK (length(description) <= 1000),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (org_id, id)
    );
    CREATE UNIQUE INDEX agent_groups_org_name_key ON agent_groups (org_id, lower(name));

    CREATE TABLE agents (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      user_id integer REFERENCES users(id) ON DELETE SET NULL,
      group_id uuid,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      email text CHECK (length(email) <= 254),
      phone_e164 text NOT NULL CHECK (phone_e164 ~ '^\\+[1-9][0-9]{6,14}$'),
      status text NOT NULL DEFAULT 'offline' CHECK (status IN ('available', 'busy', 'offline', 'break')),
      status_version integer NOT NULL DEFAULT 0,
      status_changed_at timestamptz NOT NULL DEFAULT now(),
      time_zone text NOT NULL DEFAULT 'UTC' CHECK (length(time_zone) BETWEEN 1 AND 64),
      working_hours jsonb,
      max_concurrent_calls integer NOT NULL DEFAULT 1 CHECK (max_concurrent_calls BETWEEN 1 AND 10),
      is_active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      FOREIGN KEY (org_id, group_id) REFERENCES agent_groups (org_id, id) ON DELETE SET NULL (group_id)
    );
    CREATE UNIQUE INDEX agents_org_user_key ON agents (org_id, user_id) WHERE user_id IS NOT NULL;
    CREATE INDEX agents_user_idx ON agents (user_id) WHERE user_id IS NOT NULL;
    CREATE INDEX agents_org_name_idx ON agents (org_id, name, id);
    CREATE INDEX agents_org_status_idx ON agents (org_id, status);
    CREATE INDEX agents_group_idx ON agents (org_id, group_id) WHERE group_id IS NOT NULL;

    CREATE TABLE agent_status_changes (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      agent_id uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
      from_status text NOT NULL CHECK (from_status IN ('available', 'busy', 'offline', 'break')),
      to_status text NOT NULL CHECK (to_status IN ('available', 'busy', 'offline', 'break')),
      reason text NOT NULL CHECK (reason IN ('user', 'call')),
      user_id integer REFERENCES users(id) ON DELETE SET NULL,
      changed_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX agent_status_changes_agent_idx ON agent_status_changes (agent_id, changed_at, id);
    CREATE INDEX agent_status_changes_user_idx ON agent_status_changes (user_id) WHERE user_id IS NOT NULL;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE agent_status_changes;
    DROP TABLE agents;
    DROP TABLE agent_groups;
  `.execute(db);
}
