// Live events across instances (issue 19, DESIGN.md 9.3): the table the Socket.IO PostgreSQL
// adapter keeps payloads too large for a NOTIFY in (it deletes them after 30 s). Created here, with
// the other tables, rather than by the adapter at start.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE socket_io_attachments (
      id bigserial UNIQUE,
      created_at timestamptz DEFAULT now(),
      payload bytea
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE socket_io_attachments`.execute(db);
}
