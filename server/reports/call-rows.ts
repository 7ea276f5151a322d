// The calls of one source (twilio / simulator / manual) in a report window, read from the calls
// themselves rather than the summaries (which are not kept by source): each call's contribution
// as the summaries count it (rollup-defs.ts CALLS.base), at its own instant. Exact; used only when
// a report asks for one source, so demo figures can be told from real ones.
import { type RawBuilder, sql } from 'kysely';
import type { CallSource } from '../../db/types.js';
import { CALLS } from './rollup-defs.js';
import type { Window } from './sources.js';

const COLUMNS = sql.raw(
  [...Object.entries(CALLS.base.dims), ...Object.entries(CALLS.base.measures)]
    .map(([name, expression]) => `${expression} AS ${name}`)
    .join(', '),
);

export function callRowsOfSource(w: Window, source: CallSource): RawBuilder<unknown> {
  const lower = w.from === null ? sql`TRUE` : sql`b.created_at >= ${w.from}`;
  return sql`(
    SELECT b.created_at AS at, ${COLUMNS}
    FROM calls b
    WHERE b.org_id = ${w.orgId} AND b.source = ${source} AND ${lower} AND b.created_at < ${w.to})`;
}
