import { diffValues } from '../snapshot/diff.ts';
import type { Column, Snapshot, Table } from '../snapshot/types.ts';
import type { ColumnProps, Expectation, RowsValue } from '../spec/model.ts';
import {
  isGlob,
  parseColumnName,
  parseQualified,
  partMatches,
  partMatchesLoosely,
  quoteIfNeeded,
  resolvePart,
  splitName,
  unqualify,
  type QualifiedPattern,
} from '../spec/names.ts';
import { columnByKey, lookupQualified, relationsOf, viewsOfKind } from './lookup.ts';
import { sameExpression, sameType } from './sql-text.ts';
import { evaluateObjects, expectEqual, expectSameSet, keyword, NotEvaluable, type EvalContext } from './objects.ts';
import type { CheckResult, Mismatch } from './result.ts';

type Of<K extends Expectation['kind']> = Extract<Expectation, { kind: K }>;

/** Keys of a keyed map that match a qualified pattern, sorted (a name lookup unless the pattern is a glob). */
export function findQualified(map: Record<string, unknown>, pattern: QualifiedPattern, loose: boolean): string[] {
  return lookupQualified(map, pattern, loose);
}

/** How many dotted parts a name has (splitName's count; a name without quotes splits at every dot). */
export function partCount(written: string): number {
  if (written.includes('"')) return splitName(written).length;
  let n = 1;
  for (let i = written.indexOf('.'); i >= 0; i = written.indexOf('.', i + 1)) n++;
  return n;
}

/** Parses a name the validator already accepted (so it has at most two parts). */
export function qualified(written: string): QualifiedPattern {
  const pattern = parseQualified(written);
  if (!pattern) throw new Error(`invalid name ${written}`);
  return pattern;
}

/** The relation kind of a key, for hints like "public.x is a view". */
function otherRelationHint(snapshot: Snapshot, pattern: QualifiedPattern, except: 'table' | 'view' | 'materializedView'): string | undefined {
  if (except !== 'table') {
    const t = findQualified(snapshot.tables, pattern, false)[0];
    if (t) return `${t} is a table`;
  }
  // A view asked for as a materialized view (or the reverse) is named too.
  const others = except === 'table' ? snapshot.views : viewsOfKind(snapshot, except === 'view' ? 'materializedView' : 'view');
  const v = findQualified(others, pattern, false)[0];
  if (v) return `${v} is a ${snapshot.views[v]!.kind === 'view' ? 'view' : 'materialized view'}`;
  return undefined;
}

/** Checks the `rows` property against a count taken for this table. */
export function rowsMismatches(rows: RowsValue | undefined, key: string, ctx: EvalContext): Mismatch[] {
  if (rows === undefined) return [];
  const count = ctx.post.rowCounts[key];
  const why = ctx.post.countErrors?.[key];
  if (count === undefined) throw new NotEvaluable(why === undefined ? `no row count was taken for ${key}` : `cannot count the rows of ${key}: ${why}`);
  if (rows === 'preserved') {
    if (!ctx.pre) throw new NotEvaluable('rows: preserved needs the pre state (--baseline)');
    const before = ctx.pre.rowCounts[key];
    const whyBefore = ctx.pre.countErrors?.[key];
    if (before === undefined) throw new NotEvaluable(`the pre state has no row count for ${key}${whyBefore === undefined ? '' : `: ${whyBefore}`}`);
    return count === before ? [] : [{ property: 'rows', expected: before, actual: count, message: `rows ${count}, expected ${before} as before (preserved)` }];
  }
  if (rows === 'empty') return count === 0 ? [] : [{ property: 'rows', expected: 0, actual: count, message: `rows ${count}, expected empty` }];
  if (typeof rows === 'number') return count === rows ? [] : [{ property: 'rows', expected: rows, actual: count, message: `rows ${count}, expected ${rows}` }];
  const { min, max } = rows;
  if ((min !== undefined && count < min) || (max !== undefined && count > max)) {
    const range = [min !== undefined ? `>= ${min}` : '', max !== undefined ? `<= ${max}` : ''].filter(Boolean).join(' and ');
    return [{ property: 'rows', expected: rows, actual: count, message: `rows ${count}, expected ${range}` }];
  }
  return [];
}

/** Property checks shared by `column` entries and a table's `columns` map. */
export function columnMismatches(props: ColumnProps, col: Column, prefix = ''): Mismatch[] {
  const out: Mismatch[] = [];
  // Property names are built for mismatches only.
  const p = (name: string) => `${prefix}${name}`;
  if (props.type !== undefined && !sameType(props.type, col.type)) out.push({ property: p('type'), expected: props.type, actual: col.type });
  if (props.nullable !== undefined && props.nullable !== col.nullable) out.push({ property: p('nullable'), expected: props.nullable, actual: col.nullable });
  if (props.default !== undefined) {
    if (props.default === true && col.default === null) out.push({ property: p('default'), expected: 'a default', actual: null, message: `${p('default')}: none, expected a default` });
    if (props.default === false && col.default !== null) out.push({ property: p('default'), expected: null, actual: col.default, message: `${p('default')} is ${col.default}, expected none` });
    if (typeof props.default === 'string' && (col.default === null || !sameExpression(props.default, col.default))) {
      out.push({ property: p('default'), expected: props.default, actual: col.default });
    }
  }
  if (props.identity !== undefined) {
    const want = props.identity === false ? null : keyword(props.identity);
    if (want !== col.identity) out.push({ property: p('identity'), expected: props.identity, actual: col.identity ?? false });
  }
  if (props.generated !== undefined) {
    const isStored = col.generated !== null;
    if ((props.generated === 'stored') !== isStored) out.push({ property: p('generated'), expected: props.generated, actual: isStored ? 'stored' : false });
  }
  return out;
}

function rlsMismatches(rls: Of<'table'>['entry']['rls'], t: Table): Mismatch[] {
  if (rls === undefined) return [];
  const actual = t.rls.enabled ? (t.rls.forced ? 'forced' : 'enabled') : 'disabled';
  if (typeof rls === 'string') {
    const ok = rls === 'enabled' ? t.rls.enabled : rls === 'forced' ? t.rls.enabled && t.rls.forced : !t.rls.enabled;
    return ok ? [] : [{ property: 'rls', expected: rls, actual }];
  }
  return [...expectEqual('rls.enabled', rls.enabled, t.rls.enabled), ...expectEqual('rls.forced', rls.forced, t.rls.forced)];
}

function tableMismatches(entry: Of<'table'>['entry'], key: string, t: Table, ctx: EvalContext): Mismatch[] {
  // rowsMismatches returns a fresh list: the other checks add to it.
  const out = rowsMismatches(entry.rows, key, ctx);
  if (entry.rls !== undefined) out.push(...rlsMismatches(entry.rls, t));
  if (entry.columns) {
    for (const [written, props] of Object.entries(entry.columns)) {
      const name = resolvePart(written, false).text;
      const col = t.columns[name];
      const shown = quoteIfNeeded(name);
      if (props.exists === false) {
        if (col) out.push({ property: `columns.${shown}`, expected: 'absent', actual: 'present', message: `column ${shown} exists, expected it to be absent` });
        continue;
      }
      if (!col) {
        const loose = Object.keys(t.columns).find((c) => c.toLowerCase() === name.toLowerCase());
        out.push({ property: `columns.${shown}`, expected: 'present', actual: 'absent', message: `column ${shown} does not exist${loose ? ` (did you mean ${quoteIfNeeded(loose)}?)` : ''}` });
        continue;
      }
      out.push(...columnMismatches(props, col, `column ${shown} `));
      if (props.unchanged) {
        if (!ctx.pre) throw new NotEvaluable(`column ${shown} unchanged needs the pre state (--baseline)`);
        const before = ctx.pre.tables[key]?.columns[name];
        const changes = before ? diffValues(before, col) : ['did not exist in the pre state'];
        if (changes.length > 0) out.push({ property: `columns.${shown}`, expected: before ?? 'present before', actual: col, message: `column ${shown} changed since the pre state: ${changes.join('; ')}` });
      }
    }
  }
  if (entry.exactColumns) {
    const want = Object.entries(entry.columns ?? {})
      .filter(([, props]) => props.exists !== false)
      .map(([n]) => resolvePart(n, false).text);
    out.push(...expectSameSet('columns', want, Object.keys(t.columns)));
  }
  if (entry.primaryKey !== undefined) {
    const pk = Object.values(t.constraints).find((c) => c.type === 'primary');
    if (typeof entry.primaryKey === 'boolean') {
      if (entry.primaryKey !== !!pk) out.push({ property: 'primaryKey', expected: entry.primaryKey, actual: pk ? pk.columns : false, message: entry.primaryKey ? 'has no primary key' : `has a primary key (${pk!.columns.join(', ')}), expected none` });
    } else {
      const want = entry.primaryKey.map((c) => resolvePart(c, false).text);
      if (!pk || pk.columns.join('\0') !== want.join('\0')) out.push({ property: 'primaryKey', expected: want, actual: pk ? pk.columns : null, message: `primary key is ${pk ? `(${pk.columns.join(', ')})` : 'missing'}, expected (${want.join(', ')})` });
    }
  }
  if (entry.policies) out.push(...expectSameSet('policies', entry.policies.map((n) => resolvePart(n, false).text), Object.keys(t.policies)));
  if (entry.owner !== undefined) out.push(...expectEqual('owner', resolvePart(entry.owner, false).text, t.owner));
  return out;
}

export function evaluateTable(exp: Of<'table'>, ctx: EvalContext): CheckResult {
  const { entry } = exp;
  const pattern = qualified(entry.table);
  return evaluateObjects(exp, {
    noun: 'table',
    written: entry.table,
    glob: isGlob(pattern),
    exists: entry.exists !== false,
    unchanged: entry.unchanged,
    find: (s, loose) => findQualified(s.tables, pattern, loose),
    entry: (s, key) => s.tables[key],
    check: (key) => tableMismatches(entry, key, ctx.post.tables[key]!, ctx),
    hint: (s) => otherRelationHint(s, pattern, 'table'),
  }, ctx);
}

export function evaluateColumn(exp: Of<'column'>, ctx: EvalContext): CheckResult {
  const { entry } = exp;
  const parsed = parseColumnName(entry.column);
  if (!parsed) throw new Error(`invalid column name ${entry.column}`);
  // The columns found in each state (at most post and pre), in the order of their keys, for
  // check() and entry(); a map by key only when a glob found several. Lists are made with their
  // first item, not pushed to from empty (which reserves room for 17, 10,000 times over).
  let seen: { s: Snapshot; keys: string[]; columns: Column[]; byKey?: Map<string, Column> }[] = [];
  const find = (s: Snapshot, loose: boolean) => {
    const rels = relationsOf(s);
    const match = loose ? partMatchesLoosely : partMatches;
    // A plain column name is looked up; globs and suggestions read every column.
    const only = !loose && !parsed.column.glob ? parsed.column.text : undefined;
    let keys: string[] | undefined;
    let found: Column[] | undefined;
    for (const rel of findQualified(rels, parsed.table, loose)) {
      const columns = rels[rel]!.columns;
      const names = only === undefined ? Object.keys(columns).filter((c) => match(parsed.column, c)) : Object.hasOwn(columns, only) ? [only] : [];
      for (const c of names) {
        const key = `${rel}.${quoteIfNeeded(c)}`;
        if (keys && found) {
          keys.push(key);
          found.push(columns[c]!);
        } else {
          keys = [key];
          found = [columns[c]!];
        }
      }
    }
    keys ??= [];
    if (!loose && !seen.some((e) => e.s === s)) seen = seen.concat({ s, keys, columns: found ?? [] });
    return keys;
  };
  const columnOf = (s: Snapshot, key: string): Column | undefined => {
    const e = seen.find((x) => x.s === s);
    if (e) {
      if (e.keys.length === 1 && e.keys[0] === key) return e.columns[0];
      if (e.keys.length > 1) {
        e.byKey ??= new Map(e.keys.map((k, i) => [k, e.columns[i]!] as const));
        const column = e.byKey.get(key);
        if (column) return column;
      }
    }
    return columnByKey(s, key);
  };
  return evaluateObjects(exp, {
    noun: 'column',
    written: entry.column,
    glob: isGlob(parsed.table) || parsed.column.glob,
    exists: entry.exists !== false,
    unchanged: entry.unchanged,
    find,
    entry: (s, key) => columnOf(s, key),
    // find(post) ran first and recorded what it found, in the order `at` counts.
    check: (_key, at) => columnMismatches(entry, seen.find((x) => x.s === ctx.post)!.columns[at]!),
  }, ctx);
}

export function evaluateView(exp: Of<'view'> | Of<'materializedView'>, ctx: EvalContext): CheckResult {
  const written = exp.kind === 'view' ? exp.entry.view : exp.entry.materializedView;
  const pattern = qualified(written);
  const views = (s: Snapshot) => viewsOfKind(s, exp.kind);
  return evaluateObjects(exp, {
    noun: exp.kind === 'view' ? 'view' : 'materialized view',
    written,
    glob: isGlob(pattern),
    exists: exp.entry.exists !== false,
    unchanged: exp.entry.unchanged,
    find: (s, loose) => findQualified(views(s), pattern, loose),
    entry: (s, key) => s.views[key],
    check: () => [],
    hint: (s) => otherRelationHint(s, pattern, exp.kind),
  }, ctx);
}

export function evaluateSequence(exp: Of<'sequence'>, ctx: EvalContext): CheckResult {
  const pattern = qualified(exp.entry.sequence);
  return evaluateObjects(exp, {
    noun: 'sequence',
    written: exp.entry.sequence,
    glob: isGlob(pattern),
    exists: exp.entry.exists !== false,
    unchanged: exp.entry.unchanged,
    find: (s, loose) => findQualified(s.sequences, pattern, loose),
    entry: (s, key) => s.sequences[key],
    check: () => [],
  }, ctx);
}

/** Everything a schema holds, for `unchanged` on a schema. */
function schemaContents(s: Snapshot, schema: string) {
  const inSchema = <T>(map: Record<string, T>) =>
    Object.fromEntries(Object.entries(map).filter(([key]) => unqualify(key).schema === schema));
  return {
    owner: s.schemas[schema]?.owner,
    tables: inSchema(s.tables),
    views: inSchema(s.views),
    routines: Object.fromEntries(Object.entries(s.routines).filter(([, r]) => r.schema === schema)),
    enums: inSchema(s.enums),
    sequences: inSchema(s.sequences),
  };
}

export function evaluateSchema(exp: Of<'schema'>, ctx: EvalContext): CheckResult {
  const part = resolvePart(exp.entry.schema);
  return evaluateObjects(exp, {
    noun: 'schema',
    written: exp.entry.schema,
    glob: part.glob,
    exists: exp.entry.exists !== false,
    unchanged: exp.entry.unchanged,
    // Keys are quoted when SQL needs it (`"Reporting"`), so a suggestion reads as the name must be written.
    find: (s, loose) => Object.keys(s.schemas).filter((n) => (loose ? partMatchesLoosely : partMatches)(part, n)).sort().map(quoteIfNeeded),
    entry: (s, key) => schemaContents(s, resolvePart(key, false).text),
    check: (key) => (exp.entry.owner === undefined ? [] : expectEqual('owner', resolvePart(exp.entry.owner, false).text, ctx.post.schemas[resolvePart(key, false).text]!.owner)),
  }, ctx);
}
