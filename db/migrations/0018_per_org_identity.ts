// Accounts belong to an organisation, and so does their email (issue 15.7: no existence oracle).
//
// With one global email index, registration and POST /api/users answered 409 "already
// registered" for an address used in any organisation, telling anyone which addresses have
// accounts. Emails and usernames are now unique within an organisation only: registration always
// makes a new organisation and its owner, and a user's creation conflicts only with the caller's
// own users (whom the caller can list anyway). Login finds the accounts with that email or
// username and checks the password against each (server/accounts/auth/handlers.ts).
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX users_email_key;
    DROP INDEX users_username_key;
    CREATE UNIQUE INDEX users_org_email_key ON users (org_id, lower(email));
    CREATE UNIQUE INDEX users_org_username_key ON users (org_id, lower(username)) WHERE username IS NOT NULL;
    CREATE INDEX users_email_idx ON users (lower(email));
    CREATE INDEX users_username_idx ON users (lower(username)) WHERE username IS NOT NULL;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX users_username_idx;
    DROP INDEX users_email_idx;
    DROP INDEX users_org_username_key;
    DROP INDEX users_org_email_key;
    CREATE UNIQUE INDEX users_email_key ON users (lower(email));
    CREATE UNIQUE INDEX users_username_key ON users (lower(username)) WHERE username IS NOT NULL;
  `.execute(db);
}
