// One list of assertions, rendered twice: as a pgTAP script and as a pgspec spec, so both tools
// check exactly the same things. The list is drawn (with a fixed seed) from a snapshot of the
// database, so every assertion holds there and both sides must report them all as passed.
import type { Snapshot } from '../../src/snapshot/types.ts';
import { unqualify } from '../../src/spec/names.ts';

/** An Assertion is one check, named after the pgTAP function that makes it. */
export type Assertion =
  | { kind: 'has_table'; schema: string; table: string }
  | { kind: 'hasnt_table'; schema: string; table: string }
  | { kind: 'col_type_is'; schema: string; table: string; column: string; type: string }
  | { kind: 'col_not_null'; schema: string; table: string; column: string }
  | { kind: 'fk_ok'; schema: string; table: string; columns: string[]; refSchema: string; refTable: string; refColumns: string[] }
  | { kind: 'has_index'; schema: string; table: string; index: string; columns: string[] }
  | { kind: 'trigger_is'; schema: string; table: string; trigger: string; funcSchema: string; func: string }
  | { kind: 'policies_are'; schema: string; table: string; policies: string[] }
  | { kind: 'enum_has_labels'; schema: string; enum: string; labels: string[] };

/** How often each kind is drawn (relative weights). */
const MIX: [Assertion['kind'], number][] = [
  ['has_table', 15],
  ['hasnt_table', 5],
  ['col_type_is', 20],
  ['col_not_null', 15],
  ['fk_ok', 10],
  ['has_index', 10],
  ['trigger_is', 10],
  ['policies_are', 10],
  ['enum_has_labels', 5],
];

/** A small seeded PRNG (mulberry32): the same list on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws `count` assertions that hold in the snapshot, in the MIX proportions (kinds with nothing to assert are skipped). */
export function drawAssertions(snapshot: Snapshot, count: number, seed = 7): Assertion[] {
  const rand = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  // Ordinary tables only: pgTAP's has_table does not count partitioned tables as tables in every version.
  const tables = Object.keys(snapshot.tables).filter((k) => snapshot.tables[k]!.kind === 'table');
  const withFk = tables.filter((k) => Object.values(snapshot.tables[k]!.constraints).some((c) => c.type === 'foreign'));
  const withIndex = tables.filter((k) => Object.values(snapshot.tables[k]!.indexes).some((ix) => ix.columns.every((c) => !c.includes('('))));
  // pgTAP's trigger_is needs a function it can name by schema and name.
  const withTrigger = tables.filter((k) => Object.keys(snapshot.tables[k]!.triggers).length > 0);
  const withNotNull = tables.filter((k) => Object.values(snapshot.tables[k]!.columns).some((c) => !c.nullable));
  const enums = Object.keys(snapshot.enums);
  const available: Record<Assertion['kind'], boolean> = {
    has_table: tables.length > 0,
    hasnt_table: tables.length > 0,
    col_type_is: tables.length > 0,
    col_not_null: withNotNull.length > 0,
    fk_ok: withFk.length > 0,
    has_index: withIndex.length > 0,
    trigger_is: withTrigger.length > 0,
    policies_are: tables.length > 0,
    enum_has_labels: enums.length > 0,
  };
  const mix = MIX.filter(([kind]) => available[kind]);
  const total = mix.reduce((sum, [, w]) => sum + w, 0);
  const drawKind = (): Assertion['kind'] => {
    let r = rand() * total;
    for (const [kind, w] of mix) if ((r -= w) < 0) return kind;
    return mix[mix.length - 1]![0];
  };

  const out: Assertion[] = [];
  while (out.length < count) {
    const kind = drawKind();
    switch (kind) {
      case 'has_table': {
        const { schema, name } = unqualify(pick(tables));
        out.push({ kind, schema, table: name });
        break;
      }
      case 'hasnt_table': {
        const { schema, name } = unqualify(pick(tables));
        out.push({ kind, schema, table: `${name}_gone_${out.length}` });
        break;
      }
      case 'col_type_is':
      case 'col_not_null': {
        const key = pick(kind === 'col_type_is' ? tables : withNotNull);
        const { schema, name } = unqualify(key);
        const columns = Object.entries(snapshot.tables[key]!.columns).filter(([, c]) => kind === 'col_type_is' || !c.nullable);
        const [column, col] = pick(columns);
        out.push(kind === 'col_type_is' ? { kind, schema, table: name, column, type: col.type } : { kind, schema, table: name, column });
        break;
      }
      case 'fk_ok': {
        const key = pick(withFk);
        const { schema, name } = unqualify(key);
        const fk = pick(Object.values(snapshot.tables[key]!.constraints).filter((c) => c.type === 'foreign'));
        const ref = unqualify(fk.references!.table);
        out.push({ kind, schema, table: name, columns: fk.columns, refSchema: ref.schema, refTable: ref.name, refColumns: fk.references!.columns });
        break;
      }
      case 'has_index': {
        const key = pick(withIndex);
        const { schema, name } = unqualify(key);
        const [index, ix] = pick(Object.entries(snapshot.tables[key]!.indexes).filter(([, i]) => i.columns.every((c) => !c.includes('('))));
        out.push({ kind, schema, table: name, index, columns: ix.columns });
        break;
      }
      case 'trigger_is': {
        const key = pick(withTrigger);
        const { schema, name } = unqualify(key);
        const [trigger, tg] = pick(Object.entries(snapshot.tables[key]!.triggers));
        const fn = unqualify(tg.function);
        out.push({ kind, schema, table: name, trigger, funcSchema: fn.schema, func: fn.name });
        break;
      }
      case 'policies_are': {
        const key = pick(tables);
        const { schema, name } = unqualify(key);
        out.push({ kind, schema, table: name, policies: Object.keys(snapshot.tables[key]!.policies) });
        break;
      }
      case 'enum_has_labels': {
        const key = pick(enums);
        const { schema, name } = unqualify(key);
        out.push({ kind, schema, enum: name, labels: snapshot.enums[key]!.labels });
        break;
      }
    }
  }
  return out;
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
const arr = (list: string[]) => (list.length === 0 ? `'{}'::name[]` : `ARRAY[${list.map(lit).join(', ')}]::name[]`);

/** A type as format_type() prints it for a session whose search_path holds public (psql's default), as pgTAP compares it. */
const typeForPgTap = (type: string) => type.replace(/^public\./, '');

/** The pgTAP script: one transaction, a plan, one SELECT per assertion, finish(); run by psql as pg_prove would. */
export function pgTapScript(assertions: Assertion[]): string {
  const lines = ['BEGIN;', `SELECT plan(${assertions.length});`];
  for (const a of assertions) {
    const d = lit(`${a.kind} ${a.schema}`);
    switch (a.kind) {
      case 'has_table':
        lines.push(`SELECT has_table(${lit(a.schema)}::name, ${lit(a.table)}::name, ${d});`);
        break;
      case 'hasnt_table':
        lines.push(`SELECT hasnt_table(${lit(a.schema)}::name, ${lit(a.table)}::name, ${d});`);
        break;
      case 'col_type_is':
        lines.push(`SELECT col_type_is(${lit(a.schema)}, ${lit(a.table)}, ${lit(a.column)}, ${lit(typeForPgTap(a.type))}, ${d});`);
        break;
      case 'col_not_null':
        lines.push(`SELECT col_not_null(${lit(a.schema)}, ${lit(a.table)}, ${lit(a.column)}, ${d});`);
        break;
      case 'fk_ok':
        lines.push(`SELECT fk_ok(${lit(a.schema)}, ${lit(a.table)}, ${arr(a.columns)}, ${lit(a.refSchema)}, ${lit(a.refTable)}, ${arr(a.refColumns)}, ${d});`);
        break;
      case 'has_index':
        lines.push(`SELECT has_index(${lit(a.schema)}, ${lit(a.table)}, ${lit(a.index)}, ${arr(a.columns)}, ${d});`);
        break;
      case 'trigger_is':
        lines.push(`SELECT trigger_is(${lit(a.schema)}, ${lit(a.table)}, ${lit(a.trigger)}, ${lit(a.funcSchema)}, ${lit(a.func)}, ${d});`);
        break;
      case 'policies_are':
        lines.push(`SELECT policies_are(${lit(a.schema)}, ${lit(a.table)}, ${arr(a.policies)}, ${d});`);
        break;
      case 'enum_has_labels':
        lines.push(`SELECT enum_has_labels(${lit(a.schema)}, ${lit(a.enum)}, ${arr(a.labels)}, ${d});`);
        break;
    }
  }
  lines.push('SELECT * FROM finish();', 'ROLLBACK;');
  return `${lines.join('\n')}\n`;
}

/** A name part as a spec writes it: quoted unless it is a plain lower-case identifier. */
const part = (name: string) => (/^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`);
const q = (schema: string, name: string) => `${part(schema)}.${part(name)}`;
/** A YAML scalar, double-quoted (JSON strings are valid YAML). */
const y = (s: string) => JSON.stringify(s);
const yList = (list: string[]) => `[${list.map(y).join(', ')}]`;

/** The same assertions as one pgspec spec (YAML), checked in the post phase. */
export function pgspecSpec(name: string, assertions: Assertion[]): string {
  const lines = [`name: ${name}`, 'post:'];
  for (const a of assertions) {
    switch (a.kind) {
      case 'has_table':
        lines.push(`  - table: ${y(q(a.schema, a.table))}`);
        break;
      case 'hasnt_table':
        lines.push(`  - table: ${y(q(a.schema, a.table))}`, '    exists: false');
        break;
      case 'col_type_is':
        lines.push(`  - column: ${y(`${q(a.schema, a.table)}.${part(a.column)}`)}`, `    type: ${y(a.type)}`);
        break;
      case 'col_not_null':
        lines.push(`  - column: ${y(`${q(a.schema, a.table)}.${part(a.column)}`)}`, '    nullable: false');
        break;
      case 'fk_ok':
        lines.push(
          '  - foreignKey:',
          `      table: ${y(q(a.schema, a.table))}`,
          `      columns: ${yList(a.columns.map(part))}`,
          `      references: ${y(`${q(a.refSchema, a.refTable)}(${a.refColumns.map(part).join(', ')})`)}`,
        );
        break;
      case 'has_index':
        lines.push(`  - index: ${y(q(a.schema, a.index))}`, `    table: ${y(q(a.schema, a.table))}`, `    columns: ${yList(a.columns.map(part))}`);
        break;
      case 'trigger_is':
        lines.push(`  - trigger: ${y(part(a.trigger))}`, `    table: ${y(q(a.schema, a.table))}`, `    function: ${y(q(a.funcSchema, a.func))}`);
        break;
      case 'policies_are':
        lines.push(`  - table: ${y(q(a.schema, a.table))}`, `    policies: ${yList(a.policies.map(part))}`);
        break;
      case 'enum_has_labels':
        lines.push(`  - enum: ${y(q(a.schema, a.enum))}`, `    labels: ${yList(a.labels)}`);
        break;
    }
  }
  return `${lines.join('\n')}\n`;
}
