// Named prepared statements for the few statements every call runs (the voice webhook's one
// round trip). Kysely sends each query as an unnamed statement, so PostgreSQL parses, analyses
// and plans it every time: for the call-routing statement that is about a fifth of its backend's
// CPU per call. A statement whose SQL begins or ends with PREPARED_MARK is sent under a name
// derived from its text instead: each connection parses and plans it once and then only binds
// and runs it. Only fixed texts may carry the mark (each distinct text stays prepared on every
// connection for the connection's life): a raw statement starts with `${preparedMark}`, a query
// builder's ends with `.modifyEnd(preparedMark)`. A marked statement names the columns it returns:
// with `SELECT *` or `RETURNING *`, a column added by a later migration (while this server still
// runs) would make PostgreSQL refuse the prepared statement on every connection ("cached plan
// must not change result type"), so such a text is refused here before it is sent.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type pg from 'pg';

export const PREPARED_MARK = '/* prepared */';
/** The mark as a SQL fragment, for a raw statement's start or a builder's `modifyEnd`. */
export const preparedMark = sql.raw(PREPARED_MARK);

type Query = pg.ClientBase['query'];

/** `SELECT *`, `RETURNING *`, `t.*` (not `count(*)`, not `a * b`). */
const WILDCARD_COLUMNS = /\b(?:select|returning)\s+\*|\.\*/i;

function statementName(text: string): string {
  if (WILDCARD_COLUMNS.test(text.replaceAll(PREPARED_MARK, ''))) {
    throw new Error(`a prepared statement must name the columns it returns, not *: ${text.slice(0, 120)}`);
  }
  return `ccp_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
}

/** Makes `client.query(text, values)` send a marked text as a named prepared statement. */
export function prepareMarkedStatements(client: pg.ClientBase): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const names = new Map<string, string>();
  client.query = ((config: unknown, values?: unknown, callback?: unknown) => {
    if (typeof config === 'string' && (config.startsWith(PREPARED_MARK) || config.endsWith(PREPARED_MARK)) && typeof values !== 'function') {
      let name = names.get(config);
      if (name === undefined) {
        name = statementName(config);
        names.set(config, name);
      }
      return query({ name, text: config, values }, callback);
    }
    return query(config, values, callback);
  }) as Query;
}
