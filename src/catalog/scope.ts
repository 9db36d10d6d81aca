import { parseObjectRef } from '../check/privileges.ts';
import type { Expectation } from '../spec/model.ts';
import { parseColumnName, parseQualified, resolvePart, splitName, type NamePart, type QualifiedPattern } from '../spec/names.ts';

// A check reads only the part of the catalog its specs name: the objects of each kind that an
// expectation could look at (to judge it, to suggest a name that differs only in case, or to say
// that a view of that name exists), in a filter each catalog query applies in SQL. Names are
// compared ASCII lower-cased on both sides (lower(... COLLATE "C") in SQL), which keeps every
// name the evaluator would match, exactly or ignoring case; a name with other characters reads
// its whole schema instead, and a glob schema every schema.

/** The catalog kinds a scope narrows; the others (schemas, roles, extensions, server) are small and always read whole. */
export const SCOPED_KINDS = ['tables', 'columns', 'constraints', 'indexes', 'triggers', 'policies', 'views', 'routines', 'enums', 'sequences'] as const;
export type ScopedKind = (typeof SCOPED_KINDS)[number];

/**
 * A KindScope is what to read of one kind: `all`, or whole schemas and `[schema, name]` pairs
 * (lower-cased ASCII), the names in the order the expectations give them (a filter: the order
 * does not matter to the queries). For the parts of a relation (columns, constraints, indexes,
 * triggers, policies) the name is the relation's.
 */
export type KindScope = 'all' | { schemas: string[]; names: [string, string][] };

/** A CatalogScope says which objects of each kind a capture reads; a kind it leaves out is not read at all. */
export type CatalogScope = Partial<Record<ScopedKind, KindScope>>;

const RELATION_PARTS: ScopedKind[] = ['columns', 'constraints', 'indexes', 'triggers', 'policies'];

/** ASCII lower case: what lower(x COLLATE "C") gives in PostgreSQL. */
const fold = (s: string) => (/[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s);
const isAscii = (s: string) => /^[\x20-\x7e]*$/.test(s);

/** One bit per scoped kind, to remember which kinds a name was added for. */
const KIND_BITS = Object.fromEntries(SCOPED_KINDS.map((kind, i) => [kind, 1 << i])) as Record<ScopedKind, number>;

class ScopeBuilder {
  private readonly kinds = new Map<ScopedKind, { all: boolean; schemas: Set<string>; names: Map<string, [string, string]> }>();
  /** The kinds each written name was added for: specs name the same tables over and over, and each is parsed once per kind. */
  private readonly added = new Map<string, number>();

  private of(kind: ScopedKind) {
    let k = this.kinds.get(kind);
    if (!k) this.kinds.set(kind, (k = { all: false, schemas: new Set(), names: new Map() }));
    return k;
  }

  /** Reads every object of these kinds. */
  all(kinds: readonly ScopedKind[]): void {
    for (const kind of kinds) this.of(kind).all = true;
  }

  /** Reads the objects named `schema.name` of these kinds (without a name: the whole schema). */
  add(kinds: readonly ScopedKind[], schema: NamePart, name?: NamePart): void {
    if (schema.glob || !isAscii(schema.text)) return this.all(kinds);
    const s = fold(schema.text);
    const whole = !name || name.glob || !isAscii(name.text);
    const pair: [string, string] = [s, whole ? '' : fold(name.text)];
    const key = `${s}\0${pair[1]}`;
    for (const kind of kinds) {
      const k = this.of(kind);
      if (whole) k.schemas.add(s);
      else k.names.set(key, pair);
    }
  }

  qualified(kinds: readonly ScopedKind[], pattern: QualifiedPattern | undefined): void {
    if (!pattern) return this.all(kinds);
    this.add(kinds, pattern.schema, pattern.name);
  }

  /** Reads the relation (or routine, enum...) written `schema.name`, for these kinds. */
  named(kinds: readonly ScopedKind[], written: string): void {
    if (this.first(kinds, written)) this.qualified(kinds, parseQualified(written));
  }

  /** Reads the relation of a column written `schema.table.column` (or `table.column`), for these kinds. */
  columnOf(kinds: readonly ScopedKind[], written: string): void {
    if (this.first(kinds, `\0${written}`)) this.qualified(kinds, parseColumnName(written)?.table);
  }

  /** Whether some of these kinds are new for the name `key` (and notes them). */
  private first(kinds: readonly ScopedKind[], key: string): boolean {
    let mask = 0;
    for (const kind of kinds) mask |= KIND_BITS[kind];
    const had = this.added.get(key) ?? 0;
    if ((had & mask) === mask) return false;
    this.added.set(key, had | mask);
    return true;
  }

  build(): CatalogScope {
    const scope: CatalogScope = {};
    for (const [kind, k] of this.kinds) {
      scope[kind] = k.all
        ? 'all'
        : { schemas: [...k.schemas].sort(), names: [...k.names.values()].filter(([s]) => !k.schemas.has(s)) };
    }
    return scope;
  }
}

/** The name part of a routine identity (`schema.name(args)` -> `schema.name`): the text before the first `(` outside quotes. */
function routineName(written: string): string {
  let quoted = false;
  for (let i = 0; i < written.length; i++) {
    if (written[i] === '"') quoted = !quoted;
    else if (written[i] === '(' && !quoted) return written.slice(0, i).trim();
  }
  return written.trim();
}

/**
 * The part of the catalog a set of expectations reads. `undefined` means everything (a schema's
 * `unchanged` compares every object in it, and so on, are still scoped; only what cannot be
 * narrowed is not).
 */
export function catalogScope(expectations: readonly Expectation[]): CatalogScope {
  const b = new ScopeBuilder();
  for (const exp of expectations) {
    switch (exp.kind) {
      case 'table': {
        const e = exp.entry;
        const kinds: ScopedKind[] = ['tables', 'views'];
        if (e.columns !== undefined || e.exactColumns !== undefined) kinds.push('columns');
        if (e.primaryKey !== undefined) kinds.push('constraints');
        if (e.policies !== undefined) kinds.push('policies');
        if (e.unchanged) kinds.push(...RELATION_PARTS);
        b.named(kinds, e.table);
        break;
      }
      case 'column': {
        b.columnOf(['tables', 'views', 'columns'], exp.entry.column);
        break;
      }
      case 'view':
      case 'materializedView':
        b.named(['tables', 'views', ...(exp.entry.unchanged ? (['columns', 'indexes'] as const) : [])], exp.kind === 'view' ? exp.entry.view : exp.entry.materializedView);
        break;
      case 'sequence':
        b.named(['sequences'], exp.entry.sequence);
        break;
      case 'enum':
        b.named(['enums'], exp.entry.enum);
        break;
      case 'index': {
        const e = exp.entry;
        const kinds: ScopedKind[] = ['tables', 'views', 'indexes'];
        // Without its table, an index could be on any relation of its schema.
        if (e.table) b.named(kinds, e.table);
        else {
          const pattern = parseQualified(e.index);
          if (pattern) b.add(kinds, pattern.schema);
          else b.all(kinds);
        }
        break;
      }
      case 'constraint':
        b.named(['tables', 'constraints'], exp.entry.table);
        break;
      case 'foreignKey':
        b.named(['tables', 'constraints'], exp.entry.foreignKey.table);
        break;
      case 'trigger':
        b.named(['tables', 'triggers'], exp.entry.table);
        break;
      case 'policy':
        b.named(['tables', 'policies'], exp.entry.table);
        break;
      case 'function':
      case 'procedure': {
        const parts = splitName(routineName(exp.kind === 'function' ? exp.entry.function : exp.entry.procedure));
        if (parts.length === 1) b.add(['routines'], { text: 'public', glob: false }, resolvePart(parts[0]!));
        else if (parts.length === 2) b.add(['routines'], resolvePart(parts[0]!), resolvePart(parts[1]!));
        else b.all(['routines']);
        break;
      }
      case 'schema':
        // A schema's `unchanged` compares everything in it.
        if (exp.entry.unchanged) b.add(SCOPED_KINDS, resolvePart(exp.entry.schema));
        break;
      case 'privilege': {
        const ref = parseObjectRef(exp.entry.privilege.on);
        if (!ref) break;
        switch (ref.kind) {
          case 'table':
          case 'view':
          case 'materialized view':
            b.named(['tables', 'views'], ref.name);
            break;
          case 'sequence':
            b.named(['sequences'], ref.name);
            break;
          case 'column':
            b.columnOf(['tables', 'views', 'columns'], ref.name);
            break;
          case 'function':
          case 'procedure': {
            const parts = splitName(routineName(ref.name));
            if (parts.length === 2) b.add(['routines'], resolvePart(parts[0]!), resolvePart(parts[1]!));
            else if (parts.length === 1) b.add(['routines'], { text: 'public', glob: false }, resolvePart(parts[0]!));
            else b.all(['routines']);
            break;
          }
          case 'schema':
            break;
        }
        break;
      }
      // extension, role, server, query, migrations: read from the always-read kinds, or not from the catalog.
      default:
        break;
    }
  }
  return b.build();
}
