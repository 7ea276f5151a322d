// The secret columns are sealed on the way into the database and opened on the way out, by a
// Kysely plugin on the application's `db`: every query (query builder or raw `sql`) sees
// plaintext, while the table, its WAL and its dumps hold only ciphertext. Writes go through the
// query builder (`insertInto`/`updateTable` with plain values); a write of a secret column in any
// other form is refused rather than stored in the clear.
import {
  AliasNode,
  ColumnNode,
  ColumnUpdateNode,
  InsertQueryNode,
  type KyselyPlugin,
  type OperationNode,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  PrimitiveValueListNode,
  type QueryResult,
  type RootOperationNode,
  TableNode,
  type UnknownRow,
  UpdateQueryNode,
  ValueListNode,
  ValueNode,
  ValuesNode,
} from 'kysely';
import { type SecretBox, isSealed } from './secret-box.js';

/** Each table's secret column. */
export const SECRET_COLUMNS: Readonly<Record<string, string>> = Object.freeze({
  rtb_targets: 'auth_token',
  tracking_pixels: 'signing_secret',
  webhook_endpoints: 'signing_secret',
});
const SECRET_COLUMN_NAMES: ReadonlySet<string> = new Set(Object.values(SECRET_COLUMNS));

function tableName(node: OperationNode | undefined): string | undefined {
  if (!node) return undefined;
  if (AliasNode.is(node)) return tableName(node.node);
  return TableNode.is(node) ? node.table.identifier.name : undefined;
}

function columnName(node: OperationNode): string | undefined {
  return ColumnNode.is(node) ? node.column.name : undefined;
}

class UnsealableWriteError extends Error {
  constructor(column: string) {
    super(`The secret column ${column} must be written as a plain value (it is encrypted on write)`);
  }
}

export class SecretColumnsPlugin implements KyselyPlugin {
  constructor(private readonly box: SecretBox) {}

  private sealValue(value: unknown, column: string): unknown {
    // Always sealed, even a value that looks sealed: what a client sends is plaintext.
    return typeof value === 'string' && value !== '' ? this.box.seal(value, column) : value;
  }

  private sealNode(node: OperationNode, column: string): OperationNode {
    if (ValueNode.is(node)) return { ...node, value: this.sealValue(node.value, column) } as ValueNode;
    if (node.kind === 'DefaultInsertValueNode') return node;
    throw new UnsealableWriteError(column);
  }

  private sealInsert(node: InsertQueryNode, column: string): InsertQueryNode {
    const index = (node.columns ?? []).findIndex((c) => columnName(c) === column);
    if (index === -1 || !node.values) return node;
    if (!ValuesNode.is(node.values)) throw new UnsealableWriteError(column);
    const rows = node.values.values.map((row) => {
      if (PrimitiveValueListNode.is(row)) {
        return PrimitiveValueListNode.create(row.values.map((v, i) => (i === index ? this.sealValue(v, column) : v)));
      }
      if (ValueListNode.is(row)) return ValueListNode.create(row.values.map((v, i) => (i === index ? this.sealNode(v, column) : v)));
      throw new UnsealableWriteError(column);
    });
    return { ...node, values: ValuesNode.create(rows) };
  }

  private sealUpdate(node: UpdateQueryNode, column: string): UpdateQueryNode {
    if (!node.updates?.some((u) => columnName(u.column) === column)) return node;
    const updates = node.updates.map((u) =>
      columnName(u.column) === column ? ColumnUpdateNode.create(u.column, this.sealNode(u.value, column)) : u,
    );
    return { ...node, updates };
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const { node } = args;
    if (InsertQueryNode.is(node)) {
      const column = SECRET_COLUMNS[tableName(node.into) ?? ''];
      return column ? this.sealInsert(node, column) : node;
    }
    if (UpdateQueryNode.is(node)) {
      const column = SECRET_COLUMNS[tableName(node.table) ?? ''];
      return column ? this.sealUpdate(node, column) : node;
    }
    return node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const { result } = args;
    if (result.rows.length === 0) return result;
    const rows = result.rows.map((row) => {
      let opened: UnknownRow | null = null;
      for (const column of SECRET_COLUMN_NAMES) {
        const value = row[column];
        if (typeof value !== 'string' || !isSealed(value)) continue;
        opened ??= { ...row };
        opened[column] = this.box.open(value, column);
      }
      return opened ?? row;
    });
    return { ...result, rows };
  }
}
