import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serializeSnapshot } from '../../src/snapshot/serialize.ts';
import { emptySnapshot } from '../../src/snapshot/types.ts';
import { runCli, tempFiles } from '../support/cli.ts';
import { STACK, tally } from './support.ts';

// Hostile and odd YAML (issue #5, 5): anchors and aliases, merge keys, duplicate keys, alias
// bombs, very large files, invalid UTF-8, binary, deep nesting. Each is a clean verdict or a
// clean exit 2 naming the file (and line, where there is one), never a crash or a stack trace.

const figures = tally('yaml');

const dir = tempFiles({});
const target = join(dir, 'empty.snapshot.json');
writeFileSync(target, serializeSnapshot(emptySnapshot()));

async function checkFile(name: string, content: string | Buffer) {
  const path = join(dir, name);
  writeFileSync(path, content);
  const run = await runCli(['check', path, '--target', target, '--quiet']);
  figures.figures.inputs++;
  expect(run.stdout + run.stderr).not.toMatch(STACK);
  return { ...run, path };
}

afterAll(() => figures.print());

describe('valid but unusual YAML', () => {
  it('anchors, aliases and merge keys load; x- templates are ignored', async () => {
    const run = await checkFile(
      'anchors.spec.yaml',
      `name: anchors
x-absent: &absent { exists: false }
x-table: &tbl public.gone
post:
  - &first { table: *tbl, exists: false }
  - { <<: *absent, table: public.also_gone }
  - *first
always:
  - { <<: [*absent], schema: nowhere }
`,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('a very large spec file (20,000 entries, about 1 MB) loads and evaluates', async () => {
    const entries = Array.from({ length: 20_000 }, (_, i) => `  - table: public.t_${i}\n    exists: false`).join('\n');
    const started = Date.now();
    const run = await checkFile('large.spec.yaml', `name: large\npost:\n${entries}\n`);
    expect(run.code).toBe(0);
    // About 0.5 ms an entry today, linear; the bound only catches a blow-up.
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 120_000);
});

describe('invalid YAML: exit 2, file and line, no stack', () => {
  const cases: [string, string | Buffer, RegExp][] = [
    ['duplicate key', 'name: dup\npost:\n  - table: public.a\n    table: public.b\n', /dup\.spec\.yaml:4:5: duplicate key "table"/],
    ['duplicate top-level key', 'name: a\nname: b\npost: []\n', /:2:1: duplicate key "name"/],
    ['unknown alias', 'name: x\npost:\n  - *nowhere\n', /:3:5: unknown alias \*nowhere/],
    [
      'an alias bomb (billion laughs)',
      `name: bomb\na: &a ["x","x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\npost: *f\n`,
      /bomb\.spec\.yaml.*(alias|Excessive)/i,
    ],
    ['a tab for indentation', 'name: t\npost:\n\t- table: x\n', /tab\.spec\.yaml:3:\d+: YAML syntax error/],
    ['an unclosed quote', 'name: "open\npost: []\n', /quote\.spec\.yaml:\d+:\d+: YAML syntax error/],
    ['binary garbage', Buffer.from([0x00, 0x01, 0xff, 0xfe, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), /garbage\.spec\.yaml/],
    ['deep nesting', `name: deep\npost:\n  - table: x\n    columns: ${'['.repeat(5_000)}${']'.repeat(5_000)}\n`, /deep\.spec\.yaml/],
    ['a document that is a list', '- table: x\n', /list\.spec\.yaml/],
    ['an empty file', '', /empty-file\.spec\.yaml/],
    ['a second document', 'name: a\npost: []\n---\nname: b\n', /second\.spec\.yaml/],
    ['a name that is a map', 'name: { a: 1 }\npost: []\n', /map\.spec\.yaml:1:7: name/],
    ['a property of the wrong type', 'name: n\npost:\n  - table: x\n    exists: maybe\n', /type\.spec\.yaml:4:\d+: post\[0\]\.exists/],
  ];
  const fileOf: Record<string, string> = {
    'duplicate key': 'dup',
    'duplicate top-level key': 'dup-top',
    'unknown alias': 'alias',
    'an alias bomb (billion laughs)': 'bomb',
    'a tab for indentation': 'tab',
    'an unclosed quote': 'quote',
    'binary garbage': 'garbage',
    'deep nesting': 'deep',
    'a document that is a list': 'list',
    'an empty file': 'empty-file',
    'a second document': 'second',
    'a name that is a map': 'map',
    'a property of the wrong type': 'type',
  };
  for (const [what, content, message] of cases) {
    it(what, async () => {
      const run = await checkFile(`${fileOf[what]}.spec.yaml`, content);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^pgspec: /);
      expect(run.stderr).toMatch(message);
      expect(run.stdout).toBe('');
    });
  }
});

describe('invalid UTF-8', () => {
  it('is a spec error naming the file and line, never a crash or a silent replacement', async () => {
    // "name: caf\xe9" in Latin-1, and a lone continuation byte inside a table name.
    const bytes = Buffer.concat([Buffer.from('name: caf'), Buffer.from([0xe9]), Buffer.from('\npost:\n  - table: public.t'), Buffer.from([0x80]), Buffer.from('x\n    exists: false\n')]);
    const run = await checkFile('latin1.spec.yaml', bytes);
    // The loader decodes strictly: exit 2 naming the file and the first bad line, nothing touched.
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/latin1\.spec\.yaml:1: the file is not valid UTF-8/);
  });
});
