// A rotation counter per priority group of a campaign (found by review on 7 December).
//
// Priority routing dials the lowest priority number first, round-robin among equals (DESIGN.md
// 4.3), from the campaign's one counter (routing_rotation), which a call advanced only when the
// buyers it dialled first were tied. The equals a call falls through to (one buyer ahead of them
// busy or not answering: "primary, then a pool of backups") were ordered by that counter too, but
// a fall-through never advanced it: with a single primary it never moved at all, so the first
// backup took every fall-through call and the others none.
//
// Now each priority group of a campaign has its own counter, advanced by every routing (the voice
// webhook's, a fall-through, a flow's) whose next buyer is in that group and tied with another one.
// One counter per group keeps groups apart: a call that rotates its first group and then falls
// through to a second advances each once. round_robin keeps the campaign's counter.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE campaign_priority_rotations (
      org_id uuid NOT NULL,
      campaign_id uuid NOT NULL,
      priority integer NOT NULL,
      rotation bigint NOT NULL DEFAULT 0,
      PRIMARY KEY (campaign_id, priority),
      FOREIGN KEY (org_id, campaign_id) REFERENCES campaigns (org_id, id) ON DELETE CASCADE
    )
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE campaign_priority_rotations`.execute(db);
}
