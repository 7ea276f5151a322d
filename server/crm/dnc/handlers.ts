// /api/dnc-numbers: list, add, check, CSV import, remove. Adding marks the organisation's leads with
// the number at once; the dialer asks isDoNotCall (queries.ts) again before every dial.
import { isPhoneCountry, UNKNOWN_PHONE_COUNTRY } from '../../accounts/organization/country.js';
import { parseUuid } from '../../platform/common/ids.js';
import { obfuscatePhone } from '../../platform/common/phone.js';
import { ERRORS } from '../../platform/errors.js';
import type { Deps, HandlerGroup } from '../../handler-types.js';
import { openCsv } from '../imports/csv-reader.js';
import { readForm } from '../imports/form.js';
import { ERRORS_IN_ANSWER } from '../imports/mapping.js';
import type { RowError } from '../imports/rows.js';
import { createSpool } from '../imports/spool.js';
import { normalisePhone } from '../leads/phone.js';
import { defaultCountryFor } from '../leads/queries.js';
import { presentDncNumber } from './mapping.js';
import { addDncNumbers, isDoNotCall, listDncNumbers, type NewDncNumber, removeDncNumber } from './queries.js';

type DncOps = 'listDncNumbers' | 'addDncNumber' | 'checkDncNumber' | 'importDncNumbers' | 'removeDncNumber';

/** Header names (letters and digits only, lower case) that name the number column. */
const PHONE_HEADERS = new Set([
  'phone', 'phonenumber', 'phoneno', 'number', 'mobile', 'mobilenumber', 'mobilephone', 'cell', 'cellphone', 'cellnumber', 'telephone',
  'telephonenumber', 'tel', 'contactnumber', 'msisdn', 'e164', 'phonee164', 'dncnumber', 'donotcallnumber',
]);
/** Words that make a header the number column when no name above matches (`Mobile Phone 1`, `Home Telephone`). */
const PHONE_WORDS = ['phone', 'mobile', 'cell', 'msisdn'];
const BATCH = 1000;

/**
 * Which columns of a DNC file hold the number and the reason (pure); `country` reads national numbers.
 * A first row with a cell that reads as a phone number (in any format) is data: the file has no
 * header, and the number is in that cell's column. Otherwise a first row naming a number column
 * (`Phone Number`, `Cell Phone`, ...) is the header; a row whose first cell has digits is data (an
 * invalid number, reported as such, never dropped as a header); anything else is a header.
 */
export function dncColumns(header: string[], country: string): { phone: number; reason: number | null; hasHeader: boolean } {
  const numberAt = header.findIndex((cell) => normalisePhone(cell, country) !== null);
  if (numberAt !== -1) return { phone: numberAt, reason: null, hasHeader: false };
  const squashed = header.map((h) => h.toLowerCase().replace(/[^a-z0-9]/g, ''));
  let phone = squashed.findIndex((h) => PHONE_HEADERS.has(h));
  if (phone === -1) phone = squashed.findIndex((h) => PHONE_WORDS.some((word) => h.includes(word)));
  const hasHeader = phone !== -1 || !/\d/.test(header[0] ?? '');
  const reason = hasHeader ? squashed.indexOf('reason') : -1;
  return { phone: Math.max(phone, 0), reason: reason === -1 ? null : reason, hasHeader };
}

/**
 * The digits a list search looks for in the E.164 numbers (pure): all of them, and as a lead search
 * does, also without a national trunk `0` or an international `00` (`020 7946 …`, `0044 20 …` find
 * +44 20 …). None for text without digits.
 */
export function digitFragments(q: string): string[] {
  const digits = q.replace(/\D/g, '');
  if (digits === '') return [];
  if (digits.startsWith('00') && digits.length > 5) return [digits, digits.slice(2)];
  if (digits.startsWith('0') && digits.length > 4) return [digits, digits.slice(1)];
  return [digits];
}

/** A CSV parser's error as the 400 naming `file`; any other error as it is. */
function csvRefusal(err: unknown): unknown {
  const code = (err as { code?: string }).code;
  if (typeof code === 'string' && code.startsWith('CSV_')) return ERRORS.validation({ file: `is not readable as CSV: ${(err as Error).message.slice(0, 200)}` });
  return err;
}

/** Parse the whole file, keeping nothing: a 400 naming `file` when it is not readable as CSV. */
async function checkReadable(source: AsyncIterable<Buffer>): Promise<void> {
  try {
    const csv = await openCsv(source);
    for await (const _record of csv.records) {
      // (only the parse matters here)
    }
  } catch (err) {
    throw csvRefusal(err);
  }
}

export function createDncHandlers({ db }: Deps): HandlerGroup<DncOps> {
  async function countryOf(orgId: string, given: string | undefined): Promise<string> {
    if (given !== undefined) {
      const upper = given.trim().toUpperCase();
      if (!isPhoneCountry(upper)) throw ERRORS.validation({ defaultCountry: UNKNOWN_PHONE_COUNTRY });
      return upper;
    }
    return defaultCountryFor(db, orgId, null);
  }

  return {
    async listDncNumbers(ctx) {
      const limit = ctx.query.limit ?? 50;
      const page = ctx.query.page ?? 1;
      const fragments = ctx.query.q === undefined ? null : digitFragments(ctx.query.q);
      if (fragments?.length === 0) throw ERRORS.validation({ q: 'must contain digits (a number or part of one, in any format)' });
      const { rows, total } = await listDncNumbers(db, ctx.principal().orgId, fragments, limit, (page - 1) * limit);
      return { status: 200, body: { numbers: rows.map(presentDncNumber), pagination: { page, limit, total, totalPages: Math.ceil(total / limit) } } };
    },

    async addDncNumber(ctx) {
      const principal = ctx.principal();
      const phone = normalisePhone(ctx.body.phoneNumber, await countryOf(principal.orgId, ctx.body.defaultCountry));
      if (!phone) throw ERRORS.validation({ phoneNumber: 'is not a valid phone number' });
      const { added } = await db.transaction().execute((trx) => addDncNumbers(trx, principal.orgId, [{ phoneE164: phone.e164, reason: ctx.body.reason ?? null }], 'api', principal.userId));
      if (added.length === 0) throw ERRORS.conflict({ phoneNumber: 'is already on the do-not-call list' });
      return { status: 201, body: presentDncNumber(added[0]!) };
    },

    async checkDncNumber(ctx) {
      const { orgId } = ctx.principal();
      const phone = normalisePhone(ctx.query.phoneNumber, await countryOf(orgId, ctx.query.defaultCountry));
      if (!phone) throw ERRORS.validation({ phoneNumber: 'is not a valid phone number' });
      return { status: 200, body: { phoneNumber: obfuscatePhone(phone.e164) ?? '', doNotCall: await isDoNotCall(db, orgId, phone.e164) } };
    },

    async importDncNumbers(ctx) {
      const principal = ctx.principal();
      const spool = await createSpool();
      try {
        const form = await readForm(ctx.req, ['defaultCountry'], spool.sink);
        const country = await countryOf(principal.orgId, form.fields.defaultCountry);
        // The file is read through once before anything is written: one that is not readable as
        // CSV further on (an unclosed quote, a record over the size cap) is refused whole, not
        // after its first batches were listed.
        await checkReadable(spool.read());
        const csv = await openCsv(spool.read());
        const result = { totalRows: 0, added: 0, duplicates: 0, invalid: 0, leadsMarked: 0 };
        const errors: RowError[] = [];
        let columns: ReturnType<typeof dncColumns> | null = null;
        let batch: NewDncNumber[] = [];
        const flush = async () => {
          if (batch.length === 0) return;
          const { added, leadsMarked } = await db.transaction().execute((trx) => addDncNumbers(trx, principal.orgId, batch, 'import', principal.userId));
          result.added += added.length;
          result.duplicates += batch.length - added.length;
          result.leadsMarked += leadsMarked;
          batch = [];
        };
        try {
          for await (const record of csv.records) {
            if (!columns) {
              columns = dncColumns(record.values, country);
              if (columns.hasHeader) continue;
            }
            result.totalRows += 1;
            const raw = (record.values[columns.phone] ?? '').trim();
            const phone = raw ? normalisePhone(raw, country) : null;
            if (!phone) {
              result.invalid += 1;
              if (errors.length < ERRORS_IN_ANSWER) errors.push({ row: record.row, field: 'phone', value: raw.slice(0, 200), message: raw ? 'Invalid phone number' : 'Phone number is required' });
              continue;
            }
            const reason = columns.reason === null ? null : (record.values[columns.reason]?.replaceAll('\u0000', '').trim().slice(0, 500) || null);
            batch.push({ phoneE164: phone.e164, reason });
            if (batch.length >= BATCH) await flush();
          }
        } catch (err) {
          throw csvRefusal(err);
        }
        // No record at all (a zero-byte or blank file): refused, as a lead import refuses it.
        if (columns === null) throw ERRORS.validation({ file: 'is empty' });
        // Numbers repeated within one batch are inserted once: the rest count as duplicates.
        await flush();
        return { status: 200, body: { ...result, errors, errorsTruncated: result.invalid > errors.length } };
      } finally {
        await spool.remove();
      }
    },

    async removeDncNumber(ctx) {
      const { orgId } = ctx.principal();
      const id = parseUuid(ctx.params.id);
      const removed = id ? await db.transaction().execute((trx) => removeDncNumber(trx, orgId, id)) : false;
      if (!removed) throw ERRORS.notFound('Do-not-call number', ctx.params.id);
      return { status: 204, body: undefined };
    },
  };
}
