import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initSqlParser } from '../../src/check/sql-text.ts';
import { PgspecError, SpecError } from '../../src/errors.ts';
import { evaluateSpecs } from '../../src/run/check.ts';
import { serializeSnapshot } from '../../src/snapshot/serialize.ts';
import type { Snapshot } from '../../src/snapshot/types.ts';
import { isPlainYaml, parseYamlSpec } from '../../src/spec/load.ts';
import type { Spec } from '../../src/spec/model.ts';
import { validateSpec } from '../../src/spec/validate.ts';
import { connectionError } from '../../src/targets/live.ts';
import { redact, registerUrlSecret, safeUrl } from '../../src/targets/redact.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { captureState } from '../support/evaluate.ts';
import { runCli, tempFiles } from '../support/cli.ts';
import { ODD_COLUMNS, ODD_SCHEMA, ODD_TABLES, oddFixture, specPart } from './odd-identifiers.ts';
import { STACK, tally } from './support.ts';

// Property-based tests (issue #5, 5): random and mutated specs, starting from valid spec objects
// and the example spec, fed to the loader (as objects and as YAML text) and to the evaluator
// (against a state captured once from a real database with odd identifiers). The loader either
// returns a Spec or throws a SpecError naming the file (and the key path where there is one);
// the evaluator always returns one result with a state per expectation. At least 1,000 cases
// each (PGSPEC_PROPERTY_RUNS raises it); the counts are printed.

const RUNS = Math.max(1_000, Number(process.env.PGSPEC_PROPERTY_RUNS ?? 0));
const FILE = 'prop.spec.yaml';
const figures = tally('property');

// --- generators ---

const oddPart = fc.oneof(
  fc.constantFrom(...ODD_TABLES, ...ODD_COLUMNS, ODD_SCHEMA, 'orders', 'public', 'auth', 'users', 'victims', '*', 'odd*', 'v?'),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
);
/** A name part as a spec may write it: plain, double-quoted with "" escapes, or a glob. */
const namePart = fc.oneof(
  oddPart.map(specPart),
  fc.constantFrom('orders', 'public', 'Users', 'documents', '*', 'victims', 'odd_*'),
  oddPart,
);
const qualified = fc.oneof(fc.tuple(namePart, namePart).map(([a, b]) => `${a}.${b}`), namePart);
const columnName = fc.tuple(namePart, namePart, namePart).map(([a, b, c]) => `${a}.${b}.${c}`);
const typeName = fc.constantFrom('integer', 'int', 'text', 'numeric(12,2)', 'varchar(40)', 'timestamptz', 'public.mood', 'bigint[]', 'boolean');
const rows = fc.oneof(fc.nat(), fc.constant('empty'), fc.constant('preserved'), fc.record({ min: fc.nat(100) }, { requiredKeys: [] }), fc.record({ min: fc.nat(5), max: fc.nat(100) }));
const sqlText = fc.oneof(
  fc.constantFrom('select 1', 'select count(*) from public.victims', `select count(*) from ${'"Odd Schema"."we""ird"'}`, 'delete from public.victims', 'select * from nowhere'),
  fc.string({ maxLength: 40 }),
);

const entry = fc.oneof(
  fc.record({ table: qualified, exists: fc.boolean(), rows }, { requiredKeys: ['table'] }),
  fc.record({ table: qualified, columns: fc.dictionary(namePart, fc.record({ type: typeName, nullable: fc.boolean() }, { requiredKeys: [] }), { maxKeys: 3 }) }),
  fc.record({ table: qualified, rls: fc.constantFrom('enabled', 'forced', 'disabled'), primaryKey: fc.oneof(fc.boolean(), fc.array(namePart, { maxLength: 2 })) }, { requiredKeys: ['table'] }),
  fc.record({ column: columnName, type: typeName, nullable: fc.boolean(), default: fc.oneof(fc.boolean(), fc.constant('0')) }, { requiredKeys: ['column'] }),
  fc.record({ schema: namePart, exists: fc.boolean() }, { requiredKeys: ['schema'] }),
  fc.record({ view: qualified }),
  fc.record({ index: qualified, table: qualified, unique: fc.boolean() }, { requiredKeys: ['index'] }),
  fc.record({ policy: namePart, table: qualified, command: fc.constantFrom('select', 'all', 'INSERT'), using: fc.constantFrom('true', 'owner = auth.uid()', '"select" > 0') }, { requiredKeys: ['policy', 'table'] }),
  fc.record({ trigger: namePart, table: qualified, timing: fc.constantFrom('before', 'after'), events: fc.subarray(['insert', 'update', 'delete']) }, { requiredKeys: ['trigger', 'table'] }),
  fc.record({ function: fc.tuple(qualified, fc.array(typeName, { maxLength: 2 })).map(([n, a]) => `${n}(${a.join(', ')})`), returns: typeName }, { requiredKeys: ['function'] }),
  fc.record({ enum: qualified, labels: fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }) }, { requiredKeys: ['enum'] }),
  fc.record({ sequence: qualified }),
  fc.record({ extension: fc.constantFrom('pgcrypto', 'plpgsql', 'nope') }),
  fc.record({ role: fc.constantFrom('postgres', 'authenticated', 'nobody') }),
  fc.record({ query: sqlText, equals: fc.oneof(fc.nat(), fc.string({ maxLength: 5 }), fc.boolean()) }),
  fc.record({ query: sqlText, count: fc.nat(5), as: fc.record({ role: fc.constantFrom('authenticated', 'postgres') }) }, { requiredKeys: ['query', 'count'] }),
  fc.record({ server: fc.record({ version: fc.constantFrom('>=15', '<10', '17.x', 'nonsense'), settings: fc.dictionary(fc.constantFrom('work_mem', 'TimeZone', 'data_directory'), fc.string({ maxLength: 6 }), { maxKeys: 2 }) }, { requiredKeys: [] }) }),
  fc.record({ foreignKey: fc.record({ table: qualified, columns: fc.array(namePart, { minLength: 1, maxLength: 2 }), references: qualified.map((t) => `${t}(id)`) }), onDelete: fc.constantFrom('cascade', 'set null', 'setNull') }, { requiredKeys: ['foreignKey'] }),
);

const validSpec = fc.record(
  {
    name: fc.string({ minLength: 1, maxLength: 20 }).filter((n) => n.trim() !== ''),
    description: fc.string({ maxLength: 20 }),
    pre: fc.array(entry, { maxLength: 4 }),
    post: fc.array(entry, { maxLength: 6 }),
    always: fc.array(entry, { maxLength: 3 }),
  },
  { requiredKeys: ['name'] },
);

/** The example spec the package ships, as data: a realistic starting point to mutate. */
const EXAMPLE = parseYamlSpec(readFileSync('specs/example.spec.yaml', 'utf8'), 'example.spec.yaml');
const exampleRaw = JSON.parse(JSON.stringify(parse(readFileSync('specs/example.spec.yaml', 'utf8')))) as Json;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** One mutation of a JSON value at a random path: delete, rename, retype, add an unknown key, replace with junk. */
const mutation = fc.record({
  path: fc.array(fc.nat(20), { maxLength: 4 }),
  op: fc.constantFrom('delete', 'rename', 'replace', 'add', 'wrap', 'oddName'),
  junk: fc.oneof(fc.jsonValue({ maxDepth: 2 }), oddPart, fc.constantFrom(null, true, -1, 1.5, '', [], {}, 'exists', 'preserved')),
  // Names of Object.prototype members (`__proto__`, `constructor`, `toString`, ...) are left out
  // here: the loader still crashes on them (see the known-bug case below).
  key: fc.oneof(fc.constantFrom('exsts', 'rows', 'table', 'post', 'pre', 'name', 'x-template', '<<', 'query', 'as'), fc.string({ maxLength: 8 })).filter((k) => !(k in Object.prototype)),
});

function mutate(value: Json, m: { path: number[]; op: string; junk: unknown; key: string }): Json {
  const root = structuredClone(value);
  let parent: Json = root;
  for (const step of m.path) {
    const children = Array.isArray(parent) ? parent : parent !== null && typeof parent === 'object' ? Object.values(parent) : [];
    const next = children[step % Math.max(1, children.length)];
    if (next === undefined || next === null || typeof next !== 'object') break;
    parent = next;
  }
  const junk = m.junk as Json;
  if (Array.isArray(parent)) {
    const i = parent.length === 0 ? 0 : (m.path.at(-1) ?? 0) % parent.length;
    if (m.op === 'delete') parent.splice(i, 1);
    else if (m.op === 'wrap') parent[i] = [parent[i] ?? null];
    else parent.splice(i, 0, junk);
    return root;
  }
  if (parent === null || typeof parent !== 'object') return junk;
  const keys = Object.keys(parent);
  const key = keys[(m.path.at(-1) ?? 0) % Math.max(1, keys.length)];
  if (m.op === 'delete' && key !== undefined) delete parent[key];
  else if (m.op === 'rename' && key !== undefined) {
    const v = parent[key]!;
    delete parent[key];
    parent[m.key] = v;
  } else if (m.op === 'replace' && key !== undefined) parent[key] = junk;
  else if (m.op === 'wrap' && key !== undefined) parent[key] = { [m.key]: parent[key]! };
  else if (m.op === 'oddName' && key !== undefined) parent[key] = String(junk);
  else Object.defineProperty(parent, m.key, { value: junk, enumerable: true, writable: true, configurable: true });
  return root;
}

/** Text-level damage to YAML: insert, delete or repeat a slice; add anchors, aliases, tabs, odd bytes. */
const textDamage = fc.record({
  at: fc.nat(),
  length: fc.nat(30),
  insert: fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('&a ', '*a', '<<: *a\n', '\t', '"', "'", ': ', '- ', '\n  ', '{', '[', '#', '---\n', '\u0000', '\uFEFF', '\uFFFD', ' !!binary ', '!!js/function ', '&a [*a]')),
  op: fc.constantFrom('insert', 'delete', 'repeat'),
});

function damage(text: string, d: { at: number; length: number; insert: string; op: string }): string {
  const at = text.length === 0 ? 0 : d.at % text.length;
  if (d.op === 'delete') return text.slice(0, at) + text.slice(at + d.length);
  if (d.op === 'repeat') return text.slice(0, at + d.length) + text.slice(at, at + d.length) + text.slice(at + d.length);
  return text.slice(0, at) + d.insert + text.slice(at);
}

/** What the loader may do with any input: return a Spec, or throw a SpecError (or a PgspecError) that names the file. */
function expectCleanLoad(load: () => Spec): Spec | undefined {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof PgspecError)) throw new Error(`the loader threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    expect(error.exitCode).toBe(2);
    expect(error.message.startsWith(FILE)).toBe(true);
    if (error instanceof SpecError) {
      expect(error.file).toBe(FILE);
      expect(typeof error.keyPath).toBe('string');
      if (error.keyPath !== '') expect(error.message).toContain(`${error.keyPath}: `);
      if (error.line !== undefined) expect(error.line).toBeGreaterThanOrEqual(1);
    }
    return undefined;
  }
}

/** The valid part of a generated spec: each entry that loads on its own. */
function keepValid(spec: Record<string, Json[]>): Spec {
  const ok = (e: Json) => {
    try {
      validateSpec({ name: 'one', post: [e] }, FILE);
      return true;
    } catch {
      return false;
    }
  };
  const phases = Object.fromEntries((['pre', 'post', 'always'] as const).map((p) => [p, (spec[p] ?? []).filter(ok)]));
  try {
    return validateSpec({ name: 'valid part', ...phases }, FILE);
  } catch {
    return validateSpec({ name: 'valid part' }, FILE);
  }
}

let db: TestDatabase;
let state: Snapshot;
const counts = { objects: 0, valid: 0, yaml: 0, evaluated: 0, expectations: 0, cli: 0, redact: 0 };

beforeAll(async () => {
  await initSqlParser();
  db = await createTestDatabase(oddFixture(), 'prop');
  // Counted: every table of the odd schema; queries are recorded for the fixed ones.
  state = await captureState(db.url, [`- table: ${JSON.stringify(`${specPart(ODD_SCHEMA)}.*`)}\n  rows: 1`, '- table: public.victims\n  rows: 1', '- query: select count(*) from public.victims\n  equals: 5'], { countAll: true });
});

afterAll(async () => {
  await db?.drop();
  console.log(
    `property: ${counts.objects} spec objects and ${counts.yaml} YAML texts loaded (${counts.valid} valid), ${counts.evaluated} specs with ${counts.expectations} expectations evaluated, ${counts.cli} CLI runs, ${counts.redact} passwords masked`,
  );
  figures.figures.inputs += counts.objects + counts.yaml + counts.evaluated + counts.cli + counts.redact;
  figures.print();
});

describe('the loader never crashes', () => {
  it(`random and mutated spec objects: a Spec or a SpecError naming file and key path (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(fc.oneof(validSpec.map((s) => s as unknown as Json), fc.constant(exampleRaw as Json)), fc.array(mutation, { maxLength: 3 }), (spec, ms) => {
        const raw = ms.reduce((v, m) => mutate(v, m), spec);
        counts.objects++;
        if (expectCleanLoad(() => validateSpec(raw, FILE))) counts.valid++;
      }),
      { numRuns: RUNS },
    );
    expect(counts.objects).toBeGreaterThanOrEqual(RUNS);
  });

  it(`random and damaged YAML texts: a Spec or a SpecError with file and line (${RUNS} cases)`, () => {
    const example = readFileSync('specs/example.spec.yaml', 'utf8');
    fc.assert(
      fc.property(
        fc.oneof(validSpec.map((s) => stringify(s)), fc.constant(example), fc.string({ maxLength: 200 })),
        fc.array(textDamage, { maxLength: 3 }),
        (text, ds) => {
          counts.yaml++;
          expectCleanLoad(() => parseYamlSpec(ds.reduce(damage, text), FILE));
        },
      ),
      { numRuns: RUNS },
    );
    expect(counts.yaml).toBeGreaterThanOrEqual(RUNS);
  });
});

/** A load's outcome, comparable: the Spec, or the message of the error it threw. */
function outcome(load: () => Spec): { spec: Spec } | { error: string } {
  try {
    return { spec: load() };
  } catch (error) {
    return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

describe('the fast YAML reading (js-yaml) gives what the full reading (the yaml package) gives', () => {
  it(`random specs in block and flow style, damaged or not: the same Spec (lines included) or the same error (${RUNS} cases)`, () => {
    const example = readFileSync('specs/example.spec.yaml', 'utf8');
    let compared = 0;
    let valid = 0;
    let fast = 0;
    fc.assert(
      fc.property(
        fc.oneof(
          validSpec.map((s) => stringify(s)),
          validSpec.map((s) => stringify(s, { collectionStyle: 'flow' })),
          validSpec.map((s) => stringify(s, { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' })),
          validSpec.map((s) => stringify(s, { indent: 4, indentSeq: false })),
          fc.constant(example),
        ),
        fc.array(textDamage, { maxLength: 2 }),
        (text, ds) => {
          const damaged = ds.reduce(damage, text);
          const full = outcome(() => parseYamlSpec(damaged, FILE, { fast: false }));
          expect(outcome(() => parseYamlSpec(damaged, FILE))).toEqual(full);
          compared++;
          if ('spec' in full) valid++;
          if (isPlainYaml(damaged)) fast++;
        },
      ),
      // A fixed seed by default, so that a rare difference found later does not make CI flaky
      // (PGSPEC_PROPERTY_SEED=random explores other cases; so does raising PGSPEC_PROPERTY_RUNS).
      { numRuns: RUNS, ...(process.env.PGSPEC_PROPERTY_SEED === 'random' ? {} : { seed: Number(process.env.PGSPEC_PROPERTY_SEED ?? 20261122) }) },
    );
    console.log(`fast YAML reading: ${compared} texts compared with the full reading (${valid} valid specs, ${fast} plain enough for the fast path)`);
    expect(valid).toBeGreaterThan(RUNS / 4);
    expect(fast).toBeGreaterThan(RUNS / 3);
  });
});

describe('keys named like Object.prototype members (found by this test)', () => {
  // `__proto__` (an own key after JSON.parse and YAML), `toString`, `constructor` once found
  // the prototype's member in the loader's key lookup and crashed with a TypeError.
  it('a "__proto__" key is a spec error naming file and key, not a crash', () => {
    expectCleanLoad(() => validateSpec(JSON.parse('{"name":"x","post":[{"table":"t","rows":{"__proto__":{}}}]}') as unknown, FILE));
  });
  it('a "toString" key inside a columns map is a spec error, not a crash', () => {
    expectCleanLoad(() => validateSpec({ name: 'x', post: [{ table: 't', columns: { id: { toString: {} } } }] }, FILE));
  });
});

describe('the evaluator never crashes', () => {
  it(`every valid random spec gets one result with a state per expectation, against a real state with odd names (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(validSpec, fc.boolean(), fc.array(mutation, { maxLength: 2 }), (spec, withPre, ms) => {
        const raw = ms.reduce((v, m) => mutate(v, m), spec as unknown as Json);
        // Mutations and random names may make it invalid: then the entries that are valid on their own.
        const loaded = expectCleanLoad(() => validateSpec(raw, FILE)) ?? keepValid(spec as unknown as Record<string, Json[]>);
        for (const phase of ['pre', 'post'] as const) {
          const [result] = evaluateSpecs([loaded], phase, state, withPre ? state : undefined);
          const expected = (phase === 'pre' ? loaded.pre : loaded.post).length + loaded.always.length;
          expect(result!.results).toHaveLength(expected);
          for (const r of result!.results) {
            expect(['passed', 'failed', 'errored']).toContain(r.state);
            expect(typeof r.message).toBe('string');
          }
          counts.expectations += expected;
        }
        counts.evaluated++;
      }),
      { numRuns: RUNS },
    );
    // The example spec too, as a sanity check that the state is the real one.
    expect(evaluateSpecs([EXAMPLE], 'post', state)[0]!.results.length).toBeGreaterThan(0);
    expect(counts.evaluated).toBeGreaterThanOrEqual(RUNS);
  });
});

describe('the CLI exits 0, 1 or 2, never a crash', () => {
  it('mutated specs through `pgspec check` against a snapshot: exit 2 exactly when the loader refuses the spec (200 cases)', async () => {
    const dir = tempFiles({});
    const snapshot = join(dir, 'odd.snapshot.json');
    writeFileSync(snapshot, serializeSnapshot(state));
    await fc.assert(
      fc.asyncProperty(validSpec, fc.array(textDamage, { maxLength: 2 }), async (spec, ds) => {
        const text = ds.reduce(damage, stringify(spec));
        const file = join(dir, 'p.spec.yaml');
        writeFileSync(file, text);
        let valid = true;
        try {
          parseYamlSpec(text, file);
        } catch {
          valid = false;
        }
        // The same state as baseline, so that `preserved` and `unchanged` have a pre state to compare with.
        const run = await runCli(['check', file, '--target', snapshot, '--baseline', snapshot, '--quiet', '--reporter', `json:${join(dir, 'r.json')}`]);
        counts.cli++;
        expect(run.stdout + run.stderr).not.toMatch(STACK);
        if (valid) expect([0, 1]).toContain(run.code);
        else {
          expect(run.code).toBe(2);
          expect(run.stderr).toMatch(new RegExp(`^pgspec: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('passwords are masked whatever they hold', () => {
  it(`random passwords never appear in a masked URL, a redacted text or a connection error (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(fc.string({ minLength: 4, maxLength: 24, unit: fc.oneof(fc.constantFrom('@', ':', '/', '%', '?', '#', ' ', '"', "'", '\\', 'é', '表'), fc.string({ minLength: 1, maxLength: 1 })) }), (password) => {
        fc.pre(!password.includes('*') && !/^\s|\s$/.test(password) && !'postgres://alice@127.0.0.1:5432/app cannot connect to'.includes(password));
        const url = `postgres://alice:${encodeURIComponent(password)}@127.0.0.1:5432/app`;
        registerUrlSecret(url);
        const texts = [
          safeUrl(url),
          redact(`connecting to ${url} failed`),
          redact(`the password was ${password}.`),
          connectionError(url, { code: '28P01', message: `password authentication failed for user "alice"` }).message,
          connectionError(url, { code: 'XX000', message: `odd failure mentioning ${password} and ${url}` }).message,
        ];
        counts.redact++;
        for (const t of texts) {
          expect(t).not.toContain(password);
          expect(t).not.toContain(encodeURIComponent(password));
        }
      }),
      { numRuns: RUNS },
    );
  });
});
