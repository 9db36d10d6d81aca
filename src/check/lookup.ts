import type { Column, Routine, Snapshot, Table, View } from '../snapshot/types.ts';
import { partMatches, partMatchesLoosely, resolvePart, splitName, unqualify, type QualifiedPattern } from '../spec/names.ts';

// Name lookups over a snapshot, built once per map and kept as long as the map lives (WeakMap):
// finding an object by a plain name is a Map lookup, not a scan of every key, so evaluating N
// expectations costs O(N + objects) rather than O(N × objects). Evaluation never changes a
// snapshot, so an index built from a map stays true for as long as that map is evaluated.

/** A KeyEntry is a snapshot key with its unqualified parts, split once. */
interface KeyEntry {
  key: string;
  schema: string;
  name: string;
}

/** A KeyIndex finds the keys of one `schema.name`-keyed map. */
interface KeyIndex {
  /** Every key, in sorted order (the order finders return). */
  entries: KeyEntry[];
  /** `schema\0name` -> keys. */
  exact: Map<string, string[]>;
  /** Schema -> its entries (in key order), for patterns that are a glob in the name part only. */
  bySchema: Map<string, KeyEntry[]>;
  /** The same with both parts lower-cased, as partMatchesLoosely compares them: built when a suggestion is first looked for. */
  loose?: { exact: Map<string, string[]>; bySchema: Map<string, KeyEntry[]> };
}

const keyIndexes = new WeakMap<object, KeyIndex>();

const pair = (schema: string, name: string) => `${schema}\0${name}`;

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

// Most keys are two plain lower-case names: split those without the general parser.
const PLAIN_KEY = /^([a-z_][a-z0-9_$]*)\.([a-z_][a-z0-9_$]*)$/;

function keyEntry(key: string): KeyEntry {
  const plain = PLAIN_KEY.exec(key);
  return plain ? { key, schema: plain[1]!, name: plain[2]! } : { key, ...unqualify(key) };
}

function keyIndex(map: Record<string, unknown>): KeyIndex {
  const index = keyIndexes.get(map);
  if (index) return index;
  return indexEntries(map, Object.keys(map).sort().map(keyEntry));
}

/** Builds (and keeps) the index of a map from its entries, in sorted key order. */
function indexEntries(map: Record<string, unknown>, entries: KeyEntry[]): KeyIndex {
  const index: KeyIndex = { entries, exact: new Map(), bySchema: new Map() };
  for (const e of entries) {
    push(index.exact, pair(e.schema, e.name), e.key);
    push(index.bySchema, e.schema, e);
  }
  keyIndexes.set(map, index);
  return index;
}

function looseIndex(index: KeyIndex): NonNullable<KeyIndex['loose']> {
  if (!index.loose) {
    index.loose = { exact: new Map(), bySchema: new Map() };
    for (const e of index.entries) {
      push(index.loose.exact, pair(e.schema.toLowerCase(), e.name.toLowerCase()), e.key);
      push(index.loose.bySchema, e.schema.toLowerCase(), e);
    }
  }
  return index.loose;
}

/** Keys of a `schema.name`-keyed map that match a qualified pattern, sorted; `loose` ignores case and quoting. */
export function lookupQualified(map: Record<string, unknown>, pattern: QualifiedPattern, loose: boolean): string[] {
  const index = keyIndex(map);
  const { schema, name } = pattern;
  if (!schema.glob && !name.glob) {
    const found = loose ? looseIndex(index).exact.get(pair(schema.text.toLowerCase(), name.text.toLowerCase())) : index.exact.get(pair(schema.text, name.text));
    return found ? [...found] : [];
  }
  const m = loose ? partMatchesLoosely : partMatches;
  const candidates = schema.glob ? index.entries : ((loose ? looseIndex(index).bySchema.get(schema.text.toLowerCase()) : index.bySchema.get(schema.text)) ?? []);
  return candidates.filter((e) => m(schema, e.schema) && m(name, e.name)).map((e) => e.key);
}

/**
 * Per-snapshot derived maps (relations, views of one kind, index owners), built on first use.
 * Each remembers the maps it was built from, so a snapshot whose `tables` or `views` were
 * replaced by other objects gets fresh ones.
 */
interface Derived {
  tables: Snapshot['tables'];
  views: Snapshot['views'];
  relations?: Record<string, Table | View>;
  viewsOfKind: Map<View['kind'], Record<string, View>>;
  indexOwners?: Map<string, string[]>;
}

const derivedMaps = new WeakMap<Snapshot, Derived>();

function derived(s: Snapshot): Derived {
  let d = derivedMaps.get(s);
  if (!d || d.tables !== s.tables || d.views !== s.views) {
    d = { tables: s.tables, views: s.views, viewsOfKind: new Map() };
    derivedMaps.set(s, d);
  }
  return d;
}

/** Tables and views (and materialized views) in one map, as `{ ...s.tables, ...s.views }` would make it. */
export function relationsOf(s: Snapshot): Record<string, Table | View> {
  const d = derived(s);
  if (!d.relations) {
    const relations: Record<string, Table | View> = { ...s.tables, ...s.views };
    // Its index is the two maps' indexes merged, not every key split again.
    const seen = new Set<string>();
    const entries = [...keyIndex(s.tables).entries, ...keyIndex(s.views).entries]
      .filter((e) => !seen.has(e.key) && !!seen.add(e.key))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    indexEntries(relations, entries);
    d.relations = relations;
  }
  return d.relations;
}

/** The views of one kind (`view` or `materializedView`). */
export function viewsOfKind(s: Snapshot, kind: View['kind']): Record<string, View> {
  const d = derived(s);
  let views = d.viewsOfKind.get(kind);
  if (!views) {
    views = Object.fromEntries(Object.entries(s.views).filter(([, v]) => v.kind === kind));
    d.viewsOfKind.set(kind, views);
  }
  return views;
}

/** The column a key made by a column finder (`schema.relation.column`) names, from tables or views. */
export function columnByKey(s: Snapshot, key: string): Column | undefined {
  const parts = splitName(key);
  if (parts.length !== 3) return undefined;
  const relation = relationsOf(s)[`${parts[0]}.${parts[1]}`];
  const column = resolvePart(parts[2]!, false).text;
  return relation && Object.hasOwn(relation.columns, column) ? relation.columns[column] : undefined;
}

/**
 * The relations holding an index of a given name: `schema\0index name` -> relation keys, over
 * tables and views, for index expectations that name no table.
 */
export function indexOwners(s: Snapshot, schema: string, index: string, loose: boolean): string[] | undefined {
  const d = derived(s);
  if (!d.indexOwners) {
    d.indexOwners = new Map();
    for (const [key, rel] of Object.entries(relationsOf(s))) {
      const relSchema = unqualify(key).schema;
      for (const name of Object.keys((rel as { indexes?: Record<string, unknown> }).indexes ?? {})) {
        push(d.indexOwners, pair(relSchema, name), key);
        push(d.indexOwners, `~${pair(relSchema.toLowerCase(), name.toLowerCase())}`, key);
      }
    }
  }
  return d.indexOwners.get(loose ? `~${pair(schema.toLowerCase(), index.toLowerCase())}` : pair(schema, index));
}

/** A RoutineIndex finds routines by schema and name. */
interface RoutineIndex {
  exact: Map<string, string[]>;
  loose: Map<string, string[]>;
}

const routineIndexes = new WeakMap<Snapshot['routines'], RoutineIndex>();

/**
 * The keys of the routines with a given schema and name (every overload), in sorted key order;
 * `loose` ignores case. For plain (non-glob) names only.
 */
export function routinesNamed(routines: Record<string, Routine>, schema: string, name: string, loose: boolean): string[] {
  let index = routineIndexes.get(routines);
  if (!index) {
    index = { exact: new Map(), loose: new Map() };
    for (const key of Object.keys(routines).sort()) {
      const r = routines[key]!;
      push(index.exact, pair(r.schema, r.name), key);
      push(index.loose, pair(r.schema.toLowerCase(), r.name.toLowerCase()), key);
    }
    routineIndexes.set(routines, index);
  }
  return (loose ? index.loose.get(pair(schema.toLowerCase(), name.toLowerCase())) : index.exact.get(pair(schema, name))) ?? [];
}
