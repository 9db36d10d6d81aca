import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgspecError, SpecError, UsageError } from '../../src/errors.ts';
import { loadSpecs } from '../../src/index.ts';
import { renderJsonSchema } from '../../src/spec/json-schema.ts';
import { parseJsonSpec, parseYamlSpec } from '../../src/spec/load.ts';
import { KIND_ORDER, SPEC_KEYS, type Spec } from '../../src/spec/model.ts';
import { validateSpec } from '../../src/spec/validate.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = (name: string) => `test/fixtures-spec/${name}`;

/** The SpecError a YAML text raises (fails the test when it loads). */
function yamlError(text: string): SpecError {
  try {
    parseYamlSpec(text, 'inline.spec.yaml');
  } catch (error) {
    if (error instanceof SpecError) return error;
    throw error;
  }
  throw new Error('expected a SpecError, but the spec loaded');
}

async function loadError(inputs: string[], cwd = root): Promise<PgspecError> {
  try {
    await loadSpecs(inputs, cwd);
  } catch (error) {
    if (error instanceof PgspecError) return error;
    throw error;
  }
  throw new Error('expected a PgspecError, but the specs loaded');
}

const entries = (spec: Spec) => [...spec.pre, ...spec.post, ...spec.always];

describe('the fast YAML reading', () => {
  // Plain specs are read by js-yaml and their entry lines found by a scan of the text; other
  // specs by the yaml package. Both must give the same Spec, lines included, whatever the layout.
  const layouts: Record<string, string> = {
    'indented block list': 'name: x\npost:\n  - table: public.a\n  - column: public.a.b\n    type: text\n',
    'list at the key\'s indentation': 'name: x\npre:\n- table: public.a\n-   table: public.b\npost:\n- table: public.c\n',
    'entry on the line after its dash, comments between': 'name: x\npost:\n  -\n    table: public.a\n  - # first\n\n    # more\n    table: public.b\n  - { table: public.c }\n',
    'block scalars with dashes inside': 'name: x\npost:\n  - query: |\n      select 1\n      - 2\n    equals: -1\n  - table: public.t\ndescription: >\n  - not an entry\n',
    'flow list': 'name: x\npost: [ { table: public.a }, { table: public.b } ]\n',
    'quoted phase key': 'name: x\n"post":\n  - table: public.a\n',
    'CRLF line ends': 'name: x\r\npost:\r\n  - table: public.a\r\n  - table: public.b\r\n',
    'phase key with a comment, always last': 'name: x\nalways: # every phase\n  - extension: plpgsql\n',
  };
  for (const [layout, text] of Object.entries(layouts)) {
    it(`gives what the full reading gives: ${layout}`, () => {
      const fast = parseYamlSpec(text, 'inline.spec.yaml');
      expect(fast).toEqual(parseYamlSpec(text, 'inline.spec.yaml', { fast: false }));
      expect(entries(fast).every((e) => typeof e.line === 'number')).toBe(true);
    });
  }
});

describe('loadSpecs: YAML', () => {
  it('loads one entry of every kind with its kind, phase and line', async () => {
    const [spec] = await loadSpecs([fixture('all-kinds.spec.yaml')], root);
    expect(spec!.name).toBe('every-kind');
    expect(spec!.file).toBe('test/fixtures-spec/all-kinds.spec.yaml');
    expect(spec!.description).toBe('One entry of each kind, in KIND_ORDER.');
    expect(entries(spec!).map((e) => e.kind)).toEqual([...KIND_ORDER]);
    expect(entries(spec!).map((e) => e.line)).toEqual([6, 13, 18, 22, 26, 31, 35, 39, 44, 46, 48, 49, 51, 54, 55, 58, 60, 63, 66, 72]);
    expect(spec!.pre.map((e) => e.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(spec!.post.every((e) => e.phase === 'post')).toBe(true);
  });

  it('normalises keyword spelling and keeps numbers meant as text as written', async () => {
    const [spec] = await loadSpecs([fixture('all-kinds.spec.yaml')], root);
    const byKind = new Map(entries(spec!).map((e) => [e.kind, e.entry as Record<string, unknown>]));
    expect(byKind.get('trigger')!.timing).toBe('after'); // written AFTER
    expect(byKind.get('policy')!.command).toBe('select'); // written SELECT
    expect(byKind.get('foreignKey')!.onDelete).toBe('set null'); // written set_null
    expect(byKind.get('column')!.default).toBe('0'); // written 0
    expect(byKind.get('extension')!.version).toBe('1.3'); // written 1.3
    expect(byKind.get('migrations')!.latest).toBe('20240101120000');
    expect(byKind.get('view')!.exists).toBe(true); // from the merged anchor
    expect(byKind.get('table')!.table).toBe('app."OrderItems"');
  });

  it('loads the product.md §3 example', async () => {
    const [spec] = await loadSpecs([fixture('product-example.spec.yaml')], root);
    expect(spec!.name).toBe('drop-duplicate-users-table');
    expect(spec!.pre.map((e) => e.kind)).toEqual(['table', 'trigger']);
    expect(spec!.post.map((e) => e.kind)).toEqual(['table', 'table', 'trigger', 'function', 'table', 'table', 'table', 'policy', 'table', 'foreignKey', 'query']);
    expect(spec!.always.map((e) => e.kind)).toEqual(['extension', 'server']);
    expect(spec!.post[0]).toEqual({ kind: 'table', entry: { table: 'public.users', exists: false }, phase: 'post', index: 0, line: 10 });
    expect(spec!.post[6]!.entry).toEqual({ table: 'storage.buckets', rows: { min: 1 } });
    expect(spec!.post[9]!.entry).toEqual({
      foreignKey: { table: 'public.orders', columns: ['client_id'], references: 'public.clients(id)', onDelete: 'cascade' },
    });
    expect(spec!.changes).toEqual([
      { verb: 'drop', kind: 'table', name: 'public.users', text: 'drop table public.users', line: 44 },
      { verb: 'drop', kind: 'table', name: 'public.user_info', text: 'drop table public.user_info', line: 45 },
      { verb: 'drop', kind: 'trigger', name: 'on_auth_user_created', on: 'auth.users', text: 'drop trigger on_auth_user_created on auth.users', line: 46 },
      { verb: 'drop', kind: 'function', name: 'public.handle_new_user()', text: 'drop function public.handle_new_user()', line: 47 },
    ]);
    expect(spec!.ignore).toEqual([{ verb: 'any', kind: 'table', name: 'supabase_migrations.*', text: 'table supabase_migrations.*', line: 49 }]);
  });

  it('reports an unknown key with file, line, column, key path and a suggestion', async () => {
    const error = await loadError([fixture('bad/unknown-key.spec.yaml')]);
    expect(error).toBeInstanceOf(SpecError);
    const e = error as SpecError;
    expect([e.file, e.line, e.column, e.keyPath]).toEqual(['test/fixtures-spec/bad/unknown-key.spec.yaml', 7, 5, 'post[2].exsts']);
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe(
      'test/fixtures-spec/bad/unknown-key.spec.yaml:7:5: post[2].exsts: unknown key "exsts" for a table entry (did you mean "exists"?); expected one of: exists, rows, rls, columns, exactColumns, primaryKey, policies, owner, unchanged',
    );
  });

  it('reports a wrong value type at the value', () => {
    const e = yamlError('name: x\npost:\n  - table: a\n    exists: "no"\n');
    expect([e.line, e.column, e.keyPath]).toEqual([4, 13, 'post[0].exists']);
    expect(e.message).toBe('inline.spec.yaml:4:13: post[0].exists: expected true or false, got "no"');
  });

  it.each([
    ['    rows: 1.5', 'post[0].rows', 'expected a non-negative integer, "empty", "preserved" or a mapping (min, max), got 1.5'],
    ['    rows: { min: 1, mx: 2 }', 'post[0].rows.mx', 'unknown key "mx" (did you mean "max"?); expected one of: min, max'],
    ['    rows: { min: 5, max: 2 }', 'post[0].rows', 'min (5) is greater than max (2)'],
    ['    rows: {}', 'post[0].rows', 'give min, max or both, e.g. { min: 1 }'],
    ['    rls: yes', 'post[0].rls', 'expected "enabled", "forced", "disabled" or a mapping (enabled, forced), got "yes"'],
    ['    columns: { id: { typ: int } }', 'post[0].columns.id.typ', 'unknown key "typ" (did you mean "type"?); expected one of: exists, type, nullable, default, identity, generated, unchanged'],
    ['    columns: { id: { exists: false, type: int } }', 'post[0].columns.id.type', '"type" cannot be checked with exists: false'],
    ['    primaryKey: id', 'post[0].primaryKey', 'expected a list of strings, true or false, got "id"'],
    ['    policies: [1, {}]', 'post[0].policies[1]', 'expected a string, got a mapping'],
  ])('rejects %s', (line, keyPath, detail) => {
    const e = yamlError(`name: x\npost:\n  - table: public.t\n${line}\n`);
    expect(e.keyPath).toBe(keyPath);
    expect(e.detail).toBe(detail);
    expect(e.line).toBe(4);
  });

  it('rejects a bad keyword with the accepted spellings', () => {
    const e = yamlError('name: x\npost:\n  - trigger: t\n    table: a\n    timing: during\n');
    expect(e.message).toBe('inline.spec.yaml:5:13: post[0].timing: expected "before", "after" or "instead of", got "during"');
    const command = yamlError('name: x\npost:\n  - policy: p\n    table: t\n    command: selct\n');
    expect(command.detail).toBe('expected "all", "select", "insert", "update" or "delete", got "selct" (did you mean "select"?)');
  });

  it('accepts keywords in any case and camel case', () => {
    const spec = parseYamlSpec(
      'name: x\npost:\n  - trigger: t\n    table: a\n    timing: insteadOf\n    events: [INSERT, Update]\n    level: ROW\n  - column: t.c\n    identity: BY DEFAULT\n  - table: t\n    rows: Preserved\n',
      'k.spec.yaml',
    );
    expect(spec.post.map((e) => e.entry)).toEqual([
      { trigger: 't', table: 'a', timing: 'instead of', events: ['insert', 'update'], level: 'row' },
      { column: 't.c', identity: 'by default' },
      { table: 't', rows: 'preserved' },
    ]);
  });

  it('names both keys when an entry has two kind keys', () => {
    const e = yamlError('name: x\npost:\n  - view: a\n    table: b\n');
    expect([e.line, e.column, e.keyPath]).toEqual([4, 5, 'post[0].table']);
    expect(e.detail).toBe('an entry has two kind keys: "view" and "table"; a view entry takes no "table" key');
  });

  it('accepts kind words that are properties of the entry kind (trigger table and function)', () => {
    const spec = parseYamlSpec('name: x\npost:\n  - trigger: t\n    table: a\n    function: f\n  - extension: e\n    schema: s\n', 'k.spec.yaml');
    expect(spec.post.map((e) => e.kind)).toEqual(['trigger', 'extension']);
  });

  it('suggests a kind key for an entry without one', () => {
    const e = yamlError('name: x\npost:\n  - tabel: a\n');
    expect(e.keyPath).toBe('post[0].tabel');
    expect(e.detail).toContain('"tabel" is not a kind key (did you mean "table"?)');
    const none = yamlError('name: x\npost:\n  - exists: false\n');
    expect(none.detail).toBe(`the entry has no kind key (it has "exists"); an entry names its object with one of: ${KIND_ORDER.join(', ')}`);
  });

  it('allows only identity keys beside exists: false', () => {
    const table = yamlError('name: x\npost:\n  - table: a\n    exists: false\n    rows: 1\n');
    expect([table.line, table.column, table.keyPath]).toEqual([5, 5, 'post[0].rows']);
    expect(table.detail).toBe('"rows" cannot be checked with exists: false; only "table" may accompany it');
    const trigger = yamlError('name: x\npost:\n  - trigger: t\n    table: a\n    exists: false\n    function: f\n');
    expect(trigger.detail).toBe('"function" cannot be checked with exists: false; only "trigger" and "table" may accompany it');
    const fk = yamlError('name: x\npost:\n  - foreignKey: { table: a, columns: [x], references: b(id), exists: false, onDelete: cascade }\n');
    expect(fk.keyPath).toBe('post[0].foreignKey.onDelete');
    const ok = parseYamlSpec('name: x\npost:\n  - trigger: t\n    table: a\n    exists: false\n', 'k.spec.yaml');
    expect(ok.post[0]!.entry).toEqual({ trigger: 't', table: 'a', exists: false });
  });

  it('takes foreignKey properties inside the map or beside it, not both', () => {
    const inside = parseYamlSpec('name: x\npost:\n  - foreignKey: { table: a, columns: [x], references: b(id), onDelete: cascade }\n', 'k.spec.yaml');
    expect(inside.post[0]!.entry).toEqual({ foreignKey: { table: 'a', columns: ['x'], references: 'b(id)', onDelete: 'cascade' } });
    const beside = parseYamlSpec('name: x\npost:\n  - foreignKey: { table: a, columns: [x], references: b(id) }\n    onDelete: CASCADE\n', 'k.spec.yaml');
    expect(beside.post[0]!.entry).toEqual({ foreignKey: { table: 'a', columns: ['x'], references: 'b(id)' }, onDelete: 'cascade' });
    const both = yamlError('name: x\npost:\n  - foreignKey: { table: a, columns: [x], references: b(id), onDelete: cascade }\n    onDelete: cascade\n');
    expect([both.line, both.column, both.keyPath]).toEqual([4, 5, 'post[0].onDelete']);
    expect(both.detail).toBe('"onDelete" is given both inside the foreignKey map and beside it; write it once');
    const identityBeside = yamlError('name: x\npost:\n  - foreignKey: { columns: [x], references: b(id) }\n    table: a\n');
    expect(identityBeside.detail).toBe('"table" belongs inside the foreignKey map: foreignKey: { table, columns, references, name }');
    const typo = yamlError('name: x\npost:\n  - foreignKey: { table: a, columns: [x], refrences: b(id) }\n');
    expect(typo.keyPath).toBe('post[0].foreignKey.refrences');
    expect(typo.detail).toContain('(did you mean "references"?)');
    const missing = yamlError('name: x\npost:\n  - foreignKey: { table: a, columns: [x] }\n');
    expect(missing.detail).toBe('the foreignKey map needs "references" (the referenced table, as schema.table(column, ...))');
  });

  it('requires the table of a trigger, policy and constraint', () => {
    for (const kind of ['trigger', 'policy', 'constraint']) {
      const e = yamlError(`name: x\npost:\n  - ${kind}: n\n`);
      expect([e.line, e.keyPath, e.detail]).toEqual([3, 'post[0]', `a ${kind} entry needs "table" (the table it belongs to)`]);
    }
  });

  it.each([
    ['column: a', 'post[0].column', 'a column is written schema.table.column or table.column; "a" has 1 dotted part'],
    ['table: a.b.c', 'post[0].table', 'a table is written schema.name or name; "a.b.c" has 3 dotted parts'],
    ['table: "public."', 'post[0].table', 'a table "public." has an empty part'],
    ['schema: a.b', 'post[0].schema', 'a schema is written a single name; "a.b" has 2 dotted parts'],
    ['function: public.f(integer', 'post[0].function', 'a function is written schema.name(argtypes), schema.name or name; the parenthesis in "public.f(integer" is not closed'],
    ['foreignKey: { table: a, columns: [x], references: b() }', 'post[0].foreignKey.references', 'a referenced table is written schema.table(column, ...); "b()" lists no columns'],
    ['privilege: { role: r, on: public.t, privileges: select }', 'post[0].privilege.on', 'expected an object reference such as "table public.notes" (table, view, materialized view, column, schema, sequence, function or procedure), got "public.t"'],
  ])('checks the name form of %s', (line, keyPath, detail) => {
    const e = yamlError(`name: x\npost:\n  - ${line}\n`);
    expect([e.keyPath, e.detail]).toEqual([keyPath, detail]);
  });

  it('accepts quoted names, globs and function signatures', () => {
    const spec = parseYamlSpec(
      'name: x\npost:\n  - table: app."Order.Items"\n  - table: "documents.*"\n  - column: s.t.c\n  - function: public.f(numeric(12,2), text)\n  - policy: Users can view own documents\n    table: storage.objects\n',
      'k.spec.yaml',
    );
    expect(spec.post).toHaveLength(5);
  });

  it('reports a duplicate key at the second occurrence', () => {
    const e = yamlError('name: x\npost:\n  - table: a\n    rows: 1\n    table: b\n');
    expect([e.line, e.column]).toEqual([5, 5]);
    expect(e.detail).toBe('duplicate key "table" (a key appears once per mapping; each list entry starts with "- ")');
  });

  it('reports YAML syntax errors with their line', () => {
    const e = yamlError('name: x\npost:\n  - table: a\n   rows: 1\n');
    expect(e.line).toBe(4);
    expect(e.detail).toMatch(/^YAML syntax error: /);
    expect(e.message).not.toContain('\n');
    const flow = yamlError('name: x\npost: [ { table: a }\n');
    expect(flow.detail).toMatch(/^YAML syntax error: /);
  });

  it('resolves anchors, aliases and merge keys', () => {
    const spec = parseYamlSpec(
      [
        'name: anchors',
        'x-gone: &gone',
        '  exists: false',
        'pre:',
        '  - &users { table: public.users }',
        'post:',
        '  - *users',
        '  - <<: *gone',
        '    table: public.old',
      ].join('\n'),
      'a.spec.yaml',
    );
    expect(spec.pre[0]!.entry).toEqual({ table: 'public.users' });
    expect(spec.post.map((e) => [e.entry, e.line])).toEqual([
      [{ table: 'public.users' }, 7],
      [{ exists: false, table: 'public.old' }, 8],
    ]);
    // An error inside merged content still points into the file.
    const e = yamlError('name: x\nx-base: &base\n  exists: false\npost:\n  - <<: *base\n    table: t\n    rows: 1\n');
    expect([e.line, e.keyPath]).toEqual([7, 'post[0].rows']);
  });

  it('rejects an unknown alias and an alias bomb', () => {
    const unknown = yamlError('name: x\npost:\n  - *nope\n');
    expect([unknown.line, unknown.column, unknown.detail]).toEqual([3, 5, 'unknown alias *nope: define &nope before using it']);
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    const bomb = yamlError(`name: x\n${levels.map((l) => `x-${l}`).join('\n')}\n`);
    expect(bomb.detail).toMatch(/^YAML: .*alias/i);
  });

  it('reports an empty file, a non-mapping file, a missing name and unknown top-level keys', () => {
    expect(yamlError('').message).toBe('inline.spec.yaml: the file is empty; a spec needs at least "name: ..."');
    expect(yamlError('# only a comment\n').detail).toBe('the file is empty; a spec needs at least "name: ..."');
    expect(yamlError('- table: a\n').detail).toBe('the top level must be a mapping with "name" and the phases pre, post, always; got a list');
    const noName = yamlError('post: []\n');
    expect([noName.line, noName.keyPath]).toEqual([1, '']);
    expect(noName.detail).toMatch(/^missing required key "name"/);
    const typo = yamlError('name: x\npsot: []\n');
    expect([typo.line, typo.column, typo.keyPath]).toEqual([2, 1, 'psot']);
    expect(typo.detail).toContain('unknown top-level key "psot" (did you mean "post"?)');
    expect(yamlError('name: x\npost: { table: a }\n').detail).toBe('expected a list of entries, got a mapping');
    expect(yamlError('name: x\npost:\n  - table public.users\n').detail).toBe('an entry is a mapping such as "table: public.users"; got "table public.users"');
  });

  it('treats an empty phase as an empty list', () => {
    const spec = parseYamlSpec('name: x\npre:\npost:\n  # - table: a\n', 'e.spec.yaml');
    expect([spec.pre, spec.post, spec.always, spec.changes, spec.ignore]).toEqual([[], [], [], [], []]);
  });
});

describe('loadSpecs: TypeScript, JavaScript and JSON', () => {
  it('loads a .spec.ts written with defineSpec, a .js and a .json spec', async () => {
    const specs = await loadSpecs([fixture('typed.spec.ts'), fixture('plain.spec.js'), fixture('data.spec.json')], root);
    expect(specs.map((s) => [s.name, s.file])).toEqual([
      ['typed-spec', 'test/fixtures-spec/typed.spec.ts'],
      ['plain-js', 'test/fixtures-spec/plain.spec.js'],
      ['json-spec', 'test/fixtures-spec/data.spec.json'],
    ]);
    expect(specs[0]!.post.map((e) => [e.kind, e.line])).toEqual([
      ['table', undefined],
      ['trigger', undefined],
      ['foreignKey', undefined],
    ]);
    expect(specs[0]!.changes).toEqual([{ verb: 'drop', kind: 'table', name: 'public.users', text: 'drop table public.users' }]);
    expect(specs[1]!.always[0]!.entry).toEqual({ extension: 'pgcrypto' });
    // JSON is read as YAML for positions, so JSON entries have lines too.
    expect(specs[2]!.post.map((e) => [e.kind, e.line])).toEqual([
      ['table', 4],
      ['table', 5],
    ]);
  });

  it('reports a TS validation error with the key path and no line', async () => {
    const e = (await loadError([fixture('bad/wrong-type.spec.ts')])) as SpecError;
    expect(e).toBeInstanceOf(SpecError);
    expect([e.line, e.column, e.keyPath]).toEqual([undefined, undefined, 'post[0].exists']);
    expect(e.message).toBe('test/fixtures-spec/bad/wrong-type.spec.ts: post[0].exists: expected true or false, got "no"');
  });

  it('reports a module without a default export and one that throws', async () => {
    const noDefault = await loadError([fixture('bad/no-default.spec.ts')]);
    expect(noDefault.message).toBe('test/fixtures-spec/bad/no-default.spec.ts: has no default export; write "export default defineSpec({ name: ..., post: [...] })"');
    const throws = await loadError([fixture('bad/throws.spec.js')]);
    expect(throws).toBeInstanceOf(SpecError);
    expect(throws.message).toBe('test/fixtures-spec/bad/throws.spec.js: could not be loaded: boom while building the spec');
  });

  it('reports JSON syntax errors with line and column, and JSON validation errors with lines', async () => {
    const e = (await loadError([fixture('bad/syntax.spec.json')])) as SpecError;
    expect([e.line, e.column]).toEqual([5, 5]);
    expect(e.detail).toMatch(/^JSON syntax error: /);
    const invalid = (() => {
      try {
        parseJsonSpec('{\n  "name": "j",\n  "post": [\n    { "table": "a", "exsts": false }\n  ]\n}\n', 'j.spec.json');
      } catch (error) {
        return error as SpecError;
      }
      throw new Error('expected a SpecError');
    })();
    expect([invalid.line, invalid.column, invalid.keyPath]).toEqual([4, 21, 'post[0].exsts']);
  });

  it('validates raw data without positions (validateSpec is pure)', () => {
    const spec = validateSpec({ name: 'raw', post: [{ table: 'public.users', exists: false }] }, 'raw.spec.ts');
    expect(spec.post[0]).toEqual({ kind: 'table', entry: { table: 'public.users', exists: false }, phase: 'post', index: 0 });
    expect(() => validateSpec({ name: 'raw', post: [{ view: 'v', table: 't' }] }, 'raw.spec.ts')).toThrow(
      'raw.spec.ts: post[0].table: an entry has two kind keys: "view" and "table"; a view entry takes no "table" key',
    );
  });
});

describe('loadSpecs: finding files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pgspec-discovery-'));
    await cp(path.join(root, fixture('discovery')), path.join(dir, 'specs'), { recursive: true });
    await mkdir(path.join(dir, 'specs/node_modules/pkg'), { recursive: true });
    await writeFile(path.join(dir, 'specs/node_modules/pkg/x.spec.yaml'), 'name: in-node-modules\n');
    await mkdir(path.join(dir, 'specs/.hidden'), { recursive: true });
    await writeFile(path.join(dir, 'specs/.hidden/h.spec.yaml'), 'name: hidden\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('searches a folder recursively for *.spec.* only, sorted, skipping node_modules and hidden folders', async () => {
    const specs = await loadSpecs(['specs'], dir);
    expect(specs.map((s) => s.file)).toEqual(['specs/a.spec.yaml', 'specs/b.spec.yml', 'specs/nested/c.spec.json']);
  });

  it('expands globs to *.spec.* files and loads each file once', async () => {
    const specs = await loadSpecs(['specs/**/*.spec.*', 'specs/a.spec.yaml'], dir);
    expect(specs.map((s) => s.file)).toEqual(['specs/a.spec.yaml', 'specs/b.spec.yml', 'specs/nested/c.spec.json']);
    const top = await loadSpecs(['specs/?.spec.yml'], dir);
    expect(top.map((s) => s.file)).toEqual(['specs/b.spec.yml']);
    const direct = await loadSpecs(['specs/*'], dir);
    expect(direct.map((s) => s.file)).toEqual(['specs/a.spec.yaml', 'specs/b.spec.yml']);
  });

  it('loads a file given by path whatever its name', async () => {
    const [notes] = await loadSpecs(['specs/notes.yaml'], dir);
    expect([notes!.name, notes!.file]).toEqual(['not-a-spec-by-name', 'specs/notes.yaml']);
    const [explicit] = await loadSpecs([fixture('explicit.yaml')], root);
    expect(explicit!.post[0]!.entry).toEqual({ schema: 'explicit' });
  });

  it('reports a syntax error in a .spec.ts with its line', async () => {
    await writeFile(path.join(dir, 'broken.spec.ts'), 'export default {\n  name: "x",,\n};\n');
    const e = (await loadError(['broken.spec.ts'], dir)) as SpecError;
    expect(e).toBeInstanceOf(SpecError);
    expect([e.file, e.line]).toEqual(['broken.spec.ts', 2]);
    expect(e.detail).toMatch(/^syntax error: /);
    expect(e.message).not.toContain('\n');
  });

  it('fails with a usage error naming an input that finds nothing', async () => {
    const missing = await loadError(['specs/missing.spec.yaml'], dir);
    expect(missing).toBeInstanceOf(UsageError);
    expect(missing.exitCode).toBe(2);
    expect(missing.message).toBe('spec file or folder not found: "specs/missing.spec.yaml"');
    await mkdir(path.join(dir, 'empty'), { recursive: true });
    expect((await loadError(['empty'], dir)).message).toBe(
      'no spec files in folder "empty" (looked for *.spec.yaml, *.spec.yml, *.spec.ts, *.spec.js, *.spec.json)',
    );
    expect((await loadError(['specs/**/*.spec.sql'], dir)).message).toMatch(/^no spec files match "specs\/\*\*\/\*\.spec\.sql"/);
    expect((await loadError(['specs/README.md'], dir)).message).toBe('"specs/README.md" is not a spec file: spec files end in .yaml, .yml, .ts, .js or .json');
  });
});

describe('JSON Schema', () => {
  it('the committed schema/pgspec.schema.json equals the generated one', async () => {
    const committed = await readFile(path.join(root, 'schema/pgspec.schema.json'), 'utf8');
    expect(committed).toBe(renderJsonSchema());
  });

  it('describes the spec file: top-level keys and one definition per kind', () => {
    const schema = JSON.parse(renderJsonSchema()) as {
      $id: string;
      properties: Record<string, unknown>;
      required: string[];
      definitions: Record<string, { anyOf?: unknown[]; required?: string[] }>;
    };
    expect(schema.$id).toBe('https://pgspec.dev/schema/v1.json');
    expect(Object.keys(schema.properties)).toEqual([...SPEC_KEYS]);
    expect(schema.required).toEqual(['name']);
    expect(schema.definitions.entry!.anyOf).toHaveLength(KIND_ORDER.length);
    expect(schema.definitions.triggerEntry!.required).toEqual(['trigger', 'table']);
  });
});
