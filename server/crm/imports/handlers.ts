// Lead imports: seed 002's upload, seed 004's import / validate / status, the kept errors as CSV.
// An upload is stored (in one transaction: the import row and the file's chunks, so a failed or
// refused upload leaves nothing) and answered 202; a background pass runs it at once, and the
// periodic worker (runner.ts) picks up whatever a restart left.
import type { FastifyRequest } from 'fastify';
import type { LeadImportOptions } from '../../../db/types.js';
import { ownCampaignId } from '../../inbound/campaigns/own-campaign.js';
import { parseUuid } from '../../platform/common/ids.js';
import { ERRORS } from '../../platform/errors.js';
import type { Deps, HandlerGroup } from '../../handler-types.js';
import { campaignTimeZoneFor, defaultCountryFor } from '../leads/queries.js';
import { planColumns } from './columns.js';
import { openCsv } from './csv-reader.js';
import { toCsv } from '../../platform/common/csv-output.js';
import { dryRun } from './dry-run.js';
import { readForm } from './form.js';
import { ERRORS_IN_ANSWER, presentImport } from './mapping.js';
import { IMPORT_FORM_FIELDS, parseImportFields } from './options.js';
import { chunkWriter, findImport, importErrors, insertImport, listImports, MAX_STORED_ERRORS, setImportFile } from './queries.js';
import { createSpool, keepHead } from './spool.js';
import { drainImports } from './worker.js';

type ImportOps = 'uploadLeadsCsv' | 'createLeadImport' | 'validateLeadImport' | 'getLeadImport' | 'listLeadImports' | 'getLeadImportErrorsCsv';

/** The header row must name a phone column (and fit the mapping) before an import is accepted. */
const HEAD_BYTES = 256 * 1024;

async function checkHeader(head: Buffer, options: LeadImportOptions): Promise<void> {
  async function* one() {
    yield head;
  }
  let first: string[] | null = null;
  try {
    const csv = await openCsv(one());
    for await (const record of csv.records) {
      first = record.values;
      break;
    }
  } catch {
    // A header cut by the size of `head` is looked at again by the worker.
    return;
  }
  if (!first) throw ERRORS.validation({ file: 'is empty' });
  const planned = planColumns(options.hasHeader ? first : null, first.length, options.fieldMapping);
  if ('problems' in planned) throw ERRORS.validation(planned.problems);
}

export function createImportHandlers({ db, background }: Deps): HandlerGroup<ImportOps> {
  function importId(raw: string): string {
    const id = parseUuid(raw);
    if (!id) throw ERRORS.notFound('Import', raw);
    return id;
  }

  async function optionsFrom(orgId: string, fields: Record<string, string>): Promise<{ campaignId: string | null; options: LeadImportOptions }> {
    const parsed = parseImportFields(fields);
    if ('problems' in parsed) throw ERRORS.validation(parsed.problems);
    const campaignId = parsed.campaignId ? await ownCampaignId(db, orgId, parsed.campaignId) : null;
    const options: LeadImportOptions = {
      defaultCountry: parsed.defaultCountry ?? (await defaultCountryFor(db, orgId, campaignId)),
      hasHeader: parsed.hasHeader,
      ...(parsed.fieldMapping ? { fieldMapping: parsed.fieldMapping } : {}),
    };
    return { campaignId, options };
  }

  async function accept(req: FastifyRequest, principal: { orgId: string; userId: number }) {
    const row = await db.transaction().execute(async (trx) => {
      const pending = await insertImport(trx, { orgId: principal.orgId, campaignId: null, userId: principal.userId, options: { defaultCountry: 'US', hasHeader: true } });
      const head: Buffer[] = [];
      const write = chunkWriter(trx, pending.id);
      const form = await readForm(req, IMPORT_FORM_FIELDS, (file) => write(keepHead(file, head, HEAD_BYTES)));
      const parsed = parseImportFields(form.fields);
      if ('problems' in parsed) throw ERRORS.validation(parsed.problems);
      const campaignId = parsed.campaignId ? await ownCampaignId(trx, principal.orgId, parsed.campaignId) : null;
      const options: LeadImportOptions = {
        defaultCountry: parsed.defaultCountry ?? (await defaultCountryFor(trx, principal.orgId, campaignId)),
        hasHeader: parsed.hasHeader,
        ...(parsed.fieldMapping ? { fieldMapping: parsed.fieldMapping } : {}),
      };
      await checkHeader(Buffer.concat(head), options);
      return setImportFile(trx, pending.id, form.file!, campaignId, options);
    });
    // Start it now; the periodic worker would find it too.
    background.run('lead import', req.log, async (signal) => {
      await drainImports(db, { signal });
    });
    return row;
  }

  return {
    async uploadLeadsCsv(ctx) {
      const row = await accept(ctx.req, ctx.principal());
      ctx.reply.header('location', `/api/leads/imports/${row.id}`);
      return { status: 202, body: presentImport(row, []) };
    },

    async createLeadImport(ctx) {
      const row = await accept(ctx.req, ctx.principal());
      ctx.reply.header('location', `/api/leads/imports/${row.id}`);
      return { status: 202, body: presentImport(row, []) };
    },

    async validateLeadImport(ctx) {
      const { orgId } = ctx.principal();
      const spool = await createSpool();
      try {
        const form = await readForm(ctx.req, IMPORT_FORM_FIELDS, spool.sink);
        const { campaignId, options } = await optionsFrom(orgId, form.fields);
        return { status: 200, body: await dryRun(spool.read(), options, await campaignTimeZoneFor(db, orgId, campaignId)) };
      } finally {
        await spool.remove();
      }
    },

    async getLeadImport(ctx) {
      const row = await findImport(db, ctx.principal().orgId, importId(ctx.params.id));
      if (!row) throw ERRORS.notFound('Import', ctx.params.id);
      return { status: 200, body: presentImport(row, await importErrors(db, row.id, ERRORS_IN_ANSWER)) };
    },

    async listLeadImports(ctx) {
      const limit = ctx.query.limit ?? 50;
      const page = ctx.query.page ?? 1;
      const { rows, total } = await listImports(db, ctx.principal().orgId, limit, (page - 1) * limit);
      return { status: 200, body: { imports: rows.map((r) => presentImport(r, [])), pagination: { page, limit, total, totalPages: Math.ceil(total / limit) } } };
    },

    async getLeadImportErrorsCsv(ctx) {
      const row = await findImport(db, ctx.principal().orgId, importId(ctx.params.id));
      if (!row) throw ERRORS.notFound('Import', ctx.params.id);
      const errors = await importErrors(db, row.id, MAX_STORED_ERRORS);
      ctx.reply.header('content-disposition', `attachment; filename="import-${row.id}-errors.csv"`).type('text/csv; charset=utf-8');
      return { status: 200, body: toCsv(['row', 'field', 'value', 'message'], errors.map((e) => [e.row_number, e.field, e.value, e.message])) };
    },
  };
}
