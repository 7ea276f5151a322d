// A lead's timeline reads each kind of item by the lead's id (server/crm/activity/queries.ts), and
// deleting a lead deletes its follow-ups (ON DELETE CASCADE) by lead_id. follow_ups had an index on
// lead_id only for the open tasks, so the timeline's follow-ups (done and cancelled too) and the
// cascade read every task of the organisation — or the table. Each branch must be an index look-up.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

const ORG = '00000000-0000-4000-8000-000000000001';
const LEAD = '00000000-0000-4000-8000-000000000002';

async function plan(query: string): Promise<string> {
  return t.db.transaction().execute(async (trx) => {
    // A test table is small enough for a sequential scan: the question is whether an index can serve the look-up.
    await sql`SET LOCAL enable_seqscan = off`.execute(trx);
    const { rows } = await sql<{ 'QUERY PLAN': string }>`EXPLAIN ${sql.raw(query)}`.execute(trx);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}

describe("a lead's timeline and its deletion find the lead's rows by index", () => {
  it.each([
    ['follow-ups of every state (timeline)', `SELECT id FROM follow_ups WHERE org_id = '${ORG}' AND lead_id = '${LEAD}'`, 'follow_ups'],
    ['follow-ups of a deleted lead (cascade)', `SELECT id FROM follow_ups WHERE lead_id = '${LEAD}'`, 'follow_ups'],
    ['call logs (timeline)', `SELECT id FROM call_logs WHERE org_id = '${ORG}' AND lead_id = '${LEAD}'`, 'call_logs'],
    ['stage changes (timeline)', `SELECT id FROM lead_stage_changes WHERE org_id = '${ORG}' AND lead_id = '${LEAD}'`, 'lead_stage_changes'],
  ])('%s', async (_name, query, table) => {
    const text = await plan(query);
    expect(text).not.toContain('Seq Scan');
    // The lead's id is what the index is searched by, not a filter over the organisation's rows.
    const lookup = text.split('\n').find((line) => line.includes('Index Cond'));
    expect({ table, lookup }).toEqual({ table, lookup: expect.stringContaining('lead_id') });
  });
});
