import { z } from 'zod';
import type { MigrationFolder } from './migration-tools.ts';

// One zod definition per kind gives validation, the TypeScript types of defineSpec() and the
// JSON Schema editors use. Which key is the kind is decided by KIND_ORDER (product.md §3),
// not by the union, so error messages can name the kind the author meant.

/** The kind keys, in the order that decides which present key is the kind of an entry. */
export const KIND_ORDER = [
  'trigger',
  'policy',
  'index',
  'constraint',
  'foreignKey',
  'privilege',
  'column',
  'function',
  'procedure',
  'view',
  'materializedView',
  'enum',
  'extension',
  'sequence',
  'role',
  'migrations',
  'server',
  'query',
  'table',
  'schema',
] as const;
export type Kind = (typeof KIND_ORDER)[number];

const name = z.string().min(1);
const bool = z.boolean();
const strList = z.array(z.string());
/** A keyword value: case-insensitive, SQL or camel case spelling (normalised by the evaluator). */
const keyword = z.string().min(1);

const rowsValue = z.union([
  z.number().int().nonnegative(),
  z.literal('empty'),
  z.literal('preserved'),
  z
    .object({ min: z.number().int().nonnegative().optional(), max: z.number().int().nonnegative().optional() })
    .strict(),
]);
export type RowsValue = z.infer<typeof rowsValue>;

const columnProps = {
  exists: bool.optional(),
  type: z.string().optional(),
  nullable: bool.optional(),
  default: z.union([z.string(), bool]).optional(),
  identity: z.union([z.enum(['always', 'by default', 'by_default', 'byDefault']), z.literal(false)]).optional(),
  generated: z.union([z.literal('stored'), z.literal(false)]).optional(),
  unchanged: bool.optional(),
};
export const ColumnPropsSchema = z.object(columnProps).strict();
export type ColumnProps = z.infer<typeof ColumnPropsSchema>;

const rlsValue = z.union([
  z.enum(['enabled', 'forced', 'disabled']),
  z.object({ enabled: bool.optional(), forced: bool.optional() }).strict(),
]);

/** Per kind: the identity keys (kind key first) and the property keys, as zod shapes. */
export const KIND_SHAPES = {
  schema: {
    identity: { schema: name },
    props: { exists: bool.optional(), owner: z.string().optional(), unchanged: bool.optional() },
  },
  table: {
    identity: { table: name },
    props: {
      exists: bool.optional(),
      rows: rowsValue.optional(),
      rls: rlsValue.optional(),
      columns: z.record(z.string(), ColumnPropsSchema).optional(),
      exactColumns: bool.optional(),
      primaryKey: z.union([strList, bool]).optional(),
      policies: strList.optional(),
      owner: z.string().optional(),
      unchanged: bool.optional(),
    },
  },
  column: { identity: { column: name }, props: columnProps },
  view: { identity: { view: name }, props: { exists: bool.optional(), unchanged: bool.optional() } },
  materializedView: {
    identity: { materializedView: name },
    props: { exists: bool.optional(), unchanged: bool.optional() },
  },
  index: {
    identity: { index: name, table: name.optional() },
    props: {
      exists: bool.optional(),
      columns: strList.optional(),
      unique: bool.optional(),
      primary: bool.optional(),
      method: z.string().optional(),
      where: z.string().optional(),
      valid: bool.optional(),
      unchanged: bool.optional(),
    },
  },
  constraint: {
    identity: { constraint: name, table: name },
    props: {
      exists: bool.optional(),
      type: z.enum(['primary', 'unique', 'check', 'foreign', 'exclusion']).optional(),
      columns: strList.optional(),
      check: z.string().optional(),
      validated: bool.optional(),
      unchanged: bool.optional(),
    },
  },
  foreignKey: {
    identity: {
      foreignKey: z
        .object({
          table: name,
          columns: strList.min(1),
          references: name,
          name: name.optional(),
          exists: bool.optional(),
          onDelete: keyword.optional(),
          onUpdate: keyword.optional(),
          validated: bool.optional(),
          deferrable: bool.optional(),
        })
        .strict(),
    },
    props: {
      exists: bool.optional(),
      onDelete: keyword.optional(),
      onUpdate: keyword.optional(),
      validated: bool.optional(),
      deferrable: bool.optional(),
    },
  },
  trigger: {
    identity: { trigger: name, table: name },
    props: {
      exists: bool.optional(),
      function: z.string().optional(),
      timing: z.enum(['before', 'after', 'instead of', 'instead_of', 'insteadOf']).optional(),
      events: z.array(z.enum(['insert', 'update', 'delete', 'truncate'])).optional(),
      level: z.enum(['row', 'statement']).optional(),
      enabled: z.union([bool, z.enum(['always', 'replica'])]).optional(),
      unchanged: bool.optional(),
    },
  },
  function: {
    identity: { function: name },
    props: {
      exists: bool.optional(),
      returns: z.string().optional(),
      language: z.string().optional(),
      securityDefiner: bool.optional(),
      volatility: z.enum(['immutable', 'stable', 'volatile']).optional(),
      searchPath: z.union([strList, z.string(), z.literal(false)]).optional(),
      owner: z.string().optional(),
      unchanged: bool.optional(),
    },
  },
  procedure: {
    identity: { procedure: name },
    props: {
      exists: bool.optional(),
      language: z.string().optional(),
      securityDefiner: bool.optional(),
      searchPath: z.union([strList, z.string(), z.literal(false)]).optional(),
      owner: z.string().optional(),
      unchanged: bool.optional(),
    },
  },
  policy: {
    identity: { policy: name, table: name },
    props: {
      exists: bool.optional(),
      command: z.string().optional(),
      roles: strList.optional(),
      permissive: bool.optional(),
      using: z.string().optional(),
      check: z.string().optional(),
      unchanged: bool.optional(),
    },
  },
  enum: { identity: { enum: name }, props: { exists: bool.optional(), labels: strList.optional() } },
  extension: {
    identity: { extension: name },
    props: { exists: bool.optional(), version: z.string().optional(), schema: z.string().optional() },
  },
  sequence: { identity: { sequence: name }, props: { exists: bool.optional(), unchanged: bool.optional() } },
  role: {
    identity: { role: name },
    props: { exists: bool.optional(), login: bool.optional(), memberOf: strList.optional() },
  },
  privilege: {
    identity: {
      privilege: z
        .object({ role: name, on: name, privileges: z.union([strList.min(1), name]), granted: bool.optional() })
        .strict(),
    },
    props: { granted: bool.optional() },
  },
  migrations: {
    identity: { migrations: z.enum(['supabase', 'prisma', 'alembic', 'flyway', 'knex', 'node-pg-migrate', 'dbmate']) },
    props: {
      applied: strList.optional(),
      latest: z.union([z.string(), strList]).optional(),
      pending: z.number().int().nonnegative().optional(),
      failed: z.number().int().nonnegative().optional(),
      folder: z.string().optional(),
      schema: z.string().optional(),
      table: z.string().optional(),
    },
  },
  server: {
    identity: {
      server: z
        .object({
          version: z.string().optional(),
          settings: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
        })
        .strict(),
    },
    props: {},
  },
  query: {
    identity: { query: name },
    props: {
      equals: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
      rows: z.array(z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())])).optional(),
      count: z.number().int().nonnegative().optional(),
      empty: bool.optional(),
      preserved: bool.optional(),
      as: z
        .object({ role: name, claims: z.record(z.string(), z.unknown()).optional() })
        .strict()
        .optional(),
    },
  },
} as const satisfies Record<Kind, { identity: z.ZodRawShape; props: z.ZodRawShape }>;

function buildEntrySchema<K extends Kind>(kind: K) {
  const shape = KIND_SHAPES[kind];
  return z.object({ ...shape.identity, ...shape.props }).strict();
}

// Built once per kind: zod compiles a schema on its first use, so a new schema per entry cost
// most of the time of loading a spec with thousands of entries.
const entrySchemas = new Map<Kind, ReturnType<typeof buildEntrySchema>>();

/** The strict zod schema of one entry of a given kind. */
export function entrySchema<K extends Kind>(kind: K): ReturnType<typeof buildEntrySchema<K>> {
  let schema = entrySchemas.get(kind);
  if (!schema) entrySchemas.set(kind, (schema = buildEntrySchema(kind)));
  return schema as ReturnType<typeof buildEntrySchema<K>>;
}

type ShapeOf<K extends Kind> = (typeof KIND_SHAPES)[K];
/** The validated entry type of one kind: its identity keys and its properties. */
export type EntryOf<K extends Kind> = ShapeOf<K>['identity'] & ShapeOf<K>['props'] extends infer S extends z.ZodRawShape
  ? z.output<z.ZodObject<S>>
  : never;

/** An Entry is one list item of a phase, as written (validated). */
export type Entry = { [K in Kind]: EntryOf<K> }[Kind];

export type Phase = 'pre' | 'post' | 'always';

/** An Expectation is one validated entry with its kind, phase and where it was written. */
export type Expectation = {
  [K in Kind]: {
    kind: K;
    entry: EntryOf<K>;
    phase: Phase;
    /** 1-based line of the entry in its file, when known (YAML). */
    line?: number;
    /** Position in the phase list, 0-based. */
    index: number;
    /** `migrations`: the tool's migrations folder, read when the spec was loaded. */
    folder?: MigrationFolder;
  };
}[Kind];

/** A Spec is one validated spec file. */
export interface Spec {
  name: string;
  description?: string;
  file: string;
  pre: Expectation[];
  post: Expectation[];
  always: Expectation[];
  /** `changes`: the complete intended pre -> post difference, parsed. */
  changes: ChangeDecl[];
  /** `ignore`: differences never counted as a change, parsed. */
  ignore: ChangeDecl[];
}

/** The object kinds a `changes` or `ignore` line can name (`materialized view` and `foreign key` are spelled out there). */
export const CHANGE_KINDS = [
  'schema',
  'table',
  'column',
  'view',
  'materializedView',
  'index',
  'constraint',
  'trigger',
  'function',
  'procedure',
  'policy',
  'enum',
  'extension',
  'sequence',
  'role',
] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/**
 * A ChangeDecl is one parsed `changes` or `ignore` line: `drop|add|alter KIND NAME [on TABLE]`,
 * `rows TABLE`, or (in `ignore` only) `KIND NAME [on TABLE]` without a verb (`any`).
 * A `foreign key` is a constraint: its kind is `constraint`.
 */
export interface ChangeDecl {
  verb: 'drop' | 'add' | 'alter' | 'rows' | 'any';
  kind: ChangeKind;
  /** The object's name as written (quotes kept, globs allowed); for a function, with its `(argtypes)` when given. */
  name: string;
  /** The table of a trigger, policy, constraint or index, as written. */
  on?: string;
  /** 1-based line in the spec file, when known (YAML). */
  line?: number;
  /** The whole line as written. */
  text: string;
}

/** The top-level keys of a spec file. */
export const SPEC_KEYS = ['name', 'description', 'pre', 'post', 'always', 'changes', 'ignore'] as const;

/** The input type of defineSpec(): what a spec file contains, fully typed. */
export interface SpecInput {
  name: string;
  description?: string;
  pre?: Entry[];
  post?: Entry[];
  always?: Entry[];
  changes?: string[];
  ignore?: string[];
}

/** The kind of an entry: the present key that comes first in KIND_ORDER. */
export function kindOf(entry: Record<string, unknown>): Kind | undefined {
  return KIND_ORDER.find((k) => Object.hasOwn(entry, k));
}
