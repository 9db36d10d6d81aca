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

/**
 * Names -> keys, two levels deep (first part, then second) so that a lookup joins no strings.
 * A name is held by one key, or by several (keys that differ only in quoting fold alike).
 */
type NameMap = Map<string, Map<string, string | string[]>>;

/** A KeyIndex finds the keys of one `schema.name`-keyed map. */
interface KeyIndex {
  /** The map's keys, split, in the map's order. */
  unsorted: KeyEntry[];
  /** Schema -> name -> keys. */
  exact: NameMap;
  /** Every key, in sorted order (the order finders return): built when a glob is first looked up. */
  entries?: KeyEntry[];
  /** Schema -> its entries (in key order), for patterns that are a glob in the name part only; built with `entries`. */
  bySchema?: Map<string, KeyEntry[]>;
  /** The same with both parts lower-cased, as partMatchesLoosely compares them: built when a suggestion is first looked for. */
  loose?: { exact: NameMap; bySchema: Map<string, KeyEntry[]> };
}

const keyIndexes = new WeakMap<object, KeyIndex>();

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function addName(map: NameMap, first: string, second: string, key: string): void {
  let names = map.get(first);
  if (!names) map.set(first, (names = new Map()));
  const held = names.get(second);
  names.set(second, held === undefined ? key : typeof held === 'string' ? [held, key] : [...held, key]);
}

/** The keys holding a name, sorted (a fresh array: results keep it). */
function keysNamed(map: NameMap, first: string, second: string): string[] {
  const held = map.get(first)?.get(second);
  return held === undefined ? [] : typeof held === 'string' ? [held] : [...held].sort();
}

const byKey = (a: KeyEntry, b: KeyEntry) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

function keyEntry(key: string): KeyEntry {
  const { schema, name } = unqualify(key);
  return { key, schema, name };
}

function keyIndex(map: Record<string, unknown>): KeyIndex {
  return keyIndexes.get(map) ?? indexEntries(map, Object.keys(map).map(keyEntry));
}

/** Builds (and keeps) the index of a map from its entries. */
function indexEntries(map: Record<string, unknown>, unsorted: KeyEntry[]): KeyIndex {
  const index: KeyIndex = { unsorted, exact: new Map() };
  for (const e of unsorted) addName(index.exact, e.schema, e.name, e.key);
  keyIndexes.set(map, index);
  return index;
}

function sortedIndex(index: KeyIndex): { entries: KeyEntry[]; bySchema: Map<string, KeyEntry[]> } {
  if (!index.entries || !index.bySchema) {
    index.entries = [...index.unsorted].sort(byKey);
    index.bySchema = new Map();
    for (const e of index.entries) push(index.bySchema, e.schema, e);
  }
  return { entries: index.entries, bySchema: index.bySchema };
}

function looseIndex(index: KeyIndex): NonNullable<KeyIndex['loose']> {
  if (!index.loose) {
    index.loose = { exact: new Map(), bySchema: new Map() };
    for (const e of sortedIndex(index).entries) {
      addName(index.loose.exact, e.schema.toLowerCase(), e.name.toLowerCase(), e.key);
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
    return loose ? keysNamed(looseIndex(index).exact, schema.text.toLowerCase(), name.text.toLowerCase()) : keysNamed(index.exact, schema.text, name.text);
  }
  const m = loose ? partMatchesLoosely : partMatches;
  const candidates = schema.glob
    ? sortedIndex(index).entries
    : ((loose ? looseIndex(index).bySchema.get(schema.text.toLowerCase()) : sortedIndex(index).bySchema.get(schema.text)) ?? []);
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
  /** Schema -> index name -> the relations holding it; and the same lower-cased, built for suggestions. */
  indexOwners?: NameMap;
  looseIndexOwners?: NameMap;
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
    // Without views that is the tables themselves, and their index serves (copying 5,000 tables
    // into a new map and indexing it again cost more than the lookups it serves).
    if (Object.keys(s.views).length === 0) {
      d.relations = s.tables;
      return d.relations;
    }
    const relations: Record<string, Table | View> = { ...s.tables, ...s.views };
    // Its index is the two maps' indexes merged, not every key split again.
    const seen = new Set<string>();
    const entries = [...keyIndex(s.tables).unsorted, ...keyIndex(s.views).unsorted].filter((e) => !seen.has(e.key) && !!seen.add(e.key));
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
 * The keys of the relations holding an index of a given name in a schema, sorted, over tables
 * and views: for index expectations that name no table. Indexes are named by schema, so this
 * is one lookup, not a scan of every relation's indexes.
 */
export function indexOwners(s: Snapshot, schema: string, index: string, loose: boolean): string[] {
  const d = derived(s);
  if (!d.indexOwners) {
    d.indexOwners = new Map();
    const relations = relationsOf(s);
    for (const e of keyIndex(relations).unsorted) {
      const indexes = (relations[e.key] as { indexes?: Record<string, unknown> }).indexes;
      if (indexes) for (const name of Object.keys(indexes)) addName(d.indexOwners, e.schema, name, e.key);
    }
  }
  if (!loose) return keysNamed(d.indexOwners, schema, index);
  if (!d.looseIndexOwners) {
    d.looseIndexOwners = new Map();
    for (const [relSchema, names] of d.indexOwners) {
      for (const [name, held] of names) {
        for (const key of typeof held === 'string' ? [held] : held) addName(d.looseIndexOwners, relSchema.toLowerCase(), name.toLowerCase(), key);
      }
    }
  }
  return keysNamed(d.looseIndexOwners, schema.toLowerCase(), index.toLowerCase());
}

/** A RoutineIndex finds routines by schema and name. */
interface RoutineIndex {
  exact: NameMap;
  loose: NameMap;
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
    for (const key of Object.keys(routines)) {
      const r = routines[key]!;
      addName(index.exact, r.schema, r.name, key);
      addName(index.loose, r.schema.toLowerCase(), r.name.toLowerCase(), key);
    }
    routineIndexes.set(routines, index);
  }
  return loose ? keysNamed(index.loose, schema.toLowerCase(), name.toLowerCase()) : keysNamed(index.exact, schema, name);
}
