import type { Column, Constraint, Index, Policy, Routine, Sequence, Trigger } from '../snapshot/types.ts';
import { qualify, quoteIfNeeded } from '../spec/names.ts';

// The row types are the catalog queries' output, snake_case as the SQL files name the columns.
// Each parse function maps one row to its camelCase domain type; nothing else reads rows.

/** A SchemaRow is one row of schemas.sql. */
export interface SchemaRow {
  nspname: string;
  owner: string;
}

/** A TableRow is one row of tables.sql. */
export interface TableRow {
  nspname: string;
  relname: string;
  relkind: string;
  owner: string;
  rls_enabled: boolean;
  rls_forced: boolean;
  parent_nspname: string | null;
  parent_relname: string | null;
}

/** A ColumnsRow is one row of columns.sql: a relation and its live columns (null: none). */
export interface ColumnsRow {
  nspname: string;
  relname: string;
  columns: ColumnTuple[] | null;
}

/** A ColumnTuple is one column of a ColumnsRow: name, attnum, type, nullable, default, identity, generated. */
export type ColumnTuple = [string, number, string, boolean, string | null, 'always' | 'by default' | null, string | null];

/** A ConstraintRow is one row of constraints.sql. */
export interface ConstraintRow {
  nspname: string;
  relname: string;
  conname: string;
  contype: string;
  oid: string;
  columns: string[];
  /** Null for a check whose expression expressions.sql prints: `CHECK (`, that text and definition_tail. */
  definition: string | null;
  definition_tail: string | null;
  /** Null for a check whose expression expressions.sql prints. */
  check_expr: string | null;
  validated: boolean;
  deferrable: boolean;
  deferred: boolean;
  ref_nspname: string | null;
  ref_relname: string | null;
  ref_columns: string[];
  on_delete: string;
  on_update: string;
  match_type: string;
}

/** An IndexRow is one row of indexes.sql. */
export interface IndexRow {
  nspname: string;
  relname: string;
  indexname: string;
  columns: string[];
  include: string[];
  is_unique: boolean;
  is_primary: boolean;
  method: string;
  oid: string;
  /** A partial index: its predicate is printed by expressions.sql. */
  partial: boolean;
  valid: boolean;
  constraint_name: string | null;
  /** Without ` WHERE ` and the predicate when `built` in SQL; pg_get_indexdef()'s otherwise. */
  definition: string;
  built: boolean;
}

/** An ExpressionRow is one row of expressions.sql: a check expression (`c`) or index predicate (`i`) by OID. */
export interface ExpressionRow {
  kind: 'c' | 'i';
  oid: string;
  text: string;
}

/** A TriggerRow is one row of triggers.sql. */
export interface TriggerRow {
  nspname: string;
  relname: string;
  tgname: string;
  function_nspname: string;
  function_name: string;
  tgtype: number;
  tgenabled: string;
  definition: string;
}

/** A PolicyRow is one row of policies.sql. */
export interface PolicyRow {
  nspname: string;
  relname: string;
  polname: string;
  polcmd: string;
  permissive: boolean;
  roles: string[];
  using_expr: string | null;
  check_expr: string | null;
}

/** A RoutineRow is one row of routines.sql. */
export interface RoutineRow {
  nspname: string;
  proname: string;
  prokind: string;
  arg_types: string[];
  returns: string | null;
  language: string;
  security_definer: boolean;
  volatility: string;
  search_path: string | null;
  owner: string;
  body_hash: string;
}

/** An EnumRow is one row of enums.sql. */
export interface EnumRow {
  nspname: string;
  typname: string;
  labels: string[];
}

/** An ExtensionRow is one row of extensions.sql. */
export interface ExtensionRow {
  extname: string;
  extversion: string;
  nspname: string;
}

/** A SequenceRow is one row of sequences.sql. */
export interface SequenceRow {
  nspname: string;
  relname: string;
  type: string;
  start: string;
  increment: string;
  min: string;
  max: string;
  cycle: boolean;
  owner_nspname: string | null;
  owner_relname: string | null;
  owner_attname: string | null;
}

/** A ViewRow is one row of views.sql. */
export interface ViewRow {
  nspname: string;
  relname: string;
  relkind: string;
  owner: string;
  definition: string;
}

/** A RoleRow is one row of roles.sql. */
export interface RoleRow {
  rolname: string;
  login: boolean;
  superuser: boolean;
  member_of: string[];
  /** Not a system role, or one an object of the snapshot refers to. */
  kept: boolean;
}

/** Compares strings by UTF-16 code units: the same order everywhere, unlike localeCompare. */
export const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function unexpected(what: string, value: unknown): never {
  throw new Error(`unexpected ${what} from the catalog: ${JSON.stringify(value)}`);
}

/** The snapshot key of a relation row: `schema.name`. */
export const relationKey = (row: { nspname: string; relname: string }): string => qualify(row.nspname, row.relname);

export function parseTableKind(relkind: string): 'table' | 'partitioned' | 'foreign' {
  if (relkind === 'r') return 'table';
  if (relkind === 'p') return 'partitioned';
  if (relkind === 'f') return 'foreign';
  return unexpected('table relkind', relkind);
}

/** Maps a column; `position` is its 1-based place among the relation's live columns. */
export function parseColumn(column: ColumnTuple, position: number): Column {
  const [, , type, nullable, defaultExpr, identity, generated] = column;
  return { position, type, nullable, default: defaultExpr, identity, generated };
}

const CONSTRAINT_TYPES: Record<string, Constraint['type']> = {
  p: 'primary',
  u: 'unique',
  c: 'check',
  f: 'foreign',
  x: 'exclusion',
  n: 'not null',
};

const FK_ACTIONS: Record<string, string> = {
  a: 'no action',
  r: 'restrict',
  c: 'cascade',
  n: 'set null',
  d: 'set default',
};

const FK_MATCH: Record<string, string> = { s: 'simple', f: 'full', p: 'partial' };

/** Maps a constraint row; `expressions` holds the texts of expressions.sql, by kind and OID (`c123`). */
export function parseConstraint(row: ConstraintRow, expressions: ReadonlyMap<string, string>): Constraint {
  const type = CONSTRAINT_TYPES[row.contype] ?? unexpected('constraint type', row.contype);
  let references: Constraint['references'] = null;
  if (type === 'foreign') {
    if (row.ref_nspname === null || row.ref_relname === null) unexpected('foreign key without a table', row.conname);
    references = {
      table: qualify(row.ref_nspname, row.ref_relname),
      columns: row.ref_columns,
      onDelete: FK_ACTIONS[row.on_delete] ?? unexpected('foreign key action', row.on_delete),
      onUpdate: FK_ACTIONS[row.on_update] ?? unexpected('foreign key action', row.on_update),
      match: FK_MATCH[row.match_type] ?? unexpected('foreign key match type', row.match_type),
    };
  }
  let check = row.check_expr;
  if (type === 'check' && check === null) check = expressions.get(`c${row.oid}`) ?? unexpected('check without its expression', row.conname);
  let definition = row.definition;
  if (definition === null) {
    if (check === null || row.definition_tail === null) return unexpected('constraint without a definition', row.conname);
    definition = `CHECK (${check}${row.definition_tail}`;
  }
  return {
    type,
    columns: row.columns,
    definition,
    check,
    validated: row.validated,
    deferrable: row.deferrable,
    deferred: row.deferred,
    references,
  };
}

/** Maps an index row; `expressions` holds the texts of expressions.sql, by kind and OID (`i123`). */
export function parseIndex(row: IndexRow, expressions: ReadonlyMap<string, string>): Index {
  const where = row.partial ? (expressions.get(`i${row.oid}`) ?? unexpected('partial index without its predicate', row.indexname)) : null;
  return {
    columns: row.columns,
    include: row.include,
    unique: row.is_unique,
    primary: row.is_primary,
    method: row.method,
    where,
    valid: row.valid,
    constraint: row.constraint_name,
    definition: row.built && where !== null ? `${row.definition} WHERE ${where}` : row.definition,
  };
}

// pg_trigger.tgtype bits, from PostgreSQL's src/include/catalog/pg_trigger.h.
const TRIGGER_TYPE_ROW = 1 << 0;
const TRIGGER_TYPE_BEFORE = 1 << 1;
const TRIGGER_TYPE_INSERT = 1 << 2;
const TRIGGER_TYPE_DELETE = 1 << 3;
const TRIGGER_TYPE_UPDATE = 1 << 4;
const TRIGGER_TYPE_TRUNCATE = 1 << 5;
const TRIGGER_TYPE_INSTEAD = 1 << 6;

const TRIGGER_ENABLED: Record<string, Trigger['enabled']> = {
  O: 'origin',
  D: 'disabled',
  R: 'replica',
  A: 'always',
};

export function parseTrigger(row: TriggerRow): Trigger {
  const t = row.tgtype;
  const events: Trigger['events'] = [];
  if (t & TRIGGER_TYPE_INSERT) events.push('insert');
  if (t & TRIGGER_TYPE_UPDATE) events.push('update');
  if (t & TRIGGER_TYPE_DELETE) events.push('delete');
  if (t & TRIGGER_TYPE_TRUNCATE) events.push('truncate');
  return {
    function: qualify(row.function_nspname, row.function_name),
    timing: t & TRIGGER_TYPE_INSTEAD ? 'instead of' : t & TRIGGER_TYPE_BEFORE ? 'before' : 'after',
    events,
    level: t & TRIGGER_TYPE_ROW ? 'row' : 'statement',
    enabled: TRIGGER_ENABLED[row.tgenabled] ?? unexpected('trigger enabled state', row.tgenabled),
    definition: row.definition,
  };
}

const POLICY_COMMANDS: Record<string, Policy['command']> = {
  r: 'select',
  a: 'insert',
  w: 'update',
  d: 'delete',
  '*': 'all',
};

export function parsePolicy(row: PolicyRow): Policy {
  return {
    command: POLICY_COMMANDS[row.polcmd] ?? unexpected('policy command', row.polcmd),
    roles: [...row.roles].sort(byCodeUnit),
    permissive: row.permissive,
    using: row.using_expr,
    check: row.check_expr,
  };
}

const ROUTINE_KINDS: Record<string, Routine['kind']> = {
  f: 'function',
  w: 'function', // a window function is called like a function
  a: 'aggregate',
  p: 'procedure',
};

const VOLATILITY: Record<string, Routine['volatility']> = { i: 'immutable', s: 'stable', v: 'volatile' };

/**
 * Parses a stored `search_path` value (the text after `search_path=` in proconfig) the way
 * PostgreSQL reads it: a comma-separated list of identifiers, each possibly double-quoted.
 * `""` is the empty path. A quoted item is one schema even when it holds a comma: a function
 * declared `SET search_path = 'public, extensions'` really searches one schema named
 * "public, extensions", and the snapshot says so.
 */
export function parseSearchPath(value: string): string[] {
  const items: string[] = [];
  let i = 0;
  while (i < value.length) {
    while (value[i] === ' ' || value[i] === '\t') i++;
    let item = '';
    if (value[i] === '"') {
      i++;
      while (i < value.length) {
        if (value[i] === '"') {
          if (value[i + 1] === '"') {
            item += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        item += value[i];
        i++;
      }
      while (i < value.length && value[i] !== ',') i++;
    } else {
      while (i < value.length && value[i] !== ',') item += value[i++];
      item = item.trim();
    }
    if (item !== '') items.push(item);
    i++; // the comma
  }
  return items;
}

/** The snapshot key of a routine: `schema.name(type, type)` with its input argument types. */
export const routineKey = (schema: string, name: string, argTypes: readonly string[]): string =>
  `${qualify(schema, name)}(${argTypes.join(', ')})`;

export function parseRoutine(row: RoutineRow): Routine {
  return {
    kind: ROUTINE_KINDS[row.prokind] ?? unexpected('routine kind', row.prokind),
    schema: row.nspname,
    name: row.proname,
    argTypes: row.arg_types,
    returns: row.returns,
    language: row.language,
    securityDefiner: row.security_definer,
    volatility: VOLATILITY[row.volatility] ?? unexpected('volatility', row.volatility),
    searchPath: row.search_path === null ? null : parseSearchPath(row.search_path),
    owner: row.owner,
    bodyHash: row.body_hash,
  };
}

/** The snapshot form of a column reference: `schema.table.column`, each part quoted only when needed. */
export const columnKey = (schema: string, table: string, column: string): string =>
  `${qualify(schema, table)}.${quoteIfNeeded(column)}`;

export function parseSequence(row: SequenceRow): Sequence {
  const owned =
    row.owner_nspname !== null && row.owner_relname !== null && row.owner_attname !== null
      ? columnKey(row.owner_nspname, row.owner_relname, row.owner_attname)
      : null;
  return {
    type: row.type,
    start: row.start,
    increment: row.increment,
    min: row.min,
    max: row.max,
    cycle: row.cycle,
    ownedBy: owned,
  };
}
