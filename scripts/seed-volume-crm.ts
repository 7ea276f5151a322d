// The outbound and CRM part of scripts/seed-volume.ts (issue 19 item 5): for one organisation,
// agents (each a user with role agent), leads over the period with stage histories, the dialer's
// outbound calls bridged to the agents (dispositions, talk time) and call logs by the agents — the
// volume the agent, outcome and lead reports read. Written with INSERT … SELECT over
// generate_series on a connection whose triggers are off (the caller rebuilds the summaries).
//
// Shares: dispositions answered 40 %, voicemail 20 %, no answer 20 %, busy 10 %, failed 5 %,
// abandoned 3 %, canceled 2 %; lead stages new 30 %, contacted 25 %, follow-up 15 %, qualified
// 12 %, converted 8 %, lost 10 %, each reached through the stages before it.
import { sql, type Transaction, type Kysely } from 'kysely';
import type { DB } from '../db/types.js';

export interface CrmVolume {
  orgId: string;
  tag: string;
  campaignIds: string[];
  passwordHash: string;
  days: number;
  agents: number;
  leads: number;
  outboundCalls: number;
  callLogs: number;
}

type Conn = Kysely<DB> | Transaction<DB>;
const uuids = (ids: readonly string[]) => `{${ids.join(',')}}`;

export async function seedCrmVolume(conn: Conn, v: CrmVolume): Promise<void> {
  const users = await conn
    .insertInto('users')
    .values(Array.from({ length: v.agents }, (_, k) => ({ org_id: v.orgId, email: `${v.tag}-agent-${k + 1}@example.com`, password_hash: v.passwordHash, role: 'agent' as const })))
    .returning('id')
    .execute();
  const agents = await conn
    .insertInto('agents')
    .values(users.map((u, k) => ({ org_id: v.orgId, user_id: u.id, name: `Agent ${String(k + 1).padStart(2, '0')}`, phone_e164: `+1646555${String(2000 + k).padStart(4, '0')}` })))
    .returning('id')
    .execute();
  const userIds = `{${users.map((u) => u.id).join(',')}}`;
  const agentIds = uuids(agents.map((a) => a.id));
  const campaignIds = uuids(v.campaignIds);
  const orgNumber = Number.parseInt(v.tag.replace(/\D/g, ''), 10) || 1;

  await sql`
    INSERT INTO leads (org_id, campaign_id, name, phone, phone_e164, assigned_to, stage, furthest_stage, source, created_at, updated_at)
    SELECT ${v.orgId}, CASE WHEN g % 20 = 0 THEN NULL ELSE (${campaignIds}::uuid[])[1 + (g % ${v.campaignIds.length})] END,
      'Lead ' || g, e164, e164, (${userIds}::int[])[1 + (g % ${v.agents})],
      CASE WHEN r < 0.30 THEN 'new' WHEN r < 0.55 THEN 'contacted' WHEN r < 0.70 THEN 'follow_up' WHEN r < 0.82 THEN 'qualified'
           WHEN r < 0.90 THEN 'converted' ELSE 'lost' END,
      -- What the trigger keeps (it is off here): the stage's rank; a lost lead got as far as contacted.
      CASE WHEN r < 0.30 THEN 0 WHEN r < 0.55 THEN 1 WHEN r < 0.70 THEN 2 WHEN r < 0.82 THEN 3 WHEN r < 0.90 THEN 4 ELSE 1 END,
      CASE WHEN g % 3 = 0 THEN 'api' ELSE 'import' END, at, at
    FROM (SELECT g, random() AS r, now() - random() * make_interval(days => ${v.days}) AS at,
            '+1' || (${2_000_000_000 + orgNumber * 100_000_000}::bigint + g)::text AS e164
          FROM generate_series(1, ${v.leads}) g) s`.execute(conn);
  // The stage history: every stage before the current one, a day apart after the lead was created
  // (a lost lead got as far as contacted first).
  await sql`
    INSERT INTO lead_stage_changes (org_id, lead_id, user_id, from_stage, to_stage, changed_at)
    SELECT l.org_id, l.id, l.assigned_to, steps.stage[n], steps.stage[n + 1], l.created_at + make_interval(days => n)
    FROM leads l
    CROSS JOIN (SELECT ARRAY['new', 'contacted', 'follow_up', 'qualified', 'converted'] AS stage) steps
    CROSS JOIN LATERAL generate_series(1, CASE l.stage WHEN 'contacted' THEN 1 WHEN 'follow_up' THEN 2 WHEN 'qualified' THEN 3
                                                       WHEN 'converted' THEN 4 WHEN 'lost' THEN 1 ELSE 0 END) n
    WHERE l.org_id = ${v.orgId}`.execute(conn);
  await sql`
    INSERT INTO lead_stage_changes (org_id, lead_id, user_id, from_stage, to_stage, changed_at)
    SELECT org_id, id, assigned_to, 'contacted', 'lost', created_at + interval '2 days' FROM leads WHERE org_id = ${v.orgId} AND stage = 'lost'`.execute(conn);

  await sql`
    INSERT INTO calls (org_id, call_sid, direction, campaign_id, agent_id, lead_id, from_number, to_number, status, status_rank,
      duration_sec, connected_duration_sec, disposition, talk_time_sec, answered_by, dial_attempt, ended_at, created_at, updated_at)
    SELECT ${v.orgId}, 'CA' || md5(${v.tag} || '-out-' || g), 'outbound', (${campaignIds}::uuid[])[1 + (g % ${v.campaignIds.length})],
      (${agentIds}::uuid[])[1 + (g % ${v.agents})], NULL, '+1646555' || lpad((g % 1000)::text, 4, '0'), '+1310555' || lpad((g % 10000)::text, 4, '0'),
      status, 4, duration, COALESCE(duration, 0), disposition, CASE WHEN disposition = 'answered' THEN duration ELSE 0 END,
      CASE WHEN disposition = 'voicemail' THEN 'machine_end_beep' WHEN disposition IN ('answered', 'abandoned') THEN 'human' END,
      1, at + make_interval(secs => COALESCE(duration, 0)), at, at
    FROM (
      SELECT g, at, disposition,
        CASE disposition WHEN 'no_answer' THEN 'no-answer' WHEN 'busy' THEN 'busy' WHEN 'failed' THEN 'failed' WHEN 'canceled' THEN 'canceled' ELSE 'completed' END AS status,
        CASE WHEN disposition = 'answered' THEN (20 + random() * 600)::int WHEN disposition IN ('voicemail', 'abandoned') THEN (5 + random() * 30)::int END AS duration
      FROM (SELECT g, now() - random() * make_interval(days => ${v.days}) AS at,
              CASE WHEN r < 0.40 THEN 'answered' WHEN r < 0.60 THEN 'voicemail' WHEN r < 0.80 THEN 'no_answer' WHEN r < 0.90 THEN 'busy'
                   WHEN r < 0.95 THEN 'failed' WHEN r < 0.98 THEN 'abandoned' ELSE 'canceled' END AS disposition
            FROM (SELECT g, random() AS r FROM generate_series(1, ${v.outboundCalls}) g) x) y
    ) s`.execute(conn);

  await sql`
    WITH numbered AS (SELECT id, org_id, assigned_to, phone_e164, row_number() OVER (ORDER BY id) AS k FROM leads WHERE org_id = ${v.orgId})
    INSERT INTO call_logs (org_id, lead_id, user_id, phone_e164, outcome, duration_sec, created_at, updated_at)
    SELECT l.org_id, l.id, l.assigned_to, l.phone_e164,
      CASE WHEN r < 0.20 THEN 'interested' WHEN r < 0.45 THEN 'not_interested' WHEN r < 0.70 THEN 'voicemail' WHEN r < 0.85 THEN 'no_answer'
           WHEN r < 0.93 THEN 'busy' ELSE 'callback_requested' END,
      CASE WHEN r < 0.70 THEN (10 + random() * 600)::int END, at, at
    FROM (SELECT g, random() AS r, now() - random() * make_interval(days => ${v.days}) AS at, 1 + (g::bigint * 7919) % ${v.leads} AS k
          FROM generate_series(1, ${v.callLogs}) g) s
    JOIN numbered l ON l.k = s.k`.execute(conn);
}
