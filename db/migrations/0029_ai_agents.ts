// AI voice agents (issue 20, DESIGN.md 9.4, seed 004): the tables of server/ai/.
//
// - ai_agents: an organisation's voice agents, their current settings. Every change also writes
//   an immutable row of ai_agent_versions (the whole settings as answered by the API, `settings`);
//   `version` is the newest one. Deleting an agent archives it (`archived_at`) when calls or
//   conversations refer to it; a scheduled call using it refuses the delete.
// - phone_numbers.ai_agent_id: a number answered by an agent (seed 004's /phones); a number is a
//   campaign's or an agent's, never both.
// - calls.ai_agent_id / ai_agent_version: the agent and version a call ran.
// - kb_documents / kb_chunks: the knowledge base. An upload is kept in `file` until it is
//   processed in the background (status processing → ready / failed with `failure_reason`); its
//   passages are kb_chunks, each with a stored `tsvector` ranked by full-text search.
// - ai_conversations / ai_turns: one conversation per call or text test session, turn by turn
//   with timings; usage counters for the cost, the summary and outcome after it ends.
// - ai_schedules: recurring calls (daily / weekly / monthly at a local time).
// - ai_outbound_calls: seed 004's /calls/outbound — one row per attempt: scheduled, then
//   queued / in-progress, then completed / failed / no-answer / busy / canceled; a retry is a new
//   row (`attempt` + 1, `original_call_id`), its cost and transcript after the call.
// - organizations.exotel_secret_hash: the per-organisation secret of the Exotel webhook (SHA-256).
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE ai_agents (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      system_prompt text NOT NULL,
      first_message text,
      voice text,
      language text NOT NULL DEFAULT 'en-US',
      model text NOT NULL,
      temperature numeric(3, 2) NOT NULL DEFAULT 0.7 CHECK (temperature >= 0 AND temperature <= 2),
      max_tokens integer NOT NULL DEFAULT 150 CHECK (max_tokens BETWEEN 1 AND 32768),
      tools jsonb NOT NULL DEFAULT '[]'::jsonb,
      retry_config jsonb NOT NULL DEFAULT '{}'::jsonb,
      is_active boolean NOT NULL DEFAULT true,
      version integer NOT NULL DEFAULT 1,
      archived_at timestamptz,
      created_by_user_id integer REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (org_id, id)
    );
    CREATE INDEX ai_agents_org_idx ON ai_agents (org_id, created_at DESC) WHERE archived_at IS NULL;

    CREATE TABLE ai_agent_versions (
      agent_id uuid NOT NULL REFERENCES ai_agents (id) ON DELETE CASCADE,
      version integer NOT NULL CHECK (version >= 1),
      org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      settings jsonb NOT NULL,
      created_by_user_id integer REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (agent_id, version)
    );
    CREATE FUNCTION ai_agent_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      RAISE EXCEPTION 'ai_agent_versions rows are immutable';
    END
    $fn$;
    CREATE TRIGGER ai_agent_versions_no_update BEFORE UPDATE ON ai_agent_versions
      FOR EACH ROW EXECUTE FUNCTION ai_agent_versions_immutable();

    ALTER TABLE phone_numbers ADD COLUMN ai_agent_id uuid REFERENCES ai_agents (id) ON DELETE SET NULL;
    ALTER TABLE phone_numbers ADD CONSTRAINT phone_numbers_campaign_or_agent CHECK (ai_agent_id IS NULL OR campaign_id IS NULL);
    CREATE INDEX phone_numbers_ai_agent_idx ON phone_numbers (ai_agent_id) WHERE ai_agent_id IS NOT NULL;

    ALTER TABLE calls ADD COLUMN ai_agent_id uuid REFERENCES ai_agents (id) ON DELETE SET NULL;
    ALTER TABLE calls ADD COLUMN ai_agent_version integer;
    CREATE INDEX calls_ai_agent_idx ON calls (ai_agent_id, created_at) WHERE ai_agent_id IS NOT NULL;

    ALTER TABLE organizations ADD COLUMN exotel_secret_hash text;

    CREATE TABLE kb_documents (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      agent_id uuid REFERENCES ai_agents (id) ON DELETE CASCADE,
      title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
      category text,
      file_name text,
      content_type text NOT NULL,
      size_bytes integer NOT NULL,
      sha256 text NOT NULL,
      file bytea,
      status text NOT NULL DEFAULT 'processing' CHECK (status IN ('processing', 'ready', 'failed')),
      failure_reason text,
      page_count integer,
      chunk_count integer NOT NULL DEFAULT 0,
      attempts integer NOT NULL DEFAULT 0,
      locked_until timestamptz,
      created_by_user_id integer REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      processed_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX kb_documents_org_idx ON kb_documents (org_id, created_at DESC);
    CREATE INDEX kb_documents_due_idx ON kb_documents (locked_until NULLS FIRST) WHERE status = 'processing';

    CREATE TABLE kb_chunks (
      id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
      org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      document_id uuid NOT NULL REFERENCES kb_documents (id) ON DELETE CASCADE,
      agent_id uuid REFERENCES ai_agents (id) ON DELETE CASCADE,
      position integer NOT NULL,
      page integer,
      content text NOT NULL,
      tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', content)) STORED,
      UNIQUE (document_id, position)
    );
    CREATE INDEX kb_chunks_tsv_idx ON kb_chunks USING gin (tsv);
    CREATE INDEX kb_chunks_org_agent_idx ON kb_chunks (org_id, agent_id);

    CREATE TABLE ai_schedules (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      agent_id uuid NOT NULL REFERENCES ai_agents (id),
      to_phone text NOT NULL CHECK (to_phone ~ '^\\+[1-9][0-9]{6,14}$'),
      context text,
      pattern text NOT NULL CHECK (pattern IN ('daily', 'weekly', 'monthly')),
      time_of_day text NOT NULL CHECK (time_of_day ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
      timezone text NOT NULL DEFAULT 'UTC',
      start_date date NOT NULL,
      end_date date,
      business_hours_only boolean NOT NULL DEFAULT false,
      priority text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high')),
      is_active boolean NOT NULL DEFAULT true,
      next_run_at timestamptz,
      last_run_at timestamptz,
      locked_until timestamptz,
      created_by_user_id integer REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (end_date IS NULL OR end_date >= start_date)
    );
    CREATE INDEX ai_schedules_org_idx ON ai_schedules (org_id, created_at DESC);
    CREATE INDEX ai_schedules_due_idx ON ai_schedules (next_run_at) WHERE is_active;

    CREATE TABLE ai_outbound_calls (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      agent_id uuid NOT NULL REFERENCES ai_agents (id),
      agent_version integer,
      to_phone text NOT NULL CHECK (to_phone ~ '^\\+[1-9][0-9]{6,14}$'),
      context text,
      scheduled_for timestamptz NOT NULL DEFAULT now(),
      timezone text NOT NULL DEFAULT 'UTC',
      priority text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high')),
      status text NOT NULL DEFAULT 'scheduled'
        CHECK (status IN ('scheduled', 'queued', 'in-progress', 'completed', 'failed', 'no-answer', 'busy', 'canceled')),
      failure_reason text,
      attempt integer NOT NULL DEFAULT 1 CHECK (attempt >= 1),
      original_call_id uuid REFERENCES ai_outbound_calls (id) ON DELETE SET NULL,
      schedule_id uuid REFERENCES ai_schedules (id) ON DELETE SET NULL,
      import_id uuid REFERENCES lead_imports (id) ON DELETE SET NULL,
      call_id integer REFERENCES calls (id) ON DELETE SET NULL,
      duration_sec integer,
      summary text,
      outcome text,
      cost numeric(12, 4),
      cost_breakdown jsonb,
      metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
      locked_until timestamptz,
      created_by_user_id integer REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      ended_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX ai_outbound_calls_org_idx ON ai_outbound_calls (org_id, created_at DESC);
    CREATE INDEX ai_outbound_calls_due_idx ON ai_outbound_calls (priority, scheduled_for) WHERE status = 'scheduled';
    CREATE INDEX ai_outbound_calls_agent_idx ON ai_outbound_calls (agent_id, status);
    CREATE UNIQUE INDEX ai_outbound_calls_call_idx ON ai_outbound_calls (call_id) WHERE call_id IS NOT NULL;

    CREATE TABLE ai_conversations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      agent_id uuid NOT NULL REFERENCES ai_agents (id) ON DELETE CASCADE,
      agent_version integer NOT NULL,
      channel text NOT NULL CHECK (channel IN ('voice', 'text')),
      call_id integer REFERENCES calls (id) ON DELETE SET NULL,
      outbound_call_id uuid REFERENCES ai_outbound_calls (id) ON DELETE SET NULL,
      mode text NOT NULL CHECK (mode IN ('model', 'local')),
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'ended')),
      end_reason text,
      handoff jsonb,
      summary text,
      outcome text,
      prompt_tokens integer NOT NULL DEFAULT 0,
      completion_tokens integer NOT NULL DEFAULT 0,
      stt_seconds numeric(12, 3) NOT NULL DEFAULT 0,
      tts_characters integer NOT NULL DEFAULT 0,
      started_at timestamptz NOT NULL DEFAULT now(),
      ended_at timestamptz
    );
    CREATE INDEX ai_conversations_org_idx ON ai_conversations (org_id, started_at DESC);
    CREATE UNIQUE INDEX ai_conversations_call_idx ON ai_conversations (call_id) WHERE call_id IS NOT NULL;

    CREATE TABLE ai_turns (
      id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
      conversation_id uuid NOT NULL REFERENCES ai_conversations (id) ON DELETE CASCADE,
      seq integer NOT NULL,
      role text NOT NULL CHECK (role IN ('user', 'assistant', 'tool')),
      content text NOT NULL,
      tool_name text,
      tool_call_id text,
      interrupted boolean NOT NULL DEFAULT false,
      started_at timestamptz NOT NULL,
      first_token_ms integer,
      model_first_token_ms integer,
      ended_at timestamptz,
      UNIQUE (conversation_id, seq)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE ai_turns;
    DROP TABLE ai_conversations;
    DROP TABLE ai_outbound_calls;
    DROP TABLE ai_schedules;
    DROP TABLE kb_chunks;
    DROP TABLE kb_documents;
    ALTER TABLE organizations DROP COLUMN exotel_secret_hash;
    DROP INDEX calls_ai_agent_idx;
    ALTER TABLE calls DROP COLUMN ai_agent_version, DROP COLUMN ai_agent_id;
    ALTER TABLE phone_numbers DROP CONSTRAINT phone_numbers_campaign_or_agent, DROP COLUMN ai_agent_id;
    DROP TABLE ai_agent_versions;
    DROP FUNCTION ai_agent_versions_immutable();
    DROP TABLE ai_agents;
  `.execute(db);
}
