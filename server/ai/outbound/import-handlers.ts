// The CSV import of AI outbound calls over HTTP (seed 004 /bulk/import, /validate, /{id}/status),
// on the lead import machinery: the streamed multipart form (crm/imports/form.ts) into the stored
// chunks of a lead_imports row of kind `ai_calls` (one transaction: a refused upload leaves
// nothing), the worker started at once (and by the periodic runner after a restart), the status
// as a lead import's; the dry run spools the file and reads it with the same CSV reader and row
// checks (import-kind.ts). Managers and above; another organisation's import is a 404.
import type { FastifyRequest } from 'fastify';
import type { components } from '../../../client/schema.js';
import type { LeadImportOptions } from '../../../db/types.js';
import { openCsv } from '../../crm/imports/csv-reader.js';
import { readForm } from '../../crm/imports/form.js';
import { ERRORS_IN_ANSWER, presentImport } from '../../crm/imports/mapping.js';
import { parseImportFields } from '../../crm/imports/options.js';
import { chunkWriter, findImport, importErrors, insertImport, setImportFile } from '../../crm/imports/queries.js';
import type { RowError } from '../../crm/imports/rows.js';
import { createSpool, keepHead } from '../../crm/imports/spool.js';
import { drainImports } from '../../crm/imports/worker.js';
import { defaultCountryFor } from '../../crm/leads/queries.js';
import type { Deps, HandlerGroup } from '../../handler-types.js';
import type { Db } from '../../../db/types.js';
import { parseUuid } from '../../platform/common/ids.js';
import { ERRORS } from '../../platform/errors.js';
import { AI_CALL_IMPORT, type CallPlan, callingAgents, callKey, planCallColumns, readCallRow } from './import-kind.js';

type ImportOps = 'createOutboundCallImport' | 'validateOutboundCallImport' | 'getOutboundCallImport';
type Validation = components['schemas']['OutboundCallImportValidation'];

const FORM_FIELDS = ['defaultCountry', 'skipHeader'] as const;
const HEAD_BYTES = 256 * 1024;
const PREVIEW_ROWS = 10;

async function optionsOf(db: Db, orgId: string, fields: Record<string, string>): Promise<LeadImportOptions> {
  const parsed = parseImportFields(fields);
  if ('problems' in parsed) throw ERRORS.validation(parsed.problems);
  return { defaultCountry: parsed.defaultCountry ?? (await defaultCountryFor(db, orgId, null)), hasHeader: parsed.hasHeader };
}

function csvProblem(err: unknown): never {
  const code = (err as { code?: string }).code;
  if (typeof code === 'string' && code.startsWith('CSV_')) throw ERRORS.validation({ file: `is not readable as CSV: ${(err as Error).message.slice(0, 200)}` });
  throw err;
}

/** The header must name the columns an import needs before it is accepted (a cut header is left to the worker). */
async function checkHeader(head: Buffer, options: LeadImportOptions): Promise<void> {
  async function* one() {
    yield head;
  }
  let first: string[] | null = null;
  try {
    for await (const record of (await openCsv(one())).records) {
      first = record.values;
      break;
    }
  } catch {
    return;
  }
  if (!first) throw ERRORS.validation({ file: 'is empty' });
  const planned = planCallColumns(options.hasHeader ? first : null, first.length);
  if ('problems' in planned) throw ERRORS.validation(planned.problems);
}

/** The dry run: every row checked as the import would; nothing stored. */
async function dryRun(source: AsyncIterable<Buffer>, options: LeadImportOptions, agents: ReadonlySet<string>): Promise<Validation> {
  let plan: CallPlan | null = null;
  const seen = new Set<string>();
  const errors: RowError[] = [];
  const preview: Validation['preview'] = [];
  const out = { totalRows: 0, validRows: 0, invalidRows: 0, duplicateRows: 0, errorCount: 0 };
  let delimiter: Validation['delimiter'] = ',';
  try {
    const csv = await openCsv(source);
    delimiter = csv.delimiter;
    for await (const record of csv.records) {
      if (!plan) {
        const planned = planCallColumns(options.hasHeader ? record.values : null, record.values.length);
        if ('problems' in planned) throw ERRORS.validation(planned.problems);
        plan = planned;
        if (options.hasHeader) continue;
      }
      out.totalRows += 1;
      const result = readCallRow(record.values, record.row, plan, options.defaultCountry, agents);
      if (!result.ok) {
        out.invalidRows += 1;
        out.errorCount += result.errors.length;
        errors.push(...result.errors.slice(0, Math.max(0, ERRORS_IN_ANSWER - errors.length)));
        continue;
      }
      out.validRows += 1;
      const call = result.item;
      const key = callKey(call);
      if (seen.has(key)) out.duplicateRows += 1;
      else seen.add(key);
      if (preview.length < PREVIEW_ROWS) {
        preview.push({ row: record.row, toPhone: call.phoneE164, agentId: call.agentId, scheduledFor: call.scheduledFor, timezone: call.timezone, priority: call.priority, context: call.context });
      }
    }
  } catch (err) {
    csvProblem(err);
  }
  if (!plan) throw ERRORS.validation({ file: 'is empty' });
  return { ...out, errors, errorsTruncated: out.errorCount > errors.length, columns: plan.described, delimiter, preview };
}

export function createAiCallImportHandlers({ db, background }: Deps): HandlerGroup<ImportOps> {
  async function accept(req: FastifyRequest, principal: { orgId: string; userId: number }) {
    const row = await db.transaction().execute(async (trx) => {
      const pending = await insertImport(trx, { orgId: principal.orgId, campaignId: null, userId: principal.userId, options: { defaultCountry: 'US', hasHeader: true }, kind: 'ai_calls' });
      const head: Buffer[] = [];
      const write = chunkWriter(trx, pending.id);
      const form = await readForm(req, FORM_FIELDS, (file) => write(keepHead(file, head, HEAD_BYTES)));
      const options = await optionsOf(trx, principal.orgId, form.fields);
      await checkHeader(Buffer.concat(head), options);
      return setImportFile(trx, pending.id, form.file!, null, options);
    });
    background.run('AI call import', req.log, async (signal) => {
      await drainImports(db, { signal }, AI_CALL_IMPORT);
    });
    return row;
  }

  return {
    async createOutboundCallImport(ctx) {
      const row = await accept(ctx.req, ctx.principal());
      ctx.reply.header('location', `/api/outbound-call-imports/${row.id}`);
      return { status: 202, body: presentImport(row, []) };
    },

    async validateOutboundCallImport(ctx) {
      const { orgId } = ctx.principal();
      const spool = await createSpool();
      try {
        const form = await readForm(ctx.req, FORM_FIELDS, spool.sink);
        const options = await optionsOf(db, orgId, form.fields);
        return { status: 200, body: await dryRun(spool.read(), options, await callingAgents(db, orgId)) };
      } finally {
        await spool.remove();
      }
    },

    async getOutboundCallImport(ctx) {
      const id = parseUuid(ctx.params.id);
      const row = id ? await findImport(db, ctx.principal().orgId, id, 'ai_calls') : undefined;
      if (!row) throw ERRORS.notFound('Import', ctx.params.id);
      return { status: 200, body: presentImport(row, await importErrors(db, row.id, ERRORS_IN_ANSWER)) };
    },
  };
}
