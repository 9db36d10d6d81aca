import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lastLine, runCli, tempFiles } from '../support/cli.ts';

describe('gate: each spec starts from the same state', () => {
  it('a migration that creates a role runs for every spec; the role is gone before the next spec', async () => {
    const spec = (name: string) => `name: ${name}\npre:\n  - role: pgspec_reporting\n    exists: false\npost:\n  - role: pgspec_reporting\n  - table: public.report\n`;
    const dir = tempFiles({ 'a.spec.yaml': spec('first'), 'b.spec.yaml': spec('second') });
    mkdirSync(join(dir, 'migrations'));
    writeFileSync(join(dir, 'migrations', '001_role.sql'), 'CREATE ROLE pgspec_reporting NOLOGIN;\nCREATE TABLE public.report (id int);\nGRANT SELECT ON public.report TO pgspec_reporting;\n');
    const run = await runCli(['gate', join(dir, 'a.spec.yaml'), join(dir, 'b.spec.yaml'), '--migrations', join(dir, 'migrations')]);
    expect(run.stdout).not.toContain('already exists');
    expect(lastLine(run.stdout)).toBe('6 passed, 0 failed');
    expect(run.code).toBe(0);
  });

  it('an empty migrations folder is a usage error, not a silent pass', async () => {
    const dir = tempFiles({ 's.spec.yaml': 'name: s\npost:\n  - schema: public\n' });
    mkdirSync(join(dir, 'migrations'));
    const run = await runCli(['gate', join(dir, 's.spec.yaml'), '--migrations', join(dir, 'migrations')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`no migrations in ${join(dir, 'migrations')}`);
  });
});

describe('gate: row counts of its own databases', () => {
  it('counts several tables per statement; a table that cannot be counted is errored alone, every other count is taken', async () => {
    // Ten tables of 1 to 10 rows, and a partitioned table whose one partition is a file that does
    // not exist: counting it fails, and with it the statement of the tables counted beside it.
    const tables = Array.from({ length: 10 }, (_, i) => `t${i + 1}`);
    const baseline = [
      ...tables.map((t, i) => `CREATE TABLE public.${t} (id int); INSERT INTO public.${t} SELECT generate_series(1, ${i + 1});`),
      'CREATE EXTENSION file_fdw;',
      'CREATE SERVER files FOREIGN DATA WRAPPER file_fdw;',
      'CREATE TABLE public.broken (id int) PARTITION BY LIST (id);',
      "CREATE FOREIGN TABLE public.broken_1 PARTITION OF public.broken FOR VALUES IN (1) SERVER files OPTIONS (filename '/nonexistent/pgspec-missing.csv');",
    ].join('\n');
    const spec = ['name: counts', 'post:', ...tables.map((t) => `  - table: public.${t}\n    rows: preserved`), '  - table: public.broken\n    rows: 0', ''].join('\n');
    const dir = tempFiles({ 'baseline.sql': baseline, 's.spec.yaml': spec });
    mkdirSync(join(dir, 'migrations'));
    writeFileSync(join(dir, 'migrations', '001_more.sql'), 'INSERT INTO public.t10 VALUES (11);\n');
    const report = join(dir, 'report.json');
    const run = await runCli(['gate', join(dir, 's.spec.yaml'), '--baseline', join(dir, 'baseline.sql'), '--migrations', join(dir, 'migrations'), '--quiet', '--reporter', `json:${report}`]);
    const json = JSON.parse(readFileSync(report, 'utf8')) as { rowCounts: { pre: Record<string, number>; post: Record<string, number> }; specs: { results: { object: string; state: string; message: string }[] }[] };
    expect(json.rowCounts.pre).toEqual(Object.fromEntries(tables.map((t, i) => [`public.${t}`, i + 1])));
    expect(json.rowCounts.post).toEqual({ ...json.rowCounts.pre, 'public.t10': 11 });
    const results = Object.fromEntries(json.specs[0]!.results.map((r) => [r.object, r]));
    for (const t of tables.slice(0, 9)) expect(results[`table public.${t}`]!.state).toBe('passed');
    expect(results['table public.t10']).toMatchObject({ state: 'failed', message: 'table public.t10: rows 11, expected 10 as before (preserved)' });
    expect(results['table public.broken']!.state).toBe('errored');
    expect(results['table public.broken']!.message).toMatch(/^table public\.broken: cannot count the rows of public\.broken: .*pgspec-missing\.csv/);
    expect(run.code).toBe(1);
  });
});
