// What the rows of an import become — its kind (lead_imports.kind, migration 0035). The machinery
// (the streamed form, the stored chunks, the CSV reader, the batched and checkpointed worker, the
// status resource) is the same for every kind; a kind says how the columns are planned, how one
// record is checked, which key makes two rows of a batch duplicates, and how a batch is written.
// Leads are the first kind; AI outbound calls (server/ai/outbound) the second.
import type { Kysely } from 'kysely';
import type { DB, Db, LeadImportKind, LeadImportRow } from '../../../db/types.js';
import { type ColumnPlan, planColumns } from './columns.js';
import { campaignTimeZoneFor } from '../leads/queries.js';
import { insertImportedLeads } from './queries.js';
import { lockDncList } from '../dnc/queries.js';
import { type ImportLead, readRow, type RowError } from './rows.js';

export type RowRead<T> = { ok: true; item: T } | { ok: false; errors: RowError[] };

/** How one import's records are read and written (made once per run, for that import). */
export interface ImportRows<P, T> {
  /** The column plan from the header row (null: no header), or the problems that stop the import. */
  plan(header: string[] | null, columnCount: number): P | { problems: Record<string, string> };
  read(values: string[], row: number, plan: P): RowRead<T>;
  /** Two rows with the same key in one batch: the later is a duplicate. */
  key(item: T): string;
  /**
   * The locks a batch's transaction takes before it writes, in batch order: the worker takes a
   * batch's only after the batch before it has its own, since a batch holds them while it waits
   * for that one to commit (a lock queued between the two would otherwise wait for ever).
   */
  lock?(trx: Db, imp: LeadImportRow): Promise<void>;
  /** Write a batch in the worker's transaction: how many were inserted, how many of them are on the do-not-call list. */
  write(trx: Db, imp: LeadImportRow, items: T[]): Promise<{ inserted: number; dnc: number }>;
}

export interface ImportKind {
  name: LeadImportKind;
  open(db: Kysely<DB>, imp: LeadImportRow): Promise<ImportRows<unknown, unknown>>;
}

export const LEAD_IMPORT: ImportKind = {
  name: 'leads',
  async open(db, imp) {
    const { fieldMapping, defaultCountry } = imp.options;
    const campaignTimeZone = await campaignTimeZoneFor(db, imp.org_id, imp.campaign_id);
    const rows: ImportRows<ColumnPlan, ImportLead> = {
      plan: (header, columnCount) => planColumns(header, columnCount, fieldMapping),
      read(values, row, plan) {
        const result = readRow(values, row, plan, defaultCountry, campaignTimeZone);
        return result.ok ? { ok: true, item: result.lead } : result;
      },
      key: (lead) => lead.phoneE164,
      // A number listed while the batch is written is waited for (lockDncList).
      lock: (trx, target) => lockDncList(trx, target.org_id, 'share'),
      write: (trx, target, leads) => insertImportedLeads(trx, target, leads),
    };
    return rows as ImportRows<unknown, unknown>;
  },
};
