import { readFileSync } from 'node:fs';
import type pg from 'pg';
import type { Column, Constraint, Index, Policy, Snapshot, Table, Trigger, View } from '../snapshot/types.ts';
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
  type ColumnsRow,
  type ConstraintRow,
  type EnumRow,
  type ExpressionRow,
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
import { SCOPED_KINDS, type CatalogScope, type KindScope, type ScopedKind } from './scope.ts';

export { countRows, type CountMode, type CountOptions } from './row-counts.ts';
export { catalogScope, SCOPED_KINDS, type CatalogScope, type KindScope, type ScopedKind } from './scope.ts';

/** A CatalogSession is one more connection to the same database, given back with release(). */
export type CatalogSession = pg.ClientBase & { release(error?: Error | boolean): void };

/** IntrospectOptions say which tables to count and how, what to read, and on how many sessions. */
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
  /** Which objects to read (see catalogScope); default: every object of every kind. */
  scope?: CatalogScope;
  /**
   * Opens another session on the same database, so that the catalog queries run on several
   * sessions at once. They all read the first session's snapshot (pg_export_snapshot), so the
   * result is still one moment. Without it, or when it fails, everything runs on the client.
   */
  connect?: () => Promise<CatalogSession>;
  /** Sessions to use at most, the client included (default 4); 1 reads on the client alone. */
  concurrency?: number;
  /** The size of pg_class from which more sessions are used (default 1 MiB, about 4,000 relations). */
  parallelAboveBytes?: number;
}

const QUERY_NAMES = [
  'server',
  'schemas',
  'tables',
  'columns',
  'constraints',
  'indexes',
  'expressions',
  'triggers',
  'policies',
  'views',
  'routines',
  'enums',
  'extensions',
  'sequences',
  'roles',
  'scope',
] as const;
type QueryName = (typeof QUERY_NAMES)[number];

/**
 * The order queries are handed to sessions: the slowest first, so the last to finish is a quick
 * one. The queries of a group run one after another on the same session: printing an expression
 * that names columns (pg_get_expr() of a check, an index predicate or a policy) opens its table,
 * which builds the table's relation cache entry on that session; the second query finds them
 * built. So constraints.sql and indexes.sql leave those expressions to expressions.sql.
 */
const BY_COST: Exclude<QueryName, 'server' | 'scope'>[][] = [
  ['expressions', 'policies'],
  ['indexes'],
  ['constraints'],
  ['columns'],
  ['triggers'],
  ['tables'],
  ['roles'],
  ['sequences'],
  ['routines'],
  ['views'],
  ['schemas'],
  ['enums'],
  ['extensions'],
];

const isScoped = (name: QueryName): name is ScopedKind => (SCOPED_KINDS as readonly string[]).includes(name);

let queries: Record<QueryName, string> | undefined;

/** The catalog queries, read from ./sql once; lines marked `-- pgNN+` are dropped for servers older than NN. */
function sql(name: QueryName, versionNum = 170000): string {
  queries ??= Object.fromEntries(
    QUERY_NAMES.map((n) => [n, readFileSync(new URL(`./sql/${n}.sql`, import.meta.url), 'utf8')]),
  ) as Record<QueryName, string>;
  return queries[name].replace(/^.*-- pg(\d+)\+\s*$/gm, (line, major: string) => (versionNum >= Number(major) * 10000 ? line : ''));
}

/** Kinds whose objects are relations, or parts of relations: scope.sql finds the relations to read. */
const RELATION_KINDS: readonly ScopedKind[] = ['tables', 'views', 'columns', 'constraints', 'indexes', 'triggers', 'policies', 'sequences'];

/** The bound parameters of a scoped query by name (routines, enums): whole schemas, then schema and name pairs; NULLs read everything. */
function nameParams(scope: KindScope | undefined): [string[] | null, string[] | null, string[] | null] {
  if (scope === undefined || scope === 'all') return [null, null, null];
  return [scope.schemas, scope.names.map(([s]) => s), scope.names.map(([, n]) => n)];
}

/**
 * The relations each relation kind of a scope reads, by OID (scope.sql, one scan of pg_class in
 * the transaction's snapshot); `null` for a kind read whole. Each name (and each schema read
 * whole) is sent once, with the kinds that read it as a bit mask: most names are read by
 * several kinds (a table's columns, indexes, constraints...).
 */
async function scopeRelations(client: pg.ClientBase, scope: CatalogScope): Promise<Map<ScopedKind, number[] | null>> {
  const out = new Map<ScopedKind, number[] | null>();
  const named = new Map<string, [string, string, number]>();
  const whole = new Map<string, number>();
  RELATION_KINDS.forEach((kind, bit) => {
    const k = scope[kind];
    if (k === undefined) return;
    if (k === 'all') {
      out.set(kind, null);
      return;
    }
    out.set(kind, []);
    for (const [s, n] of k.names) {
      const key = `${s}\0${n}`;
      const entry = named.get(key);
      if (entry) entry[2] |= 1 << bit;
      else named.set(key, [s, n, 1 << bit]);
    }
    for (const s of k.schemas) whole.set(s, (whole.get(s) ?? 0) | (1 << bit));
  });
  if (named.size === 0 && whole.size === 0) return out;
  const names = [...named.values()];
  const { rows } = await client.query<{ kinds: number; oids: number[] }>(sql('scope'), [
    names.map(([s]) => s),
    names.map(([, n]) => n),
    names.map(([, , kinds]) => kinds),
    [...whole.keys()],
    [...whole.values()],
  ]);
  for (const row of rows) {
    const oids = row.oids.map(Number);
    RELATION_KINDS.forEach((kind, bit) => {
      if ((row.kinds & (1 << bit)) === 0) return;
      const list = out.get(kind);
      if (list) for (const oid of oids) list.push(oid);
    });
  }
  return out;
}

const quoteLiteral = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * Runs the catalog queries (all but `server`) through `run`, which keeps their rows, on the
 * client and on up to `concurrency - 1` more sessions from `connect` that import the client's
 * snapshot. A session that cannot be opened or cannot import the snapshot is given back unused.
 * The first failed query fails the whole read, after every session has stopped; extra sessions
 * are always rolled back and released.
 */
async function runQueries(
  client: pg.ClientBase,
  groups: QueryName[][],
  run: (c: pg.ClientBase, name: QueryName) => Promise<void>,
  snapshotId: string | undefined,
  options: IntrospectOptions,
): Promise<void> {
  const queue = [...groups];
  let failure: { error: unknown } | undefined;
  const work = async (c: pg.ClientBase) => {
    for (let group = queue.shift(); group !== undefined && !failure; group = queue.shift()) {
      for (const name of group) {
        if (failure) break;
        try {
          await run(c, name);
        } catch (error) {
          failure ??= { error };
        }
      }
    }
  };
  const extra = snapshotId !== undefined && options.connect ? Math.min((options.concurrency ?? 4) - 1, groups.length - 1) : 0;
  const helpers = Array.from({ length: Math.max(0, extra) }, async () => {
    let session: CatalogSession;
    try {
      session = await options.connect!();
    } catch {
      return;
    }
    if (queue.length === 0 || failure) return session.release();
    try {
      await session.query(
        `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT ${quoteLiteral(snapshotId!)}; SET LOCAL search_path = ''; ${CATALOG_SETTINGS}`,
      );
    } catch {
      await session.query('ROLLBACK').catch(() => undefined);
      return session.release();
    }
    try {
      await work(session);
      await session.query('COMMIT');
      session.release();
    } catch (error) {
      failure ??= { error };
      await session.query('ROLLBACK').catch(() => undefined);
      session.release(error instanceof Error ? error : true);
    }
  });
  await Promise.all([work(client), ...helpers]);
  if (failure) throw failure.error;
}

/** A ServerRow is the row of server.sql. */
interface ServerRow {
  version: string;
  version_num: number;
  catalog_bytes: string;
  jit: string;
  parallel_workers: string;
}

/** What begin() learns of the server and the session. */
interface ServerInfo {
  version: string;
  versionNum: number;
  catalogBytes: number;
  /** The session's own jit and max_parallel_workers_per_gather, which CATALOG_SETTINGS change. */
  settings: { jit: string; parallelWorkers: string };
  snapshotId?: string;
}

const serverInfo = (row: ServerRow): ServerInfo => ({
  version: row.version,
  versionNum: row.version_num,
  catalogBytes: Number(row.catalog_bytes),
  settings: { jit: row.jit, parallelWorkers: row.parallel_workers },
});

/**
 * Settings of every catalog session's transaction. The big catalog queries cost more than
 * jit_above_cost (their estimates multiply per-row subqueries), and compiling them takes longer
 * than running them. Parallel workers start as new backends whose caches are cold, on a server
 * the other sessions already keep busy.
 */
const CATALOG_SETTINGS = 'SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0';

/**
 * Below this size of pg_class (about 4,000 relations, indexes and TOAST tables included) the
 * whole catalog reads in tens of milliseconds on one session: opening more would cost more.
 */
const PARALLEL_CATALOG_BYTES = 1024 * 1024;

/**
 * Starts the read-only repeatable-read transaction every catalog query runs in, with an empty
 * search_path, and reads the server version. With `exportSnapshot` the snapshot is exported for
 * other sessions; a server that refuses (a standby before PostgreSQL 10, say) gets a plain
 * transaction and the queries run on this session alone.
 */
async function begin(client: pg.ClientBase, exportSnapshot: boolean): Promise<ServerInfo> {
  const start = `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL search_path = ''; ${sql('server')} ${CATALOG_SETTINGS};`;
  if (exportSnapshot) {
    try {
      const results = (await client.query(`${start} SELECT pg_export_snapshot() AS id`)) as unknown as pg.QueryResult[];
      const server = results[2]!.rows[0] as ServerRow;
      return { ...serverInfo(server), snapshotId: (results.at(-1)!.rows[0] as { id: string }).id };
    } catch {
      await client.query('ROLLBACK').catch(() => undefined);
    }
  }
  const results = (await client.query(start)) as unknown as pg.QueryResult[];
  return serverInfo(results[2]!.rows[0] as ServerRow);
}

/** The parts of each relation (columns, constraints...) as records, by relation key. */
type PartRecords<T> = Map<string, Record<string, T>>;

/**
 * Builds a record with keys in sorted order, by assignment: Object.fromEntries is about three
 * times slower, which shows over a big snapshot's hundred thousand objects. A `__proto__` key is
 * defined as data, as Object.fromEntries would, not taken for the prototype. The record starts in
 * V8's dictionary mode (a property deleted): keyed by object names, which differ from table to
 * table, it would otherwise get a hidden class of its own for every key added.
 */
function sortedRecord<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  return recordOf([...entries]);
}

/** sortedRecord() of an array of entries the caller gives up: sorted in place, not copied. */
function recordOf<T>(entries: (readonly [string, T])[]): Record<string, T> {
  const sorted = entries.sort(([a], [b]) => byCodeUnit(a, b));
  const record: Record<string, unknown> = { dictionary: true, mode: true };
  delete record.dictionary;
  delete record.mode;
  for (const [key, value] of sorted) {
    if (key === '__proto__') Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
    else record[key] = value;
  }
  return record as Record<string, T>;
}

/**
 * The objects of each relation as records, by relation key (`schema.table`), keyed by the name
 * of the object within it. Entries are gathered in plain arrays (a later row of the same name
 * wins, as the sort is stable): a Map per relation would be garbage a moment later.
 */
function groupByRelation<R extends { nspname: string; relname: string }, T>(
  rows: readonly R[],
  name: (row: R) => string,
  parse: (row: R) => T,
): PartRecords<T> {
  const groups = new Map<string, [string, T][]>();
  for (const row of rows) {
    const key = relationKey(row);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push([name(row), parse(row)]);
  }
  return new Map([...groups].map(([key, group]) => [key, recordOf(group)] as const));
}

/** The columns of each relation as records, by relation key, numbering positions in attnum order over the live columns. */
function groupColumns(rows: readonly ColumnsRow[]): PartRecords<Column> {
  const groups: PartRecords<Column> = new Map();
  for (const row of rows) {
    const list = (row.columns ?? []).sort((a, b) => a[1] - b[1]);
    groups.set(relationKey(row), recordOf(list.map((column, i) => [column[0], parseColumn(column, i + 1)] as const)));
  }
  return groups;
}

const partsOf = <T>(records: PartRecords<T> | undefined, key: string): Record<string, T> =>
  records?.get(key) ?? recordOf<T>([]);

/**
 * Reads the catalog state of the connected database into a Snapshot: one query per object
 * kind, all in one read-only repeatable-read transaction so they see one moment (shared with up
 * to `concurrency - 1` more sessions from `connect`, which run some of the queries at the same
 * time), with an empty search_path so types and expressions print schema-qualified (as pg_dump
 * does) whatever the session's path. Objects owned by extensions and system schemas are left
 * out; with a `scope`, so is every object the scope does not name. The client must not be inside
 * a transaction block. Catalog reads hold no table locks; exact row counts release theirs batch
 * by batch (see countRows).
 */
export async function introspect(client: pg.ClientBase, options: IntrospectOptions = {}): Promise<Snapshot> {
  const mode = options.counts ?? 'exact';
  const parallel = !!options.connect && (options.concurrency ?? 4) > 1;
  const server = await begin(client, parallel);
  try {
    const scope = options.scope;
    const relations = scope ? await scopeRelations(client, scope) : undefined;
    // A kind the scope leaves out, or in which it finds no relation, is not read at all.
    const reads = (name: QueryName): boolean => {
      if (name === 'expressions') return reads('constraints') || reads('indexes');
      if (!scope || !isScoped(name)) return true;
      const oids = relations?.get(name);
      return RELATION_KINDS.includes(name) ? oids === null || (oids !== undefined && oids.length > 0) : scope[name] !== undefined;
    };
    // The relations of a relation kind to read: null for all, none for a kind not read.
    const relationParam = (kind: ScopedKind) => (!scope ? null : reads(kind) ? (relations?.get(kind) ?? null) : []);
    const groups = BY_COST.map((group) => group.filter(reads)).filter((group) => group.length > 0);

    // The parts of relations are grouped and sorted as soon as their query is in, while the other
    // sessions still read: only the tables and views wait for the last query. Constraints and
    // indexes also wait for the texts of expressions.sql.
    const received = new Map<QueryName, pg.QueryResultRow[]>();
    const rows = <R,>(name: QueryName): R[] => (received.get(name) ?? []) as R[];
    let columns: PartRecords<Column> | undefined;
    let constraints: PartRecords<Constraint> | undefined;
    let indexes: PartRecords<Index> | undefined;
    let triggers: PartRecords<Trigger> | undefined;
    let policies: PartRecords<Policy> | undefined;
    let expressions: Map<string, string> | undefined;
    const digest = (done: boolean) => {
      if (!columns && (done || received.has('columns'))) columns = groupColumns(rows('columns'));
      if (!triggers && (done || received.has('triggers'))) {
        triggers = groupByRelation(rows<TriggerRow>('triggers'), (r) => r.tgname, parseTrigger);
      }
      if (!policies && (done || received.has('policies'))) {
        policies = groupByRelation(rows<PolicyRow>('policies'), (r) => r.polname, parsePolicy);
      }
      if (!done && reads('expressions') && !received.has('expressions')) return;
      const texts = (expressions ??= new Map(rows<ExpressionRow>('expressions').map((r) => [`${r.kind}${r.oid}`, r.text] as const)));
      if (!constraints && (done || received.has('constraints'))) {
        constraints = groupByRelation(rows<ConstraintRow>('constraints'), (r) => r.conname, (r) => parseConstraint(r, texts));
      }
      if (!indexes && (done || received.has('indexes'))) {
        indexes = groupByRelation(rows<IndexRow>('indexes'), (r) => r.indexname, (r) => parseIndex(r, texts));
      }
    };

    await runQueries(
      client,
      groups,
      async (c, name) => {
        const params =
          name === 'expressions'
            ? [relationParam('constraints'), relationParam('indexes')]
            : !isScoped(name)
              ? undefined
              : RELATION_KINDS.includes(name)
                ? [relations?.get(name) ?? null]
                : nameParams(scope?.[name]);
        received.set(name, (await c.query(sql(name, server.versionNum), params)).rows);
        digest(false);
      },
      server.catalogBytes >= (options.parallelAboveBytes ?? PARALLEL_CATALOG_BYTES) ? server.snapshotId : undefined,
      options,
    );
    digest(true);
    const schemaRows = rows<SchemaRow>('schemas');
    const tableRows = rows<TableRow>('tables');
    const viewRows = rows<ViewRow>('views');
    const routineRows = rows<RoutineRow>('routines');
    const enumRows = rows<EnumRow>('enums');
    const extensionRows = rows<ExtensionRow>('extensions');
    const sequenceRows = rows<SequenceRow>('sequences');
    const roleRows = rows<RoleRow>('roles');

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
            columns: partsOf(columns, key),
            constraints: partsOf(constraints, key),
            indexes: partsOf(indexes, key),
            triggers: partsOf(triggers, key),
            policies: partsOf(policies, key),
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
            columns: partsOf(columns, key),
            indexes: partsOf(indexes, key),
          },
        ] as const;
      }),
    );

    const routines = sortedRecord(
      routineRows.map((row) => [routineKey(row.nspname, row.proname, row.arg_types), parseRoutine(row)] as const),
    );

    // Roles: every non-system role, plus the system ones the database's objects refer to
    // (pg_database_owner owns the public schema); roles.sql decides.
    const roles = sortedRecord(
      roleRows
        .filter((r) => r.kept)
        .map((r) => [r.rolname, { login: r.login, superuser: r.superuser, memberOf: [...r.member_of].sort(byCodeUnit) }] as const),
    );

    const countable =
      options.countTables === 'all'
        ? Object.keys(tables).filter((key) => tables[key]?.kind !== 'foreign')
        : (options.countTables ?? []).filter((key) => Object.hasOwn(tables, key));
    // count(*) of a big table is worth a parallel plan: the session's own settings again.
    if (mode === 'exact' && countable.length > 0) {
      await client.query(`SELECT set_config('jit', $1, true), set_config('max_parallel_workers_per_gather', $2, true)`, [
        server.settings.jit,
        server.settings.parallelWorkers,
      ]);
    }
    const rowCounts = await countRows(client, countable, mode, { inTransaction: true });

    const snapshot: Snapshot = {
      version: 1,
      server: { version: server.version, settings: {} },
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
