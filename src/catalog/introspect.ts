import { readFileSync } from 'node:fs';
import type pg from 'pg';
import type { Column, Index, Snapshot, Table, View } from '../snapshot/types.ts';
import { countRows, type CountMode } from './row-counts.ts';
import {
  byCodeUnit,
  parseColumn,
  parseConstraint,
  parseIndex,
  parsePolicy,
  parseRoutine,
  parseSequence,
  parseTableKind,
  parseTrigger,
  relationKey,
  routineKey,
  type ColumnRow,
  type ConstraintRow,
  type EnumRow,
  type ExtensionRow,
  type IndexRow,
  type PolicyRow,
  type RoleRow,
  type RoutineRow,
  type SchemaRow,
  type SequenceRow,
  type TableRow,
  type TriggerRow,
  type ViewRow,
} from './rows.ts';
import { qualify } from '../spec/names.ts';

export { countRows, type CountMode, type CountOptions } from './row-counts.ts';

/** IntrospectOptions say which tables to count and how. */
export interface IntrospectOptions {
  /** `exact` (default) runs count(*); `estimate` reads the planner statistics. */
  counts?: CountMode;
  /**
   * Tables to count, as snapshot keys (keys not in the database are skipped), or `all`: every
   * ordinary and partitioned table and partition. Foreign tables are counted only when listed:
   * counting one reads the remote server, which may be slow or unreachable. Default: none
   * (callers that count table by table, to survive a table they may not read, use countRows).
   */
  countTables?: readonly string[] | 'all';
}

const QUERY_NAMES = [
  'server',
  'schemas',
  'tables',
  'columns',
  'constraints',
  'indexes',
  'triggers',
  'policies',
  'views',
  'routines',
  'enums',
  'extensions',
  'sequences',
  'roles',
] as const;
type QueryName = (typeof QUERY_NAMES)[number];

let queries: Record<QueryName, string> | undefined;

/** The catalog queries, read from ./sql once. */
function sql(name: QueryName): string {
  queries ??= Object.fromEntries(
    QUERY_NAMES.map((n) => [n, readFileSync(new URL(`./sql/${n}.sql`, import.meta.url), 'utf8')]),
  ) as Record<QueryName, string>;
  return queries[name];
}

/** Builds a record with keys in sorted order; Object.fromEntries also keeps a `__proto__` key as data. */
function sortedRecord<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  return Object.fromEntries([...entries].sort(([a], [b]) => byCodeUnit(a, b)));
}

/** Groups rows by their relation key (`schema.table`), then by the name of the object within it. */
function groupByRelation<R extends { nspname: string; relname: string }, T>(
  rows: readonly R[],
  name: (row: R) => string,
  parse: (row: R) => T,
): Map<string, Map<string, T>> {
  const groups = new Map<string, Map<string, T>>();
  for (const row of rows) {
    const key = relationKey(row);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = new Map()));
    group.set(name(row), parse(row));
  }
  return groups;
}

/** Groups column rows by relation, numbering positions in attnum order over the live columns. */
function groupColumns(rows: readonly ColumnRow[]): Map<string, Map<string, Column>> {
  const byRelation = new Map<string, ColumnRow[]>();
  for (const row of rows) {
    const key = relationKey(row);
    let list = byRelation.get(key);
    if (!list) byRelation.set(key, (list = []));
    list.push(row);
  }
  const groups = new Map<string, Map<string, Column>>();
  for (const [key, list] of byRelation) {
    list.sort((a, b) => a.attnum - b.attnum);
    groups.set(key, new Map(list.map((row, i) => [row.attname, parseColumn(row, i + 1)] as const)));
  }
  return groups;
}

const recordOf = <T>(groups: Map<string, Map<string, T>>, key: string): Record<string, T> =>
  sortedRecord(groups.get(key) ?? []);

/**
 * Reads the catalog state of the connected database into a Snapshot: one query per object
 * kind, all in one read-only repeatable-read transaction so they see one moment, with an empty
 * search_path so types and expressions print schema-qualified (as pg_dump does) whatever the
 * session's path. Objects owned by extensions and system schemas are left out. The client must
 * not be inside a transaction block. Catalog reads hold no table locks; exact row counts release
 * theirs batch by batch (see countRows).
 */
export async function introspect(client: pg.ClientBase, options: IntrospectOptions = {}): Promise<Snapshot> {
  const mode = options.counts ?? 'exact';
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    await client.query(`SET LOCAL search_path = ''`);
    const run = async <R extends pg.QueryResultRow>(name: QueryName): Promise<R[]> =>
      (await client.query<R>(sql(name))).rows;

    const [serverRow] = await run<{ version: string }>('server');
    const schemaRows = await run<SchemaRow>('schemas');
    const tableRows = await run<TableRow>('tables');
    const columnRows = await run<ColumnRow>('columns');
    const constraintRows = await run<ConstraintRow>('constraints');
    const indexRows = await run<IndexRow>('indexes');
    const triggerRows = await run<TriggerRow>('triggers');
    const policyRows = await run<PolicyRow>('policies');
    const viewRows = await run<ViewRow>('views');
    const routineRows = await run<RoutineRow>('routines');
    const enumRows = await run<EnumRow>('enums');
    const extensionRows = await run<ExtensionRow>('extensions');
    const sequenceRows = await run<SequenceRow>('sequences');
    const roleRows = await run<RoleRow>('roles');

    const columns = groupColumns(columnRows);
    const constraints = groupByRelation(constraintRows, (r) => r.conname, parseConstraint);
    const indexes = groupByRelation<IndexRow, Index>(indexRows, (r) => r.indexname, parseIndex);
    const triggers = groupByRelation(triggerRows, (r) => r.tgname, parseTrigger);
    const policies = groupByRelation(policyRows, (r) => r.polname, parsePolicy);

    const tables = sortedRecord<Table>(
      tableRows.map((row) => {
        const key = relationKey(row);
        const parent =
          row.parent_nspname !== null && row.parent_relname !== null
            ? qualify(row.parent_nspname, row.parent_relname)
            : null;
        return [
          key,
          {
            kind: parseTableKind(row.relkind),
            partitionOf: parent,
            owner: row.owner,
            rls: { enabled: row.rls_enabled, forced: row.rls_forced },
            columns: recordOf(columns, key),
            constraints: recordOf(constraints, key),
            indexes: recordOf(indexes, key),
            triggers: recordOf(triggers, key),
            policies: recordOf(policies, key),
          },
        ] as const;
      }),
    );

    const views = sortedRecord<View>(
      viewRows.map((row) => {
        const key = relationKey(row);
        return [
          key,
          {
            kind: row.relkind === 'm' ? 'materializedView' : 'view',
            owner: row.owner,
            definition: row.definition,
            columns: recordOf(columns, key),
            indexes: recordOf(indexes, key),
          },
        ] as const;
      }),
    );

    const routines = sortedRecord(
      routineRows.map((row) => [routineKey(row.nspname, row.proname, row.arg_types), parseRoutine(row)] as const),
    );

    // Roles: every non-system role, plus the system ones the snapshot's objects refer to
    // (pg_database_owner owns the public schema).
    const referenced = new Set<string>([
      ...schemaRows.map((r) => r.owner),
      ...tableRows.map((r) => r.owner),
      ...viewRows.map((r) => r.owner),
      ...routineRows.map((r) => r.owner),
      ...policyRows.flatMap((r) => r.roles),
    ]);
    const roles = sortedRecord(
      roleRows
        .filter((r) => !r.rolname.startsWith('pg_') || referenced.has(r.rolname))
        .map((r) => [r.rolname, { login: r.login, superuser: r.superuser, memberOf: [...r.member_of].sort(byCodeUnit) }] as const),
    );

    const countable =
      options.countTables === 'all'
        ? Object.keys(tables).filter((key) => tables[key]?.kind !== 'foreign')
        : (options.countTables ?? []).filter((key) => Object.hasOwn(tables, key));
    const rowCounts = await countRows(client, countable, mode, { inTransaction: true });

    const snapshot: Snapshot = {
      version: 1,
      server: { version: serverRow?.version ?? '', settings: {} },
      schemas: sortedRecord(schemaRows.map((r) => [r.nspname, { owner: r.owner }] as const)),
      tables,
      views,
      routines,
      enums: sortedRecord(enumRows.map((r) => [qualify(r.nspname, r.typname), { labels: r.labels }] as const)),
      extensions: sortedRecord(
        extensionRows.map((r) => [r.extname, { version: r.extversion, schema: r.nspname }] as const),
      ),
      sequences: sortedRecord(sequenceRows.map((r) => [relationKey(r), parseSequence(r)] as const)),
      roles,
      rowCounts,
      counts: mode,
      queries: {},
      privileges: {},
      migrations: {},
    };
    await client.query('COMMIT');
    return snapshot;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
