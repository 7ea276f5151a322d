// The CSV import of AI outbound calls (seed 004 /bulk/import): the second kind of the lead import
// machinery (server/crm/imports/kind.ts) — the same streamed upload, stored chunks, CSV reader,
// batched and checkpointed worker and status resource; here the columns, the row checks and the
// batch insert into ai_outbound_calls (import_id). Columns (seed 004's, by header name; without a
// header in this order): phoneNumber, agentId, userId (ignored), scheduledFor, timezone, priority,
// context. A row's agent must be one of the organisation's active AI agents with a number to call
// from; numbers on the do-not-call list are imported and counted (`dncRows`): the worker fails them
// at dial time without dialling.
import { sql } from 'kysely';
import type { AiCallPriority, Db, LeadImportRow } from '../../../db/types.js';
import type { ImportKind, ImportRows, RowRead } from '../../crm/imports/kind.js';
import { readCallTime } from '../../crm/imports/call-time.js';
import { quotable, type RowError } from '../../crm/imports/rows.js';
import { normalisePhone } from '../../crm/leads/phone.js';
import { parseUuid } from '../../platform/common/ids.js';
import { isValidTimeZone } from '../../platform/common/time-zone.js';

export const CALL_COLUMNS = ['phoneNumber', 'agentId', 'userId', 'scheduledFor', 'timezone', 'priority', 'context'] as const;
type CallColumn = (typeof CALL_COLUMNS)[number];

const squash = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, '');
const SYNONYMS: Record<string, CallColumn> = {};
for (const [column, names] of Object.entries({
  phoneNumber: ['phone', 'phone number', 'phone_number', 'to', 'toPhone', 'to_phone', 'number', 'mobile'],
  agentId: ['agent', 'agent_id', 'ai agent', 'aiAgentId'],
  userId: ['user', 'user_id'],
  scheduledFor: ['scheduled_for', 'scheduled at', 'scheduledAt', 'call at', 'when'],
  timezone: ['timeZone', 'time zone', 'time_zone', 'tz'],
  priority: [],
  context: ['notes', 'note', 'message', 'reason'],
}) as Array<[CallColumn, string[]]>) {
  for (const name of [column, ...names]) SYNONYMS[squash(name)] = column;
}

/** Which column fills what (null: ignored), and each header → what it fills, for people. */
export interface CallPlan {
  targets: Array<CallColumn | null>;
  described: Record<string, string>;
}

export function planCallColumns(header: string[] | null, columnCount: number): CallPlan | { problems: Record<string, string> } {
  const names = header ?? Array.from({ length: columnCount }, (_, i) => CALL_COLUMNS[i] ?? `column${i + 1}`);
  const targets = names.map((raw, i): CallColumn | null => {
    if (header === null) return CALL_COLUMNS[i] ?? null;
    // (own keys only: a column named `Constructor` is not Object's constructor)
    const squashed = squash(raw);
    const column = Object.hasOwn(SYNONYMS, squashed) ? SYNONYMS[squashed]! : undefined;
    return column === undefined || column === 'userId' ? null : column;
  });
  const seen = new Map<CallColumn, string>();
  for (const [i, target] of targets.entries()) {
    if (target === null) continue;
    const before = seen.get(target);
    if (before !== undefined) return { problems: { file: `columns "${before}" and "${names[i]}" both fill ${target}` } };
    seen.set(target, names[i]!);
  }
  if (!seen.has('phoneNumber')) return { problems: { file: 'has no phoneNumber column (name one phoneNumber, phone, toPhone, ...)' } };
  if (!seen.has('agentId')) return { problems: { file: 'has no agentId column' } };
  // Defined, not assigned: a header `__proto__` is a key like any other.
  const described: Record<string, string> = {};
  names.forEach((n, i) => {
    Object.defineProperty(described, n.trim() || `column${i + 1}`, { value: targets[i] ?? '(ignored)', enumerable: true, writable: true, configurable: true });
  });
  return { targets, described };
}

export interface ImportCall {
  phoneE164: string;
  agentId: string;
  /** ISO 8601; null: as soon as it is imported. */
  scheduledFor: string | null;
  timezone: string;
  priority: AiCallPriority;
  context: string | null;
}

const PRIORITIES = new Set(['low', 'normal', 'high']);
const MAX_CONTEXT = 4000;

/** One record → a call, or its errors (pure; `agents`: the organisation's agents that can call). */
export function readCallRow(values: string[], row: number, plan: CallPlan, defaultCountry: string, agents: ReadonlySet<string>): RowRead<ImportCall> {
  const errors: RowError[] = [];
  const fail = (field: string, value: string, message: string) => errors.push({ row, field, value: quotable(value), message });
  const text: Partial<Record<CallColumn, string>> = {};
  plan.targets.forEach((target, i) => {
    const value = (values[i] ?? '').trim();
    if (target === null || value === '') return;
    // PostgreSQL text cannot hold U+0000: a row error, never a failed batch.
    if (value.includes('\u0000')) fail(target, value, 'contains a NUL character (U+0000), which cannot be stored');
    else text[target] = value;
  });
  const phone = text.phoneNumber === undefined ? null : normalisePhone(text.phoneNumber, defaultCountry);
  if (text.phoneNumber === undefined) fail('phoneNumber', '', 'Phone number is required');
  else if (!phone) fail('phoneNumber', text.phoneNumber, 'Invalid phone number');
  const agentId = text.agentId === undefined ? null : parseUuid(text.agentId);
  if (text.agentId === undefined) fail('agentId', '', 'Agent is required');
  else if (!agentId || !agents.has(agentId)) fail('agentId', text.agentId, "Not one of the organisation's active AI agents with a number to call from");
  const timezone = text.timezone ?? 'UTC';
  const zoneValid = isValidTimeZone(timezone);
  let scheduledFor: string | null = null;
  if (text.scheduledFor !== undefined) {
    // Without an offset, a local time in the row's timezone (never the server's own zone).
    const at = readCallTime(text.scheduledFor, zoneValid ? timezone : 'UTC');
    if (at.ok) scheduledFor = at.iso;
    else fail('scheduledFor', text.scheduledFor, at.message);
  }
  if (!zoneValid) fail('timezone', timezone, 'Invalid time zone (IANA, e.g. America/New_York)');
  const priority = text.priority?.toLowerCase() ?? 'normal';
  if (!PRIORITIES.has(priority)) fail('priority', text.priority ?? '', 'Invalid priority (low, normal, high)');
  if (text.context !== undefined && text.context.length > MAX_CONTEXT) fail('context', text.context, `is longer than ${MAX_CONTEXT} characters`);
  if (errors.length > 0 || !phone || !agentId) return { ok: false, errors };
  return { ok: true, item: { phoneE164: phone.e164, agentId, scheduledFor, timezone, priority: priority as AiCallPriority, context: text.context ?? null } };
}

/** The organisation's agents that can place calls: active, not archived, with an active number. */
export async function callingAgents(db: Db, orgId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('ai_agents as a')
    .select('a.id')
    .where('a.org_id', '=', orgId)
    .where('a.archived_at', 'is', null)
    .where('a.is_active', '=', true)
    .where((eb) => eb.exists(eb.selectFrom('phone_numbers as p').select('p.id').whereRef('p.ai_agent_id', '=', 'a.id').where('p.is_active', '=', true)))
    .execute();
  return new Set(rows.map((r) => r.id));
}

/**
 * Insert a batch of calls (scheduled) of the import, the first of repeated ones (same number,
 * agent and time); how many, and how many are on the do-not-call list. A row whose call is already
 * pending (scheduled, queued or in progress: the same agent and number at the same time, or at
 * any time for a row without one) is a duplicate too, so a file imported twice books nothing twice.
 */
export async function insertImportedCalls(db: Db, imp: Pick<LeadImportRow, 'id' | 'org_id' | 'created_by_user_id'>, calls: ImportCall[]): Promise<{ inserted: number; dnc: number }> {
  if (calls.length === 0) return { inserted: 0, dnc: 0 };
  const col = <K extends keyof ImportCall>(key: K) => calls.map((c) => c[key]);
  const result = await sql<{ inserted: number; dnc: number }>`
    WITH input AS (
      SELECT * FROM unnest(
        ${col('phoneE164')}::text[], ${col('agentId')}::uuid[], ${col('scheduledFor')}::timestamptz[], ${col('timezone')}::text[],
        ${col('priority')}::text[], ${col('context')}::text[]
      ) WITH ORDINALITY AS t(to_phone, agent_id, scheduled_for, timezone, priority, context, ord)
    ), inserted AS (
      INSERT INTO ai_outbound_calls (org_id, agent_id, to_phone, scheduled_for, timezone, priority, context, import_id, created_by_user_id)
      SELECT ${imp.org_id}::uuid, d.agent_id, d.to_phone, coalesce(d.scheduled_for, now()), d.timezone, d.priority, d.context, ${imp.id}::uuid, ${imp.created_by_user_id}::integer
        FROM (SELECT DISTINCT ON (i.to_phone, i.agent_id, i.scheduled_for) i.* FROM input i ORDER BY i.to_phone, i.agent_id, i.scheduled_for, i.ord) d
       WHERE NOT EXISTS (
               SELECT 1 FROM ai_outbound_calls x
                WHERE x.org_id = ${imp.org_id}::uuid AND x.agent_id = d.agent_id AND x.to_phone = d.to_phone
                  AND x.status IN ('scheduled', 'queued', 'in-progress')
                  AND (d.scheduled_for IS NULL OR x.scheduled_for = d.scheduled_for))
       ORDER BY d.ord
      RETURNING to_phone)
    SELECT count(*)::int AS inserted,
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM dnc_numbers d WHERE d.org_id = ${imp.org_id}::uuid AND d.phone_e164 = inserted.to_phone))::int AS dnc
      FROM inserted`.execute(db);
  return result.rows[0] ?? { inserted: 0, dnc: 0 };
}

/** Two rows of one batch (or file) with the same key are the same call: the later is a duplicate. */
export function callKey(call: Pick<ImportCall, 'phoneE164' | 'agentId' | 'scheduledFor'>): string {
  return `${call.phoneE164}|${call.agentId}|${call.scheduledFor ?? ''}`;
}

export const AI_CALL_IMPORT: ImportKind = {
  name: 'ai_calls',
  async open(db, imp) {
    const agents = await callingAgents(db, imp.org_id);
    const rows: ImportRows<CallPlan, ImportCall> = {
      plan: (header, columnCount) => planCallColumns(header, columnCount),
      read: (values, row, plan) => readCallRow(values, row, plan, imp.options.defaultCountry, agents),
      key: callKey,
      write: (trx, target, calls) => insertImportedCalls(trx, target, calls),
    };
    return rows as ImportRows<unknown, unknown>;
  },
};
