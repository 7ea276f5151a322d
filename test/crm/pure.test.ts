// The pure parts of the CRM, table-driven: phone normalisation, stages, search plans, column
// mapping, row checks, import options, the CSV reader and writer.
import { describe, expect, it } from 'vitest';
import { planColumns } from '../../server/crm/imports/columns.js';
import { toCsv } from '../../server/platform/common/csv-output.js';
import { detectDelimiter, openCsv } from '../../server/crm/imports/csv-reader.js';
import { parseImportFields } from '../../server/crm/imports/options.js';
import { readRow } from '../../server/crm/imports/rows.js';
import { readCallTime } from '../../server/crm/imports/call-time.js';
import { normalisePhone, singleTimeZoneOf } from '../../server/crm/leads/phone.js';
import { escapeLike, planSearch } from '../../server/crm/leads/search.js';
import { parseStage, parseStatusFilter } from '../../server/crm/leads/stage.js';

describe('normalisePhone', () => {
  it.each([
    ['(555) 123-4567', 'US', '+15551234567'],
    ['555.123.4567', 'US', '+15551234567'],
    ['+1 415 555 2671', 'GB', '+14155552671'],
    ['020 7946 0958', 'GB', '+442079460958'],
    ['0044 20 7946 0958', 'GB', '+442079460958'],
    ['+91 98765 43210', 'US', '+919876543210'],
    ['1-415-555-2671', 'US', '+14155552671'],
    ['+1 415 555 2671 ext. 123', 'US', '+14155552671'],
    ['(415) 555-2671 Ext.12', 'US', '+14155552671'],
    ['415-555-2671 extension 5', 'US', '+14155552671'],
    ['415 555 2671 EXTN 5', 'US', '+14155552671'],
    ['020 7946 0958 ext 7', 'GB', '+442079460958'],
  ])('%s in %s is %s', (raw, country, e164) => expect(normalisePhone(raw, country)?.e164).toBe(e164));
  it.each(['12', '', 'invalid', '1-800-FLOWERS', 'call 555 1234', '+'.padEnd(50, '1'), '+49 1555 5555 5555 55', '+81 15555555555555', '+43 1555', '415 555 2671 ext.', '415 555 2671 ext. abc', 'ext. 123', '415 555 2671 ext. 12 please'])('%s is no number', (raw) => expect(normalisePhone(raw, 'US')).toBeNull());
  it('derives a time zone only for a country with one', () => {
    expect(singleTimeZoneOf('GB')).toBe('Europe/London');
    expect(singleTimeZoneOf('IN')).toBe('Asia/Kolkata');
    expect(singleTimeZoneOf('US')).toBeNull();
    expect(singleTimeZoneOf(null)).toBeNull();
  });
});

describe('stages', () => {
  it.each([
    ['New', 'new'],
    ['Follow-up', 'follow_up'],
    ['follow_up', 'follow_up'],
    ['QUALIFIED', 'qualified'],
    ['Lost', 'lost'],
    ['Won', null],
  ])('%s is %s', (text, stage) => expect(parseStage(text)).toBe(stage));
  it('reads `status` as a dial status or a stage', () => {
    expect(parseStatusFilter('pending')).toEqual({ dialStatus: 'pending' });
    expect(parseStatusFilter('dnc')).toEqual({ dialStatus: 'dnc' });
    expect(parseStatusFilter('Contacted')).toEqual({ stage: 'contacted' });
    expect(parseStatusFilter('nope')).toBeNull();
  });
});

describe('planSearch', () => {
  it.each([
    ['(555) 123', { kind: 'phone', fragments: ['555123'] }],
    ['+1555123', { kind: 'phone', fragments: ['1555123'] }],
    ['020 7946', { kind: 'phone', fragments: ['0207946', '207946'] }],
    ['00 44 20 79', { kind: 'phone', fragments: ['00442079', '442079'] }],
    ['  John   SMITH ', { kind: 'text', text: 'john smith', prefixQuery: 'john:* & smith:*' }],
    ["o'brien & co | !x", { kind: 'text', text: "o'brien & co | !x", prefixQuery: 'o:* & brien:* & co:* & x:*' }],
    ['12', { kind: 'text', text: '12', prefixQuery: '12:*' }],
    ['%%', { kind: 'text', text: '%%', prefixQuery: null }],
  ])('%s', (q, plan) => expect(planSearch(q)).toEqual(plan));
  it('is nothing for blank text, and escapes LIKE wildcards', () => {
    expect(planSearch('   ')).toBeNull();
    expect(escapeLike('50%_off\\')).toBe('50\\%\\_off\\\\');
  });
});

describe('planColumns', () => {
  it('matches header names, keeps the rest as custom fields', () => {
    const plan = planColumns(['Phone Number', 'First Name', 'surname', 'E-mail', 'Favourite'], 5, undefined);
    expect('described' in plan && plan.described).toEqual({ 'Phone Number': 'phone', 'First Name': 'firstName', surname: 'lastName', 'E-mail': 'email', Favourite: 'customFields.Favourite' });
  });
  it('follows a seed 002 fieldMapping (snake_case, custom, skipped)', () => {
    const plan = planColumns(['Tel', 'Given', 'X', 'Y'], 4, { Tel: 'phone', Given: 'first_name', X: 'customFields.score', Y: '' });
    expect('described' in plan && plan.described).toEqual({ Tel: 'phone', Given: 'firstName', X: 'customFields.score', Y: '(skipped)' });
  });
  it('names what cannot work', () => {
    expect(planColumns(['name', 'email'], 2, undefined)).toEqual({ problems: { file: expect.stringContaining('no phone column') } });
    expect(planColumns(['phone', 'mobile'], 2, undefined)).toEqual({ problems: { file: expect.stringContaining('both fill phone') } });
    expect(planColumns(['phone'], 1, { phone: 'telephone' })).toEqual({ problems: { fieldMapping: expect.stringContaining('telephone') } });
    expect(planColumns(['phone'], 1, { Phone: 'phone', Missing: 'email' })).toEqual({ problems: { fieldMapping: expect.stringContaining('Missing') } });
  });
  it('refuses a header row with a NUL character (it could not be stored as a custom field key)', () => {
    expect(planColumns(['phone', 'no\u0000te'], 2, undefined)).toEqual({ problems: { file: expect.stringContaining('NUL') } });
  });
  it('reads a file without a header in the template order', () => {
    const plan = planColumns(null, 6, undefined);
    expect('described' in plan && Object.values(plan.described)).toEqual(['firstName', 'lastName', 'name', 'company', 'phone', 'email']);
  });
});

describe('readRow', () => {
  const plan = planColumns(['phone', 'name', 'email', 'country', 'timezone', 'priority', 'status', 'scheduledFor', 'extra'], 9, undefined);
  if ('problems' in plan) throw new Error('plan');
  it('normalises a good row', () => {
    expect(readRow(['(415) 555-2671', ' Ann Lee ', 'ann@x.test', 'us', '', 'HIGH', 'Follow-up', '2025-11-02T10:00:00Z', 'v'], 7, plan, 'US')).toEqual({
      ok: true,
      lead: {
        name: 'Ann Lee', firstName: null, lastName: null, company: null, phone: '(415) 555-2671', phoneE164: '+14155552671', email: 'ann@x.test', country: 'US',
        timeZone: null, priority: 'high', stage: 'follow_up', notes: null, nextCallAt: '2025-11-02T10:00:00.000Z', customFields: { extra: 'v' },
      },
    });
  });
  it('refuses a country libphonenumber-js does not know', () => {
    const result = readRow(['+14155552671', 'Ann', '', 'XX', '', '', '', '', ''], 3, plan, 'US');
    expect(!result.ok && result.errors.map((e) => [e.row, e.field, e.value])).toEqual([[3, 'country', 'XX']]);
  });
  it('names every bad field with its row and value', () => {
    const result = readRow(['12', 'x', 'not-an-email', 'USA', 'Mars/Base', 'top', 'Won', 'tomorrow', ''], 9, plan, 'US');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.map((e) => [e.row, e.field, e.value])).toEqual([
      [9, 'email', 'not-an-email'],
      [9, 'country', 'USA'],
      [9, 'phone', '12'],
      [9, 'timeZone', 'Mars/Base'],
      [9, 'priority', 'top'],
      [9, 'stage', 'Won'],
      [9, 'nextCallAt', 'tomorrow'],
    ]);
  });
});

describe('readCallTime', () => {
  it.each([
    ['2030-06-03 10:00', 'America/New_York', '2030-06-03T14:00:00.000Z'],
    ['2030-06-03T10:00:00', 'Europe/London', '2030-06-03T09:00:00.000Z'],
    ['2030-06-03T10:00:00Z', null, '2030-06-03T10:00:00.000Z'],
    ['2030-06-03T10:00:00-04:00', 'Asia/Tokyo', '2030-06-03T14:00:00.000Z'],
    ['2030-01-15', 'America/Chicago', '2030-01-15T06:00:00.000Z'],
    ['0001-01-01T00:00:00Z', null, '0001-01-01T00:00:00.000Z'],
    ['9999-12-31T18:00:00-05:00', null, '9999-12-31T23:00:00.000Z'],
  ])('reads %j in %s', (text, zone, iso) => expect(readCallTime(text, zone)).toEqual({ ok: true, iso }));
  it.each([
    ['2030-06-03 10:00', null],
    ['2030-06-03', null],
    ['tomorrow', 'UTC'],
    ['2030-13-40T10:00', 'UTC'],
    // Instants PostgreSQL cannot hold: the year 0000, and past 9999 once in UTC.
    ['0000-06-01T10:00:00Z', null],
    ['0000-12-31 23:00', 'Asia/Tokyo'],
    ['9999-12-31T23:00:00-05:00', null],
  ])('refuses %j in %s', (text, zone) => expect(readCallTime(text, zone)).toEqual({ ok: false, message: expect.any(String) }));
});

describe('parseImportFields', () => {
  it('reads the form', () => {
    expect(parseImportFields({ campaignId: ' c ', fieldMapping: '{"A":"phone"}', defaultCountry: 'gb', skipHeader: 'false' })).toEqual({ campaignId: 'c', fieldMapping: { A: 'phone' }, defaultCountry: 'GB', hasHeader: false });
    expect(parseImportFields({})).toEqual({ campaignId: null, fieldMapping: undefined, defaultCountry: undefined, hasHeader: true });
  });
  it.each([
    [{ fieldMapping: '[1]' }, 'fieldMapping'],
    [{ fieldMapping: '{"a":1}' }, 'fieldMapping'],
    [{ defaultCountry: 'USA' }, 'defaultCountry'],
    [{ defaultCountry: 'ZZ' }, 'defaultCountry'],
    [{ skipHeader: 'yes' }, 'skipHeader'],
  ])('refuses %j', (fields, named) => expect(parseImportFields(fields)).toEqual({ problems: { [named]: expect.any(String) } }));
});

describe('the CSV reader', () => {
  async function read(text: string) {
    async function* one() {
      yield Buffer.from(text);
    }
    const csv = await openCsv(one());
    const records = [];
    for await (const r of csv.records) records.push([r.row, ...r.values]);
    return { delimiter: csv.delimiter, records };
  }
  it.each([
    ['a,b;c', ','],
    ['a;b;c', ';'],
    ['a\tb\tc', '\t'],
    ['"x;y",b', ','],
    ['only', ','],
  ])('detects the separator of %j', (line, delimiter) => expect(detectDelimiter(line)).toBe(delimiter));
  it('reads a BOM, quotes, line breaks in quotes, CRLF and LF, and skips blank lines', async () => {
    expect(await read('\ufeffphone;note\r\n1;"a; ""b""\r\nc"\r\n\r\n;\n2;d\n')).toEqual({
      delimiter: ';',
      records: [
        [1, 'phone', 'note'],
        [2, '1', 'a; "b"\r\nc'],
        [6, '2', 'd'],
      ],
    });
  });
});

describe('CSV output', () => {
  it('escapes what a spreadsheet would run as a formula', () => {
    const text = toCsv(['a', 'b'], [['=1+2', '+x'], ['-y', '@SUM(A1)'], ['plain', 'with,comma']]);
    expect(text).toBe("a,b\r\n'=1+2,'+x\r\n'-y,'@SUM(A1)\r\nplain,\"with,comma\"\r\n");
  });
});
