// AI voice agents (issue 20): a tool turn keeps the arguments the model called it with, so a
// text conversation rebuilt from its turns gives the model back its own calls as made (not `{}`),
// and a transcript shows what was asked of each tool.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE ai_turns ADD COLUMN tool_arguments jsonb CHECK (tool_arguments IS NULL OR jsonb_typeof(tool_arguments) = 'object')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE ai_turns DROP COLUMN tool_arguments`.execute(db);
}
