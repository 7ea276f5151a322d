// Leads and CRM (issue 17, DESIGN.md 9.1): leads, the do-not-call list, CSV imports.
//
// - pg_trgm (trigram indexes: phone fragments, typos, substrings) is created once per database,
//   in `public` when it is not there yet, under a database-wide advisory lock (test runs migrate
//   many schemas at once). Its operators are then found through the search_path: servers keep
//   `public` on it, and db/connection.ts appends it to a test schema's path. PGlite loads the
//   extension's code from @electric-sql/pglite/contrib/pg_trgm (db/connection.ts).
// - organizations.default_country / campaigns.default_country: the country national numbers are
//   read in (request, else campaign, else organisation).
// - leads: the union of seeds 002 and 003; stage (sales) and dial_status (dialer) are separate;
//   the dialer's columns (call_attempts, last_call_at, next_call_at, time_zone) are here for it.
//   One lead per normalised number per campaign (NULLS NOT DISTINCT: leads without a campaign
//   too), which makes imports idempotent. Search columns are generated: search_doc (lower-case
//   name, company and email: trigram index), search_tsv (simple-config full-text of name and
//   company: e-mails are matched as substrings, their words would make the lexicon huge) and
//   phone_digits (E.164 without '+': trigram index for fragments).
// - dnc_numbers: one row per (organisation, E.164 number).
// - lead_imports: one row per import (status, counts, checkpoint, lease); the uploaded file is
//   kept in lead_import_chunks (bytea pieces, in order) until the import ends, so that any
//   instance can run it and a restart resumes it; lead_import_errors: the first 1,000 row errors.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext('ccp-extension:pg_trgm'))`.execute(db);
  const installed = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'pg_trgm'`.execute(db);
  if ((installed.rows[0]?.n ?? 0) === 0) await sql`CREATE EXTENSION pg_trgm WITH SCHEMA public`.execute(db);

  await sql`
    ALTER TABLE organizations ADD COLUMN default_country text NOT NULL DEFAULT 'US' CHECK (default_country ~ '^[A-Z]{2}$');
    ALTER TABLE campaigns ADD COLUMN default_country text CHECK (default_country ~ '^[A-Z]{2}$');

    CREATE TABLE lead_imports (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      campaign_id uuid REFERENCES campaigns(id) ON DELETE CASCADE,
      created_by_user_id integer REFERENCES users(id) ON DELETE SET NULL,
      file_name text,
      file_bytes bigint NOT NULL DEFAULT 0,
      file_sha256 text,
      options jsonb NOT NULL DEFAULT '{}'::jsonb,
      status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'processing', 'completed', 'failed')),
      total_rows integer NOT NULL DEFAULT 0,
      valid_rows integer NOT NULL DEFAULT 0,
      invalid_rows integer NOT NULL DEFAULT 0,
      duplicate_rows integer NOT NULL DEFAULT 0,
      dnc_rows integer NOT NULL DEFAULT 0,
      inserted_rows integer NOT NULL DEFAULT 0,
      error_count integer NOT NULL DEFAULT 0,
      failure text,
      attempts integer NOT NULL DEFAULT 0,
      locked_until timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      completed_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX lead_imports_org_created_idx ON lead_imports (org_id, created_at DESC);
    CREATE INDEX lead_imports_due_idx ON lead_imports (created_at) WHERE status IN ('queued', 'processing');

    CREATE TABLE lead_import_chunks (
      import_id uuid NOT NULL REFERENCES lead_imports(id) ON DELETE CASCADE,
      seq integer NOT NULL,
      data bytea NOT NULL,
      PRIMARY KEY (import_id, seq)
    );

    CREATE TABLE lead_import_errors (
      import_id uuid NOT NULL REFERENCES lead_imports(id) ON DELETE CASCADE,
      seq integer NOT NULL,
      row_number integer NOT NULL,
      field text,
      value text,
      message text NOT NULL,
      PRIMARY KEY (import_id, seq)
    );

    CREATE TABLE leads (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      campaign_id uuid REFERENCES campaigns(id) ON DELETE CASCADE,
      name text,
      first_name text,
      last_name text,
      company text,
      phone text NOT NULL,
      phone_e164 text NOT NULL CHECK (phone_e164 ~ '^\\+[1-9][0-9]{6,14}$'),
      email text,
      country text CHECK (country ~ '^[A-Z]{2}$'),
      time_zone text,
      priority text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
      custom_fields jsonb NOT NULL DEFAULT '{}'::jsonb,
      notes text,
      assigned_to integer REFERENCES users(id) ON DELETE SET NULL,
      stage text NOT NULL DEFAULT 'new' CHECK (stage IN ('new', 'contacted', 'follow_up', 'qualified', 'converted', 'lost')),
      dial_status text NOT NULL DEFAULT 'pending' CHECK (dial_status IN ('pending', 'queued', 'calling', 'completed', 'failed', 'dnc')),
      call_attempts integer NOT NULL DEFAULT 0 CHECK (call_attempts >= 0),
      last_call_at timestamptz,
      next_call_at timestamptz,
      do_not_call boolean NOT NULL DEFAULT false,
      source text NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'import')),
      import_id uuid REFERENCES lead_imports(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      search_doc text GENERATED ALWAYS AS (lower(coalesce(name, '') || ' ' || coalesce(company, '') || ' ' || coalesce(email, ''))) STORED,
      search_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, coalesce(name, '') || ' ' || coalesce(company, ''))) STORED,
      phone_digits text GENERATED ALWAYS AS (substr(phone_e164, 2)) STORED
    );
    CREATE UNIQUE INDEX leads_campaign_phone_key ON leads (org_id, campaign_id, phone_e164) NULLS NOT DISTINCT;
    CREATE INDEX leads_org_created_idx ON leads (org_id, created_at DESC, id);
    CREATE INDEX leads_org_assigned_idx ON leads (org_id, assigned_to) WHERE assigned_to IS NOT NULL;
    CREATE INDEX leads_org_phone_idx ON leads (org_id, phone_e164);
    CREATE INDEX leads_due_idx ON leads (campaign_id, next_call_at) WHERE dial_status IN ('pending', 'queued') AND NOT do_not_call;
    CREATE INDEX leads_search_doc_trgm_idx ON leads USING gin (search_doc gin_trgm_ops);
    CREATE INDEX leads_phone_digits_trgm_idx ON leads USING gin (phone_digits gin_trgm_ops);
    CREATE INDEX leads_search_tsv_idx ON leads USING gin (search_tsv);

    CREATE TABLE dnc_numbers (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      phone_e164 text NOT NULL CHECK (phone_e164 ~ '^\\+[1-9][0-9]{6,14}$'),
      reason text,
      source text NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'import')),
      created_by_user_id integer REFERENCES users(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (org_id, phone_e164)
    );
    CREATE INDEX dnc_numbers_org_created_idx ON dnc_numbers (org_id, created_at DESC);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE dnc_numbers;
    DROP TABLE leads;
    DROP TABLE lead_import_errors;
    DROP TABLE lead_import_chunks;
    DROP TABLE lead_imports;
    ALTER TABLE campaigns DROP COLUMN default_country;
    ALTER TABLE organizations DROP COLUMN default_country;
  `.execute(db);
}
