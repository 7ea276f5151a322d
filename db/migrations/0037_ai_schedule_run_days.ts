// AI schedules (issue 20): the days a recurring call runs on, when not startDate's — a weekly
// schedule's ISO weekdays (1 = Monday … 7 = Sunday), a monthly one's day of the month (1–31; a
// shorter month runs on its last day). Null: startDate's weekday / day, as before.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE ai_schedules
      ADD COLUMN days_of_week smallint[] CHECK (days_of_week IS NULL OR (cardinality(days_of_week) BETWEEN 1 AND 7 AND 1 <= ALL (days_of_week) AND 7 >= ALL (days_of_week))),
      ADD COLUMN day_of_month smallint CHECK (day_of_month BETWEEN 1 AND 31),
      ADD CONSTRAINT ai_schedules_run_days_check CHECK ((days_of_week IS NULL OR pattern = 'weekly') AND (day_of_month IS NULL OR pattern = 'monthly'));
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE ai_schedules DROP CONSTRAINT ai_schedules_run_days_check, DROP COLUMN day_of_month, DROP COLUMN days_of_week;
  `.execute(db);
}
