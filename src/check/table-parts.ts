import type { Constraint, Index, Snapshot, Table } from '../snapshot/types.ts';
import type { Expectation } from '../spec/model.ts';
import {
  isGlob,
  matchesQualified,
  parseQualified,
  partMatches,
  partMatchesLoosely,
  qualify,
  quoteIfNeeded,
  resolvePart,
  unqualify,
  type NamePart,
  type QualifiedPattern,
} from '../spec/names.ts';
import { evaluateObjects, expectSameSet, keyword, pushUnequal, sameList, type EvalContext } from './objects.ts';
import { indexOwners, relationsOf } from './lookup.ts';
import { findQualified, partCount, qualified } from './relations.ts';
import type { CheckResult, Mismatch } from './result.ts';
import { sameExpression } from './sql-text.ts';

type Of<K extends Expectation['kind']> = Extract<Expectation, { kind: K }>;

/** A Part is one object that belongs to a table (index, constraint, trigger, policy) with its key. */
interface Part<T> {
  key: string;
  table: string;
  name: string;
  value: T;
}

const ANY_TABLE: QualifiedPattern = { schema: { text: '*', glob: true, regex: /^.*$/s }, name: { text: '*', glob: true, regex: /^.*$/s }, written: '*' };

/**
 * Finds the parts of the given tables that `accept` takes (every part when it is undefined),
 * sorted by key. `only` names the one part to read when the name is plain (a lookup, not a
 * scan of the table's parts).
 */
function findParts<T>(
  relations: Record<string, Table>,
  tables: string[],
  pick: (t: Table) => Record<string, T> | undefined,
  only: string | undefined,
  accept: ((name: string, tableKey: string, value: T) => boolean) | undefined,
  keyOf: (name: string, tableKey: string) => string,
): Part<T>[] {
  // Made with its first part (a list pushed to from empty reserves room for 17).
  let out: Part<T>[] | undefined;
  for (const table of tables) {
    const all = pick(relations[table]!);
    if (!all) continue;
    const names = only === undefined ? Object.keys(all) : Object.hasOwn(all, only) ? [only] : [];
    for (const name of names) {
      const value = all[name]!;
      if (accept && !accept(name, table, value)) continue;
      const part = { key: keyOf(name, table), table, name, value };
      if (out) out.push(part);
      else out = [part];
    }
  }
  if (!out) return [];
  return out.length > 1 ? out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) : out;
}

/** The name a part must have when its pattern is plain and matched exactly, else undefined (read every part). */
const onlyName = (part: NamePart, loose: boolean) => (part.glob || loose ? undefined : part.text);

/** The parts one expectation found in one state, strictly and loosely. */
interface FoundParts<T> {
  s: Snapshot;
  strict?: Part<T>[];
  loose?: Part<T>[];
  byKey?: Map<string, Part<T>>;
}

/**
 * Memoises a parts finder per snapshot, so that finding, checking and comparing the matches of one
 * expectation (and of every object a glob matches) reads the snapshot once, not once per match.
 * An expectation reads at most two states (post, pre): two slots, not a WeakMap per expectation,
 * which would weigh on every garbage collection.
 */
function memoParts<T>(find: (s: Snapshot, loose: boolean) => Part<T>[]) {
  let first: FoundParts<T> | undefined;
  let second: FoundParts<T> | undefined;
  const entry = (s: Snapshot): FoundParts<T> => {
    if (first?.s === s) return first;
    if (second?.s === s) return second;
    return first ? (second = { s }) : (first = { s });
  };
  const parts = (s: Snapshot, loose: boolean): Part<T>[] => {
    const e = entry(s);
    return loose ? (e.loose ??= find(s, true)) : (e.strict ??= find(s, false));
  };
  const byKey = (s: Snapshot, key: string): Part<T> | undefined => {
    const e = entry(s);
    const found = parts(s, false);
    // Most expectations find one part: a map only for more.
    if (found.length <= 1) return found[0]?.key === key ? found[0] : undefined;
    e.byKey ??= new Map(found.map((p) => [p.key, p] as const));
    return e.byKey.get(key);
  };
  return { parts, byKey };
}

const onTable = (name: string, table: string) => `${quoteIfNeeded(name)} on ${table}`;
/** Whether a part's name is matched by a pattern part; undefined when `onlyName` already looked it up by name. */
function nameAccept(part: NamePart, loose: boolean): ((name: string) => boolean) | undefined {
  if (onlyName(part, loose) !== undefined) return undefined;
  const matches = loose ? partMatchesLoosely : partMatches;
  return (name) => matches(part, name);
}

/** Evaluates a kind whose objects are named parts of a table (`policy X` + `table Y`). */
function evaluateTablePart<T>(
  exp: Expectation,
  noun: string,
  name: string,
  table: string,
  props: { exists?: boolean; unchanged?: boolean },
  pick: (t: Table) => Record<string, T>,
  check: (value: T, table: Table) => Mismatch[],
  ctx: EvalContext,
): CheckResult {
  const namePart = resolvePart(name);
  const tablePattern = qualified(table);
  const { parts, byKey } = memoParts((s, loose) =>
    findParts(s.tables, findQualified(s.tables, tablePattern, loose), pick, onlyName(namePart, loose), nameAccept(namePart, loose), onTable),
  );
  return evaluateObjects(exp, {
    noun,
    written: `${name} on ${table}`,
    glob: namePart.glob || isGlob(tablePattern),
    exists: props.exists !== false,
    unchanged: props.unchanged,
    find: (s, loose) => parts(s, loose).map((p) => p.key),
    entry: (s, key) => byKey(s, key)?.value,
    check: (_key, at) => {
      const part = parts(ctx.post, false)[at]!;
      return check(part.value, ctx.post.tables[part.table]!);
    },
  }, ctx);
}

/** Compares written column names or expressions with an object's columns, in order. */
function sameColumnList(written: string[], actual: string[]): boolean {
  if (written.length !== actual.length) return false;
  return written.every((w, i) => {
    const a = actual[i]!;
    const part = resolvePart(w, false);
    return part.text === a || sameExpression(w, a);
  });
}

export function evaluatePolicy(exp: Of<'policy'>, ctx: EvalContext): CheckResult {
  const e = exp.entry;
  return evaluateTablePart(exp, 'policy', e.policy, e.table, e, (t) => t.policies, (p) => {
    const out: Mismatch[] = [];
    if (e.command !== undefined) pushUnequal(out, 'command', keyword(e.command), p.command);
    if (e.roles) out.push(...expectSameSet('roles', e.roles.map((r) => resolvePart(r, false).text), p.roles));
    pushUnequal(out, 'permissive', e.permissive, p.permissive);
    for (const prop of ['using', 'check'] as const) {
      const want = e[prop];
      const have = p[prop];
      if (want !== undefined && (have === null || !sameExpression(want, have))) out.push({ property: prop, expected: want, actual: have });
    }
    return out;
  }, ctx);
}

/** A trigger's function as written (`schema.name`, parentheses optional) against the qualified actual. */
function sameFunctionName(written: string, actual: string): boolean {
  const pattern = parseQualified(written.replace(/\(\s*\)\s*$/, ''), 'public');
  if (!pattern) return false;
  const { schema, name } = unqualify(actual);
  const unqualifiedSpec = partCount(written) === 1;
  return partMatches(pattern.name, name) && (partMatches(pattern.schema, schema) || (unqualifiedSpec && schema === 'pg_catalog'));
}

export function evaluateTrigger(exp: Of<'trigger'>, ctx: EvalContext): CheckResult {
  const e = exp.entry;
  return evaluateTablePart(exp, 'trigger', e.trigger, e.table, e, (t) => t.triggers, (tg) => {
    const out: Mismatch[] = [];
    if (e.function !== undefined && !sameFunctionName(e.function, tg.function)) out.push({ property: 'function', expected: e.function, actual: tg.function });
    if (e.timing !== undefined) pushUnequal(out, 'timing', keyword(e.timing), tg.timing);
    if (e.events) out.push(...expectSameSet('events', e.events, tg.events));
    pushUnequal(out, 'level', e.level, tg.level);
    if (e.enabled !== undefined) {
      const want = e.enabled === true ? 'origin' : e.enabled === false ? 'disabled' : e.enabled;
      const shown = { origin: true, disabled: false, always: 'always', replica: 'replica' }[tg.enabled];
      if (want !== tg.enabled) out.push({ property: 'enabled', expected: e.enabled, actual: shown });
    }
    return out;
  }, ctx);
}

function constraintMismatches(e: Of<'constraint'>['entry'], c: Constraint): Mismatch[] {
  const out: Mismatch[] = [];
  pushUnequal(out, 'type', e.type, c.type);
  pushUnequal(out, 'validated', e.validated, c.validated);
  if (e.columns !== undefined && !sameColumnList(e.columns, c.columns)) out.push({ property: 'columns', expected: e.columns, actual: c.columns });
  if (e.check !== undefined && (c.check === null || !sameExpression(e.check, c.check))) out.push({ property: 'check', expected: e.check, actual: c.check });
  return out;
}

export function evaluateConstraint(exp: Of<'constraint'>, ctx: EvalContext): CheckResult {
  const e = exp.entry;
  return evaluateTablePart(exp, 'constraint', e.constraint, e.table, e, (t) => t.constraints, (c) => constraintMismatches(e, c), ctx);
}

function indexMismatches(e: Of<'index'>['entry'], ix: Index): Mismatch[] {
  const out: Mismatch[] = [];
  pushUnequal(out, 'unique', e.unique, ix.unique);
  pushUnequal(out, 'primary', e.primary, ix.primary);
  pushUnequal(out, 'valid', e.valid, ix.valid);
  if (e.method !== undefined) pushUnequal(out, 'method', e.method.toLowerCase(), ix.method);
  if (e.columns !== undefined && !sameColumnList(e.columns, ix.columns)) out.push({ property: 'columns', expected: e.columns, actual: ix.columns });
  if (e.where !== undefined && (ix.where === null || !sameExpression(e.where, ix.where))) out.push({ property: 'where', expected: e.where, actual: ix.where });
  return out;
}

export function evaluateIndex(exp: Of<'index'>, ctx: EvalContext): CheckResult {
  const e = exp.entry;
  const tablePattern = e.table ? qualified(e.table) : ANY_TABLE;
  // An index lives in its table's schema: with a table given, an unqualified index name means that schema.
  const pattern = e.table && partCount(e.index) === 1 ? { ...qualified(e.index), schema: tablePattern.schema } : qualified(e.index);
  // Indexes of materialized views count too; a table identity narrows the search, and so does
  // a plain index name without one (only the relations holding an index of that name are read).
  const tables = (s: Snapshot, loose: boolean): string[] =>
    e.table || isGlob(pattern) ? findQualified(relationsOf(s), tablePattern, loose) : indexOwners(s, pattern.schema.text, pattern.name.text, loose);
  // The schema of the table last read (accept and keyOf ask it of the same table in turn).
  let lastTable: string | undefined;
  let lastSchema = '';
  const schemaOf = (table: string) => {
    if (table !== lastTable) {
      lastTable = table;
      lastSchema = unqualify(table).schema;
    }
    return lastSchema;
  };
  const { parts, byKey } = memoParts((s, loose) =>
    findParts(
      relationsOf(s) as Record<string, Table>,
      tables(s, loose),
      (t) => t.indexes,
      onlyName(pattern.name, loose),
      (name, table) => {
        const m = loose ? partMatchesLoosely : partMatches;
        return m(pattern.schema, schemaOf(table)) && m(pattern.name, name);
      },
      (name, table) => qualify(schemaOf(table), name),
    ),
  );
  return evaluateObjects(exp, {
    noun: 'index',
    written: e.table ? `${e.index} on ${e.table}` : e.index,
    glob: isGlob(pattern),
    exists: e.exists !== false,
    unchanged: e.unchanged,
    find: (s, loose) => parts(s, loose).map((p) => p.key),
    entry: (s, key) => byKey(s, key)?.value,
    check: (_key, at) => indexMismatches(e, parts(ctx.post, false)[at]!.value),
  }, ctx);
}

/** Splits `schema.table(col, col)` into the table pattern and the column names. */
function parseReference(written: string): { table: QualifiedPattern; columns?: string[] } {
  const open = written.indexOf('(');
  if (open < 0 || !written.trimEnd().endsWith(')')) return { table: qualified(written.trim()) };
  const columns = written
    .slice(open + 1, written.trimEnd().length - 1)
    .split(',')
    .map((c) => resolvePart(c.trim(), false).text);
  return { table: qualified(written.slice(0, open).trim()), columns };
}

export function evaluateForeignKey(exp: Of<'foreignKey'>, ctx: EvalContext): CheckResult {
  const fk = exp.entry.foreignKey;
  // Properties may sit inside the map or beside it (the validator forbids both); merged only
  // when some sit beside it.
  const beside = Object.keys(exp.entry).length > 1 ? Object.fromEntries(Object.entries(exp.entry).filter(([k]) => k !== 'foreignKey')) : undefined;
  const props = (beside ? { ...fk, ...beside } : fk) as typeof fk;
  const tablePattern = qualified(fk.table);
  const columns = fk.columns.map((c) => resolvePart(c, false).text);
  const ref = parseReference(fk.references);
  const namePart = fk.name ? resolvePart(fk.name) : undefined;
  const written = `${fk.table}(${fk.columns.join(', ')}) -> ${fk.references}${fk.name ? ` (${fk.name})` : ''}`;
  const { parts, byKey } = memoParts((s, loose) =>
    findParts(
      s.tables,
      findQualified(s.tables, tablePattern, loose),
      (t) => t.constraints,
      namePart ? onlyName(namePart, loose) : undefined,
      (name, _table, c) => {
        const r = c.references;
        return (
          c.type === 'foreign' &&
          !!r &&
          sameList(c.columns, columns) &&
          matchesQualified(ref.table, r.table, loose) &&
          (!ref.columns || sameList(r.columns, ref.columns)) &&
          (!namePart || (loose ? partMatchesLoosely : partMatches)(namePart, name))
        );
      },
      onTable,
    ),
  );
  return evaluateObjects(exp, {
    noun: 'foreign key',
    written,
    glob: isGlob(tablePattern) || isGlob(ref.table),
    exists: props.exists !== false,
    find: (s, loose) => parts(s, loose).map((p) => p.key),
    entry: (s, key) => byKey(s, key)?.value,
    check: (_key, at) => {
      const c = parts(ctx.post, false)[at]!.value;
      const r = c.references!;
      const out: Mismatch[] = [];
      if (props.onDelete !== undefined) pushUnequal(out, 'onDelete', keyword(props.onDelete), r.onDelete);
      if (props.onUpdate !== undefined) pushUnequal(out, 'onUpdate', keyword(props.onUpdate), r.onUpdate);
      pushUnequal(out, 'validated', props.validated, c.validated);
      pushUnequal(out, 'deferrable', props.deferrable, c.deferrable);
      return out;
    },
    hint: (s) => {
      const onColumns = findParts(s.tables, findQualified(s.tables, tablePattern, false), (t) => t.constraints, undefined, (_n, _t, c) => {
        return c.type === 'foreign' && sameList(c.columns, columns);
      }, onTable)[0];
      return onColumns ? `${onColumns.key} references ${onColumns.value.references!.table}(${onColumns.value.references!.columns.join(', ')})` : undefined;
    },
  }, ctx);
}
