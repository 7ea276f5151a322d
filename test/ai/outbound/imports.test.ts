// The CSV import of AI outbound calls (seed 004 /bulk/import, /validate, /{id}/status) on the lead
// import machinery: valid rows become scheduled calls of the import, bad rows are errors naming
// row and field, numbers on the do-not-call list are counted, the dry run stores nothing, an
// unreadable header is a 400, another organisation's import is a 404, and lead imports do not
// see it (each worker runs its own kind).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upload } from '../../crm/helpers.js';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { assignNumber, createAiAgent } from './helpers.js';

let t: TestApp;
let owner: Member;
let other: Member;
let agentId: string;

beforeAll(async () => {
  t = await startTestApp({ env: { AI_CALL_INTERVAL_MS: '0' } });
  owner = await registerOrg(t, 'AI Import Org');
  other = await registerOrg(t, 'Other Import Org');
  agentId = await createAiAgent(t, owner.orgId);
  await assignNumber(t, owner, agentId);
});
afterAll(async () => t?.close());

async function waitForCallImport(member: Member, id: string) {
  for (let i = 0; i < 400; i += 1) {
    const { data } = await member.client.GET('/api/outbound-call-imports/{id}', { params: { path: { id } } });
    if (data && (data.status === 'completed' || data.status === 'failed')) return data;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`import ${id} did not end`);
}

describe('import', () => {
  it('valid rows become scheduled calls of the import; bad rows are errors naming row and field; DNC counted', async () => {
    expect((await owner.client.POST('/api/dnc-numbers', { body: { phoneNumber: '+14155550303' } })).response.status).toBe(201);
    const bareAgent = await createAiAgent(t, owner.orgId);
    const csv = [
      'phoneNumber,agentId,userId,scheduledFor,timezone,priority,context',
      `+14155550301,${agentId},user_1,2031-01-02T10:00:00Z,America/New_York,high,Order 1`,
      `(415) 555-0302,${agentId},user_1,,,,`,
      `+14155550303,${agentId},user_1,2031-01-02T11:00:00Z,UTC,low,On the list`,
      `12,${agentId},user_1,,,,`,
      `+14155550304,${bareAgent},user_1,,,,`,
      `+14155550305,${agentId},user_1,next week,Mars/Base,urgent,`,
      `+14155550301,${agentId},user_1,2031-01-02T10:00:00Z,America/New_York,high,Order 1 again`,
    ].join('\n');
    const res = await upload(t, owner, '/api/outbound-call-imports', csv, {}, { fileName: 'calls.csv' });
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(`/api/outbound-call-imports/${res.body.id}`);
    const done = await waitForCallImport(owner, res.body.id);
    expect(done).toMatchObject({ status: 'completed', fileName: 'calls.csv', totalRows: 7, validRows: 4, invalidRows: 3, duplicateRows: 1, insertedRows: 3, dncRows: 1 });
    expect(done.errors.map((e) => [e.row, e.field])).toEqual([
      [5, 'phoneNumber'],
      [6, 'agentId'],
      [7, 'scheduledFor'],
      [7, 'timezone'],
      [7, 'priority'],
    ]);
    const calls = await t.db.selectFrom('ai_outbound_calls').selectAll().where('import_id', '=', res.body.id).orderBy('to_phone').execute();
    expect(calls.map((c) => [c.to_phone, c.status, c.priority, c.timezone, c.context, c.agent_id])).toEqual([
      ['+14155550301', 'scheduled', 'high', 'America/New_York', 'Order 1', agentId],
      ['+14155550302', 'scheduled', 'normal', 'UTC', null, agentId],
      ['+14155550303', 'scheduled', 'low', 'UTC', 'On the list', agentId],
    ]);
    expect(calls[0]!.scheduled_for.toISOString()).toBe('2031-01-02T10:00:00.000Z');
    expect(Math.abs(calls[1]!.scheduled_for.getTime() - Date.now())).toBeLessThan(120_000);
    // They are ordinary AI calls of the organisation; lead imports do not list the import.
    expect((await owner.client.GET('/api/outbound-calls')).data!.calls.filter((c) => calls.some((x) => x.id === c.id))).toHaveLength(3);
    expect((await owner.client.GET('/api/leads/imports')).data!.imports.map((i) => i.id)).not.toContain(res.body.id);
    expect((await owner.client.GET('/api/leads/imports/{id}', { params: { path: { id: res.body.id } } })).response.status).toBe(404);
    // Another organisation's import is a 404.
    expect((await other.client.GET('/api/outbound-call-imports/{id}', { params: { path: { id: res.body.id } } })).response.status).toBe(404);

    // The same file again books nothing twice: every valid row's call is pending already. A new
    // time for a number is a new call.
    const again = await upload(t, owner, '/api/outbound-call-imports', `${csv}
+14155550301,${agentId},user_1,2031-01-03T10:00:00Z,UTC,normal,Next day`, {}, { fileName: 'calls.csv' });
    const second = await waitForCallImport(owner, again.body.id);
    expect(second).toMatchObject({ status: 'completed', validRows: 5, duplicateRows: 4, insertedRows: 1 });
    const booked = await t.db.selectFrom('ai_outbound_calls').select(['scheduled_for']).where('import_id', '=', again.body.id).execute();
    expect(booked.map((c) => c.scheduled_for.toISOString())).toEqual(['2031-01-03T10:00:00.000Z']);
  });

  it('a file without a header row follows seed 004\'s column order', async () => {
    const res = await upload(t, owner, '/api/outbound-call-imports', `+14155550311,${agentId},u,2031-02-01T09:00:00Z,Europe/London,normal,Hi\n`, { skipHeader: 'false' });
    expect(res.status).toBe(202);
    const done = await waitForCallImport(owner, res.body.id);
    expect(done).toMatchObject({ status: 'completed', insertedRows: 1, invalidRows: 0 });
    const call = await t.db.selectFrom('ai_outbound_calls').selectAll().where('import_id', '=', res.body.id).executeTakeFirstOrThrow();
    expect(call).toMatchObject({ to_phone: '+14155550311', timezone: 'Europe/London', context: 'Hi' });
  });

  it("a time without an offset is local to the row's timezone, and a NUL in a cell is that row's error", async () => {
    const csv = [
      'phoneNumber,agentId,scheduledFor,timezone,context',
      `+14155550321,${agentId},2031-06-03 10:00,America/New_York,Local time`,
      `+14155550322,${agentId},2031-06-03T10:00:00,,Local to UTC`,
      `+14155550323,${agentId},,,Bad\u0000context`,
    ].join('\n');
    const res = await upload(t, owner, '/api/outbound-call-imports', csv);
    const done = await waitForCallImport(owner, res.body.id);
    expect(done).toMatchObject({ status: 'completed', insertedRows: 2, invalidRows: 1 });
    expect(done.errors.map((e) => [e.row, e.field, e.value])).toEqual([[4, 'context', 'Bad\uFFFDcontext']]);
    const calls = await t.db.selectFrom('ai_outbound_calls').select(['to_phone', 'scheduled_for']).where('import_id', '=', res.body.id).orderBy('to_phone').execute();
    expect(calls.map((c) => [c.to_phone, c.scheduled_for.toISOString()])).toEqual([
      ['+14155550321', '2031-06-03T14:00:00.000Z'],
      ['+14155550322', '2031-06-03T10:00:00.000Z'],
    ]);
  });

  it('a time PostgreSQL cannot hold (the year 0000, or past 9999 in UTC) is that row\'s error, in the import and the dry run; the other rows are imported', async () => {
    const csv = [
      'phoneNumber,agentId,scheduledFor',
      `+14155550331,${agentId},2031-01-02T10:00:00Z`,
      `+14155550332,${agentId},0000-06-01T10:00:00Z`,
      `+14155550333,${agentId},9999-12-31T23:00:00-05:00`,
    ].join('\n');
    const res = await upload(t, owner, '/api/outbound-call-imports', csv);
    const done = await waitForCallImport(owner, res.body.id);
    expect(done).toMatchObject({ status: 'completed', totalRows: 3, validRows: 1, invalidRows: 2, insertedRows: 1, failure: null });
    expect(done.errors.map((e) => [e.row, e.field])).toEqual([
      [3, 'scheduledFor'],
      [4, 'scheduledFor'],
    ]);
    const dry = await upload(t, owner, '/api/outbound-call-imports/validate', csv);
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ totalRows: 3, validRows: 1, invalidRows: 2 });
    expect(dry.body.preview.map((p: { toPhone: string }) => p.toPhone)).toEqual(['+14155550331']);
  });

  it('400 naming the file for a header without phoneNumber or agentId, and for an empty file; nothing stored', async () => {
    const before = await t.db.selectFrom('lead_imports').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    for (const csv of ['agentId,scheduledFor\nx,y\n', 'phoneNumber,when\n+14155550320,now\n', '']) {
      const res = await upload(t, owner, '/api/outbound-call-imports', csv);
      expect(res.status).toBe(400);
      expect(res.body.details).toHaveProperty('file');
    }
    const bad = await upload(t, owner, '/api/outbound-call-imports', 'phoneNumber,agentId\n', { skipHeader: 'maybe' });
    expect(bad.status).toBe(400);
    expect(bad.body.details).toHaveProperty('skipHeader');
    const after = await t.db.selectFrom('lead_imports').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });
});

describe('validate (dry run)', () => {
  it("ignores columns named after JavaScript's own properties (Constructor, toString, __proto__)", async () => {
    const csv = `phoneNumber,agentId,Constructor,toString,__proto__\n+14155550340,${agentId},a,b,c\n`;
    const res = await upload(t, owner, '/api/outbound-call-imports/validate', csv);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      totalRows: 1,
      validRows: 1,
      invalidRows: 0,
      columns: { phoneNumber: 'phoneNumber', agentId: 'agentId', Constructor: '(ignored)', toString: '(ignored)' },
    });
    // (a literal `__proto__:` would set the expectation's prototype: the key is read as JSON has it)
    expect(Object.getOwnPropertyDescriptor(res.body.columns, '__proto__')?.value).toBe('(ignored)');
  });

  it('counts, row errors and a preview; nothing stored', async () => {
    const callsBefore = await t.db.selectFrom('ai_outbound_calls').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const csv = `phoneNumber;agentId;scheduledFor\n+919876543210;${agentId};2031-03-01T10:00:00Z\nnope;${agentId};\n+919876543210;${agentId};2031-03-01T10:00:00Z\n`;
    const res = await upload(t, owner, '/api/outbound-call-imports/validate', csv, { defaultCountry: 'IN' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      totalRows: 3,
      validRows: 2,
      invalidRows: 1,
      duplicateRows: 1,
      errorCount: 1,
      errors: [{ row: 3, field: 'phoneNumber', value: 'nope', message: 'Invalid phone number' }],
      errorsTruncated: false,
      columns: { phoneNumber: 'phoneNumber', agentId: 'agentId', scheduledFor: 'scheduledFor' },
      delimiter: ';',
      preview: [
        { row: 2, toPhone: '+919876543210', agentId, scheduledFor: '2031-03-01T10:00:00.000Z', timezone: 'UTC', priority: 'normal', context: null },
        { row: 4, toPhone: '+919876543210', agentId, scheduledFor: '2031-03-01T10:00:00.000Z', timezone: 'UTC', priority: 'normal', context: null },
      ],
    });
    // Another organisation's agent is not one of this organisation's.
    const foreign = await upload(t, other, '/api/outbound-call-imports/validate', `phoneNumber,agentId\n+14155550330,${agentId}\n`);
    expect(foreign.body).toMatchObject({ validRows: 0, invalidRows: 1, errors: [{ row: 2, field: 'agentId' }] });
    const callsAfter = await t.db.selectFrom('ai_outbound_calls').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(callsAfter.n).toBe(callsBefore.n);
  });
});
