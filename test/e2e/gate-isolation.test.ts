import { mkdirSync, writeFileSync } from 'node:fs';
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
