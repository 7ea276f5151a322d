// The pure parts of call logs, follow-ups and the timeline, table-driven: outcome spellings, what
// a scheduledFollowUp does to an existing task, the row -> API mapping, timeline summaries.
import { describe, expect, it } from 'vitest';
import { formatDuration, presentActivity } from '../../server/crm/activity/mapping.js';
import type { ActivityRow } from '../../server/crm/activity/queries.js';
import { callLogPatch, followUpChange, presentCallLog, type CallLogWithFollowUp } from '../../server/crm/call-logs/mapping.js';
import { parseOutcome } from '../../server/crm/call-logs/outcome.js';

describe('parseOutcome', () => {
  it.each([
    ['Interested', 'interested'],
    ['Not Interested', 'not_interested'],
    ['not-interested', 'not_interested'],
    ['  No Answer ', 'no_answer'],
    ['VOICEMAIL', 'voicemail'],
    ['Busy', 'busy'],
    ['Callback Requested', 'callback_requested'],
    ['callback_requested', 'callback_requested'],
    ['Maybe', null],
    ['', null],
    ['no__answer_x', null],
  ])('%s is %s', (text, outcome) => expect(parseOutcome(text)).toBe(outcome));
});

describe('followUpChange', () => {
  const due = '2030-01-01T09:00:00Z';
  it.each([
    ['absent, none', null, undefined, { kind: 'none' }],
    ['absent, open', 'open', undefined, { kind: 'none' }],
    ['a time, none', null, due, { kind: 'create', dueAt: due }],
    ['a time, open', 'open', due, { kind: 'move', dueAt: due }],
    ['a time, done (reopened)', 'done', due, { kind: 'move', dueAt: due }],
    ['a time, cancelled (reopened)', 'cancelled', due, { kind: 'move', dueAt: due }],
    ['null, open', 'open', null, { kind: 'cancel' }],
    ['null, done (it happened)', 'done', null, { kind: 'none' }],
    ['null, cancelled', 'cancelled', null, { kind: 'none' }],
    ['null, none', null, null, { kind: 'none' }],
  ] as const)('%s', (_label, status, requested, change) => {
    expect(followUpChange(status === null ? null : { status, dueAt: new Date('2029-12-31T09:00:00Z') }, requested)).toEqual(change);
  });
  it('the time a done task already has (a log sent back as read) leaves it done; another reopens it', () => {
    const existing = { status: 'done' as const, dueAt: new Date(due) };
    expect(followUpChange(existing, '2030-01-01T09:00:00.000Z')).toEqual({ kind: 'none' });
    expect(followUpChange(existing, '2030-01-01T10:00:00+01:00')).toEqual({ kind: 'none' });
    expect(followUpChange(existing, '2030-01-01T09:00:01Z')).toEqual({ kind: 'move', dueAt: '2030-01-01T09:00:01Z' });
    expect(followUpChange({ status: 'cancelled', dueAt: new Date(due) }, due)).toEqual({ kind: 'move', dueAt: due });
  });
  it('a done task scheduled with a leap second (23:59:60, stored as the next instant) stays done when that time is sent again', () => {
    const existing = { status: 'done' as const, dueAt: new Date('2025-01-01T00:00:00Z') };
    expect(followUpChange(existing, '2024-12-31T23:59:60Z')).toEqual({ kind: 'none' });
    expect(followUpChange(existing, '2024-12-31T23:59:59Z')).toEqual({ kind: 'move', dueAt: '2024-12-31T23:59:59Z' });
  });
});

describe('callLogPatch', () => {
  it('maps only the fields sent; blank notes are null', () => {
    expect(callLogPatch({ outcome: 'No Answer', duration: null, notes: '  ' })).toEqual({ outcome: 'no_answer', duration_sec: null, notes: null });
    expect(callLogPatch({ recordingUrl: 'https://r.example/1.wav' })).toEqual({ recording_url: 'https://r.example/1.wav' });
    expect(callLogPatch({ scheduledFollowUp: null })).toEqual({});
  });
  it('refuses an outcome that is none, naming it', () => {
    expect(() => callLogPatch({ outcome: 'Maybe' as never })).toThrow(expect.objectContaining({ statusCode: 400, details: { outcome: expect.any(String) } }));
  });
});

describe('presentCallLog', () => {
  const row: CallLogWithFollowUp = {
    id: '7d1f0b1e-9a2b-4c3d-8e4f-5a6b7c8d9e0f',
    org_id: 'o',
    lead_id: '6a0c8f1e-3b7d-4c2a-9e51-2d4b8a7f0c13',
    user_id: 5,
    call_id: null,
    phone_e164: '+15551234567',
    outcome: 'interested',
    duration_sec: 420,
    notes: null,
    recording_url: null,
    created_at: new Date('2024-01-20T10:30:00Z'),
    updated_at: new Date('2024-01-20T10:30:00Z'),
    follow_up_id: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    follow_up_due_at: new Date('2024-01-25T14:00:00Z'),
    follow_up_status: 'open',
  };
  it('obfuscates the number and shows the follow-up; a cancelled one is no scheduled follow-up', () => {
    expect(presentCallLog(row)).toMatchObject({ phone: '555***4567', scheduledFollowUp: '2024-01-25T14:00:00.000Z', followUp: { status: 'open' } });
    expect(presentCallLog({ ...row, follow_up_status: 'done' }).scheduledFollowUp).toBe('2024-01-25T14:00:00.000Z');
    expect(presentCallLog({ ...row, follow_up_status: 'cancelled' })).toMatchObject({ scheduledFollowUp: null, followUp: { status: 'cancelled' } });
    expect(presentCallLog({ ...row, follow_up_id: null, follow_up_due_at: null, follow_up_status: null })).toMatchObject({ scheduledFollowUp: null, followUp: null });
  });
});

describe('the timeline', () => {
  it.each([
    [0, '0 s'],
    [59, '59 s'],
    [60, '1 min'],
    [420, '7 min'],
    [3599, '1 h'],
    [3600, '1 h'],
    [3900, '1 h 5 min'],
    [86_400, '24 h'],
  ])('%i seconds read %s', (seconds, text) => expect(formatDuration(seconds)).toBe(text));

  const base: ActivityRow = { type: 'call_log', at: new Date('2024-01-20T10:30:00Z'), id: 'x', user_id: 5, text1: null, text2: null, num1: null, num2: null, time1: null };
  it.each([
    ['a call log', { text1: 'not_interested', text2: 'Said\nno  thanks', num1: 95 }, 'Not Interested (2 min): Said no thanks'],
    ['a call log without duration or notes', { text1: 'busy' }, 'Busy'],
    ['a call log with long notes', { text1: 'voicemail', text2: 'x'.repeat(300) }, `Voicemail: ${'x'.repeat(119)}…`],
    ['a stage change', { type: 'stage_change', text1: 'follow_up', text2: 'converted' }, 'Follow-up → Converted'],
    ['a follow-up', { type: 'follow_up', text1: 'cancelled' }, 'Follow-up (cancelled)'],
    ['an import', { type: 'import', text1: 'leads.csv' }, 'Imported from leads.csv'],
    ['an import without a file name', { type: 'import' }, 'Imported from a CSV file'],
  ] as const)('summarises %s', (_label, fields, summary) => {
    expect(presentActivity({ ...base, ...fields } as ActivityRow).summary).toBe(summary);
  });
});
