import { z } from 'zod';

// Every map in a snapshot is keyed by name, never by OID, and written with sorted keys,
// so two snapshots of equal databases are equal byte for byte.

/** A Column is one column of a table, view or materialized view. */
export const ColumnSchema = z.object({
  /** 1-based position among the live (not dropped) columns. */
  position: z.number().int(),
  /** The type as format_type() prints it with an empty search_path, e.g. `numeric(12,2)`, `public.mood`. */
  type: z.string(),
  nullable: z.boolean(),
  /** The default expression as pg_get_expr() prints it, or null; for a generated column, null. */
  default: z.string().nullable(),
  identity: z.enum(['always', 'by default']).nullable(),
  /** The generation expression of a stored generated column, or null. */
  generated: z.string().nullable(),
});
export type Column = z.infer<typeof ColumnSchema>;

/** A Constraint is a table constraint (a key's index is part of it). */
export const ConstraintSchema = z.object({
  type: z.enum(['primary', 'unique', 'check', 'foreign', 'exclusion', 'not null']),
  /** Constrained columns in key order (empty for an expression-only check). */
  columns: z.array(z.string()),
  /** pg_get_constraintdef() text, e.g. `CHECK ((price > (0)::numeric))`. */
  definition: z.string(),
  /** The CHECK expression alone, for check constraints. */
  check: z.string().nullable(),
  validated: z.boolean(),
  deferrable: z.boolean(),
  deferred: z.boolean(),
  /** For foreign keys: referenced table (qualified), columns, and actions in SQL spelling. */
  references: z
    .object({
      table: z.string(),
      columns: z.array(z.string()),
      onDelete: z.string(),
      onUpdate: z.string(),
      match: z.string(),
    })
    .nullable(),
});
export type Constraint = z.infer<typeof ConstraintSchema>;

/** An Index is an index of a table; indexes that back a constraint are flagged, not omitted. */
export const IndexSchema = z.object({
  /** Key columns, or the expression text for an expression key, in key order. */
  columns: z.array(z.string()),
  /** Non-key INCLUDE columns. */
  include: z.array(z.string()),
  unique: z.boolean(),
  primary: z.boolean(),
  method: z.string(),
  /** Partial index predicate, or null. */
  where: z.string().nullable(),
  valid: z.boolean(),
  /** Name of the constraint this index backs, or null. */
  constraint: z.string().nullable(),
  definition: z.string(),
});
export type Index = z.infer<typeof IndexSchema>;

/** A Trigger is a user trigger of a table (not the internal ones PostgreSQL makes for foreign keys). */
export const TriggerSchema = z.object({
  /** Qualified trigger function, e.g. `public.handle_new_user`. */
  function: z.string(),
  timing: z.enum(['before', 'after', 'instead of']),
  /** Events in a fixed order: insert, update, delete, truncate. */
  events: z.array(z.enum(['insert', 'update', 'delete', 'truncate'])),
  level: z.enum(['row', 'statement']),
  /** O = origin (true), D = disabled (false), R = replica, A = always. */
  enabled: z.enum(['origin', 'disabled', 'replica', 'always']),
  definition: z.string(),
});
export type Trigger = z.infer<typeof TriggerSchema>;

/** A Policy is a row level security policy of a table. */
export const PolicySchema = z.object({
  command: z.enum(['all', 'select', 'insert', 'update', 'delete']),
  /** Role names, sorted; `public` for the PUBLIC pseudo-role. */
  roles: z.array(z.string()),
  permissive: z.boolean(),
  using: z.string().nullable(),
  check: z.string().nullable(),
});
export type Policy = z.infer<typeof PolicySchema>;

/** A Table is an ordinary, partitioned or foreign table, or a partition. */
export const TableSchema = z.object({
  kind: z.enum(['table', 'partitioned', 'foreign']),
  /** Qualified parent for a partition, else null. */
  partitionOf: z.string().nullable(),
  owner: z.string(),
  rls: z.object({ enabled: z.boolean(), forced: z.boolean() }),
  columns: z.record(z.string(), ColumnSchema),
  constraints: z.record(z.string(), ConstraintSchema),
  indexes: z.record(z.string(), IndexSchema),
  triggers: z.record(z.string(), TriggerSchema),
  policies: z.record(z.string(), PolicySchema),
});
export type Table = z.infer<typeof TableSchema>;

/** A View is a view or materialized view with its normalised definition and columns. */
export const ViewSchema = z.object({
  kind: z.enum(['view', 'materializedView']),
  owner: z.string(),
  definition: z.string(),
  columns: z.record(z.string(), ColumnSchema),
  /** Indexes of a materialized view. */
  indexes: z.record(z.string(), IndexSchema),
});
export type View = z.infer<typeof ViewSchema>;

/** A Routine is a function, aggregate or procedure, keyed by `schema.name(identity args)`. */
export const RoutineSchema = z.object({
  kind: z.enum(['function', 'aggregate', 'procedure']),
  schema: z.string(),
  name: z.string(),
  /** Input argument types as format_type prints them, e.g. `["integer", "text"]`. */
  argTypes: z.array(z.string()),
  /** pg_get_function_result(), e.g. `setof integer`, `trigger`; null for procedures. */
  returns: z.string().nullable(),
  language: z.string(),
  securityDefiner: z.boolean(),
  volatility: z.enum(['immutable', 'stable', 'volatile']),
  /** The function's `search_path` setting as a list of schemas, or null when not set. */
  searchPath: z.array(z.string()).nullable(),
  owner: z.string(),
  /** md5 of the body, so a changed body shows as a change without storing the source. */
  bodyHash: z.string(),
});
export type Routine = z.infer<typeof RoutineSchema>;

/** A Sequence is a sequence with its definition (not its current value). */
export const SequenceSchema = z.object({
  type: z.string(),
  start: z.string(),
  increment: z.string(),
  min: z.string(),
  max: z.string(),
  cycle: z.boolean(),
  /** `schema.table.column` when owned by a column (serial, identity), else null. */
  ownedBy: z.string().nullable(),
});
export type Sequence = z.infer<typeof SequenceSchema>;

/** A Schema entry is a namespace with its owner. */
export const SchemaEntrySchema = z.object({ owner: z.string() });

export const EnumSchema = z.object({ labels: z.array(z.string()) });
export const ExtensionSchema = z.object({ version: z.string(), schema: z.string() });
export const RoleSchema = z.object({
  login: z.boolean(),
  superuser: z.boolean(),
  memberOf: z.array(z.string()),
});

/** A QueryResult is the recorded result of one read-only spec query. */
export const QueryResultSchema = z.union([
  z.object({ ok: z.literal(true), columns: z.array(z.string()), rows: z.array(z.array(z.unknown())) }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type QueryResult = z.infer<typeof QueryResultSchema>;

/**
 * A PrivilegeRecord is what a role may do with one object: each privilege asked about (`select`,
 * `usage`, ...) and whether the role has it (directly, through PUBLIC or an inherited role),
 * or why it could not be read (a role that does not exist).
 */
export const PrivilegeRecordSchema = z.union([z.object({ error: z.string() }).strict(), z.record(z.string(), z.boolean())]);
export type PrivilegeRecord = z.infer<typeof PrivilegeRecordSchema>;

/** A MigrationEntry is one migration in a tool's history, normalised across tools. */
export const MigrationEntrySchema = z.object({
  /** The version the tool records: a timestamp, a Flyway version, a migration or file name, an Alembic revision. */
  version: z.string(),
  /** The name or description the tool records beside the version, when it records one. */
  name: z.string().optional(),
  /** When it was applied (or started, for a failed one), as the history records it. */
  appliedAt: z.string().optional(),
  state: z.enum(['applied', 'failed', 'rolled back']),
});
export type MigrationEntry = z.infer<typeof MigrationEntrySchema>;

/**
 * A MigrationHistory is a migration tool's history table, read-only: its entries in the tool's
 * order (Alembic: its current heads), `missing` when the table does not exist, or why it could
 * not be read.
 */
export const MigrationHistorySchema = z.union([
  z.object({ table: z.string(), entries: z.array(MigrationEntrySchema) }).strict(),
  z.object({ table: z.string(), missing: z.literal(true) }).strict(),
  z.object({ table: z.string(), error: z.string() }).strict(),
]);
export type MigrationHistory = z.infer<typeof MigrationHistorySchema>;

/** A Snapshot is the catalog state of one database at one moment. */
export const SnapshotSchema = z.object({
  version: z.literal(1),
  server: z.object({
    /** e.g. `17.10` */
    version: z.string(),
    /** Settings recorded for `server.settings` expectations (those a spec asked for). */
    settings: z.record(z.string(), z.string()),
  }),
  schemas: z.record(z.string(), SchemaEntrySchema),
  tables: z.record(z.string(), TableSchema),
  views: z.record(z.string(), ViewSchema),
  routines: z.record(z.string(), RoutineSchema),
  enums: z.record(z.string(), EnumSchema),
  extensions: z.record(z.string(), ExtensionSchema),
  sequences: z.record(z.string(), SequenceSchema),
  roles: z.record(z.string(), RoleSchema),
  /** Row counts by qualified table name, for the tables counted (all, or those a spec needs). */
  rowCounts: z.record(z.string(), z.number().int()),
  /**
   * Why a table that was to be counted has no row count (a timeout, a missing permission, a lost
   * connection), by qualified table name. Absent when every count was taken, so snapshots
   * written before this field existed, and snapshots without errors, read and compare as before.
   */
  countErrors: z.record(z.string(), z.string()).optional(),
  /** How the row counts were taken. */
  counts: z.enum(['exact', 'estimate']),
  /** Recorded spec queries keyed by queryKey(sql, as). */
  queries: z.record(z.string(), QueryResultSchema),
  /** Privileges a spec asked about, keyed by privilegeKey(role, object); absent from snapshots taken before they were recorded. */
  privileges: z.record(z.string(), PrivilegeRecordSchema).default({}),
  /** Migration tool histories a spec asked about, keyed by historyKey(tool, schema, table). */
  migrations: z.record(z.string(), MigrationHistorySchema).default({}),
});
export type Snapshot = z.infer<typeof SnapshotSchema>;

/** An empty snapshot: the state of a database with no user objects. */
export function emptySnapshot(): Snapshot {
  return {
    version: 1,
    server: { version: '', settings: {} },
    schemas: {},
    tables: {},
    views: {},
    routines: {},
    enums: {},
    extensions: {},
    sequences: {},
    roles: {},
    rowCounts: {},
    counts: 'exact',
    queries: {},
    privileges: {},
    migrations: {},
  };
}
