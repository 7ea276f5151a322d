// Stateless session cookies carry the user's session version; bumping it (logout) ends every
// session of that user, so a copied cookie stops working after logout.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE users ADD COLUMN session_version integer NOT NULL DEFAULT 0`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE users DROP COLUMN session_version`.execute(db);
}
