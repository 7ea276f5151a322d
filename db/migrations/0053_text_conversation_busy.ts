// A text conversation (POST /api/ai-agents/{id}/test) answers one message at a time. Two messages
// sent at once to the same conversation were both answered from the same transcript, and the turns
// of one of them were then lost (both wrote the same turn numbers; the second write kept nothing).
// `busy_until` is the lease of the message being answered: taken with a conditional update before
// the transcript is read, cleared when the answer is stored; a second message meanwhile is refused
// (409). A server that dies mid-answer leaves the lease to lapse.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE ai_conversations ADD COLUMN busy_until timestamptz`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE ai_conversations DROP COLUMN busy_until`.execute(db);
}
