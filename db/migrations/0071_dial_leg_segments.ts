// The segments of one <Dial> attempt that was connected more than once (found by review on
// 7 December): call control's hold of a two-party call parks the caller (Twilio requests the
// <Dial>'s action for the seconds connected so far) and resume dials the same attempt again (a
// new DialCallSid, its own action). A leg kept only the largest DialCallDuration it was sent, so
// the buyer's seconds before the hold were lost for the minimum duration and the connected time.
// dial_segments holds each segment's seconds by DialCallSid once a leg has more than one
// ([{"sid": "CA…", "sec": 60}, …], sorted by sid); dial_duration_sec is then their sum.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE call_legs ADD COLUMN dial_segments jsonb CHECK (dial_segments IS NULL OR jsonb_typeof(dial_segments) = 'array')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE call_legs DROP COLUMN dial_segments`.execute(db);
}
