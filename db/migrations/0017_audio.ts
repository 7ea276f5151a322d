// Uploaded audio (seed 003, issue 17.7): mp3 / wav files, checked by content before they are
// stored, kept in PostgreSQL so that every server instance can serve them (no local files).
//
// - audio_files.data is bytea with STORAGE EXTERNAL: stored out of line and never compressed
//   (mp3 does not compress; wav little), so that substring(data FROM x FOR n) reads only the
//   TOAST chunks of that slice: a Range request, and each chunk of a streamed answer, costs
//   what it sends, not the whole file.
// - sha256 is the file's ETag (a file's content never changes; there is no update of it).
// - campaigns.fallback_audio_id: the audio a campaign's fallback plays instead of its message.
//   The (org_id, id) foreign key keeps it inside the organisation and refuses the deletion of an
//   audio a campaign still uses (the API answers 409). NO ACTION, not RESTRICT: checked at the end
//   of the statement, so deleting an organisation removes its campaigns and audio together.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE audio_files (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      category text CHECK (length(category) BETWEEN 1 AND 64),
      description text CHECK (length(description) <= 1000),
      file_name text CHECK (length(file_name) <= 255),
      format text NOT NULL CHECK (format IN ('mp3', 'wav')),
      content_type text NOT NULL CHECK (content_type IN ('audio/mpeg', 'audio/wav')),
      size_bytes integer NOT NULL CHECK (size_bytes > 0),
      duration_seconds numeric(12,3) CHECK (duration_seconds >= 0),
      sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
      data bytea NOT NULL CHECK (octet_length(data) = size_bytes),
      created_by integer REFERENCES users(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (org_id, id)
    );
    ALTER TABLE audio_files ALTER COLUMN data SET STORAGE EXTERNAL;
    CREATE INDEX audio_files_org_created_idx ON audio_files (org_id, created_at DESC, id DESC);
    CREATE INDEX audio_files_org_category_idx ON audio_files (org_id, category, created_at DESC) WHERE category IS NOT NULL;

    ALTER TABLE campaigns ADD COLUMN fallback_audio_id uuid;
    ALTER TABLE campaigns ADD CONSTRAINT campaigns_fallback_audio_fkey
      FOREIGN KEY (org_id, fallback_audio_id) REFERENCES audio_files (org_id, id) ON DELETE NO ACTION;
    CREATE INDEX campaigns_fallback_audio_idx ON campaigns (fallback_audio_id) WHERE fallback_audio_id IS NOT NULL;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE campaigns DROP COLUMN fallback_audio_id;
    DROP TABLE audio_files;
  `.execute(db);
}
