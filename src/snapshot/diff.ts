import { qualify, quoteIfNeeded, unqualify } from '../spec/names.ts';
import type { Snapshot, Table } from './types.ts';

// Diffs walk maps keyed by name, so the cost is linear in the number of objects
// (json-diff-style array diffs are quadratic and were measured unusable on big schemas).

/** A ChangeKind is the kind of object a structural change is about. */
export type ChangeKind =
  | 'schema'
  | 'table'
  | 'column'
  | 'constraint'
  | 'index'
  | 'trigger'
  | 'policy'
  | 'view'
  | 'materialized view'
  | 'function'
  | 'procedure'
  | 'enum'
  | 'extension'
  | 'sequence'
  | 'role';

/** A Change is one structural difference between two states, or a changed row count. */
export interface Change {
  verb: 'add' | 'drop' | 'alter' | 'rows';
  kind: ChangeKind;
  /** Display name: `public.users`, `public.orders.status`, `"Users read own"`. */
  name: string;
  /** The table a constraint, index, trigger or policy belongs to. */
  on?: string;
  /** For alter: what changed, e.g. `type text -> character varying(20)`. */
  details: string[];
}

const fmt = (v: unknown): string => (v === null || v === undefined ? 'none' : typeof v === 'string' ? v : JSON.stringify(v));

/** Lists the differences between two JSON values as `path: before -> after` lines. */
export function diffValues(a: unknown, b: unknown, path = ''): string[] {
  if (a === b) return [];
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    const out: string[] = [];
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      const p = path ? `${path}.${k}` : k;
      if (!(k in a)) out.push(`${p}: added`);
      else if (!(k in b)) out.push(`${p}: removed`);
      else out.push(...diffValues(a[k], b[k], p));
    }
    return out;
  }
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  return [`${path || 'value'}: ${fmt(a)} -> ${fmt(b)}`];
}

function diffMaps<T>(
  before: Record<string, T>,
  after: Record<string, T>,
  emit: (verb: 'add' | 'drop' | 'alter', key: string, details: string[]) => void,
  describe: (a: T, b: T) => string[] = (a, b) => diffValues(a, b),
) {
  for (const key of Object.keys(before).sort()) {
    if (!(key in after)) emit('drop', key, []);
    else {
      const details = describe(before[key]!, after[key]!);
      if (details.length > 0) emit('alter', key, details);
    }
  }
  for (const key of Object.keys(after).sort()) if (!(key in before)) emit('add', key, []);
}

/** Column changes read as SQL people say them: `type text -> varchar(20)`, `not null added`. */
function columnDetails(a: Table['columns'][string], b: Table['columns'][string]): string[] {
  const out: string[] = [];
  if (a.type !== b.type) out.push(`type ${a.type} -> ${b.type}`);
  if (a.nullable !== b.nullable) out.push(b.nullable ? 'not null dropped' : 'not null added');
  if (a.default !== b.default) out.push(`default ${fmt(a.default)} -> ${fmt(b.default)}`);
  if (a.identity !== b.identity) out.push(`identity ${fmt(a.identity)} -> ${fmt(b.identity)}`);
  if (a.generated !== b.generated) out.push(`generated ${fmt(a.generated)} -> ${fmt(b.generated)}`);
  if (a.position !== b.position) out.push(`position ${a.position} -> ${b.position}`);
  return out;
}

function tableLevel(t: Table) {
  return { kind: t.kind, partitionOf: t.partitionOf, owner: t.owner, rls: t.rls };
}

/** Indexes that back a constraint are part of that constraint, not objects of their own. */
function ownIndexes(t: Table): Table['indexes'] {
  return Object.fromEntries(Object.entries(t.indexes).filter(([, ix]) => ix.constraint === null));
}

/** The structural difference between two snapshots, in a stable order, plus changed row counts. */
export function diffSnapshots(a: Snapshot, b: Snapshot, options: { rows?: boolean } = {}): Change[] {
  const changes: Change[] = [];
  const push = (verb: Change['verb'], kind: ChangeKind, name: string, details: string[], on?: string) =>
    changes.push({ verb, kind, name, details, ...(on === undefined ? {} : { on }) });

  diffMaps(a.schemas, b.schemas, (verb, key, d) => push(verb, 'schema', quoteIfNeeded(key), d));
  diffMaps(a.extensions, b.extensions, (verb, key, d) => push(verb, 'extension', quoteIfNeeded(key), d));
  diffMaps(a.roles, b.roles, (verb, key, d) => push(verb, 'role', quoteIfNeeded(key), d));
  diffMaps(a.enums, b.enums, (verb, key, d) => push(verb, 'enum', key, d));
  diffMaps(a.sequences, b.sequences, (verb, key, d) => push(verb, 'sequence', key, d));

  for (const key of Object.keys(a.tables).sort()) if (!(key in b.tables)) push('drop', 'table', key, []);
  for (const key of Object.keys(b.tables).sort()) if (!(key in a.tables)) push('add', 'table', key, []);
  for (const key of Object.keys(a.tables).sort()) {
    const ta = a.tables[key]!;
    const tb = b.tables[key];
    if (!tb) continue;
    const level = diffValues(tableLevel(ta), tableLevel(tb));
    if (level.length > 0) push('alter', 'table', key, level);
    diffMaps(ta.columns, tb.columns, (verb, col, d) => push(verb, 'column', `${key}.${quoteIfNeeded(col)}`, d), columnDetails);
    diffMaps(ta.constraints, tb.constraints, (verb, n, d) => push(verb, 'constraint', quoteIfNeeded(n), d, key));
    diffMaps(ownIndexes(ta), ownIndexes(tb), (verb, n, d) => push(verb, 'index', qualify(unqualify(key).schema, n), d, key));
    diffMaps(ta.triggers, tb.triggers, (verb, n, d) => push(verb, 'trigger', quoteIfNeeded(n), d, key));
    diffMaps(ta.policies, tb.policies, (verb, n, d) => push(verb, 'policy', quoteIfNeeded(n), d, key));
  }

  diffMaps(a.views, b.views, (verb, key, d) =>
    push(verb, (b.views[key] ?? a.views[key])!.kind === 'view' ? 'view' : 'materialized view', key, d),
  );
  diffMaps(a.routines, b.routines, (verb, key, d) =>
    push(verb, (b.routines[key] ?? a.routines[key])!.kind === 'procedure' ? 'procedure' : 'function', key, d),
  );

  if (options.rows) {
    for (const key of Object.keys(a.rowCounts).sort()) {
      const before = a.rowCounts[key]!;
      const after = b.rowCounts[key];
      if (after !== undefined && after !== before) changes.push({ verb: 'rows', kind: 'table', name: key, details: [`rows ${before} -> ${after}`] });
    }
  }
  return changes;
}

/** One line per change: `+ table public.users`, `~ column public.orders.status: type text -> character varying(20)`. */
export function formatChange(c: Change): string {
  const sign = c.verb === 'add' ? '+' : c.verb === 'drop' ? '-' : '~';
  const what = c.verb === 'rows' ? `rows ${c.name}` : `${c.kind} ${c.name}${c.on ? ` on ${c.on}` : ''}`;
  const joined = c.details.join(', ').replace(/\s+/g, ' ');
  const details = c.verb === 'rows' ? joined.replace(/^rows /, '') : joined;
  return `${sign} ${what}${details ? `: ${details}` : ''}`;
}

/** A change as a `changes` line would declare it, with what changed: `alter column public.orders.status type text -> varchar(20)`. */
export function changeText(c: Change): string {
  // Stored expressions and view definitions span lines: a change is always one line.
  const details = c.details.join(', ').replace(/\s+/g, ' ');
  if (c.verb === 'rows') return `rows ${c.name} ${details.replace(/^rows /, '')}`;
  return `${c.verb} ${c.kind} ${c.name}${c.on ? ` on ${c.on}` : ''}${details ? ` ${details}` : ''}`;
}
