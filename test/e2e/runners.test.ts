import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbedded, type EmbeddedCluster } from '../../src/targets/embedded.ts';
import { runCli, tempFiles } from '../support/cli.ts';
import { alembicRevision, ALEMBIC_PROJECT, BIN, ensureAlembic, tempTree } from '../support/tools.ts';

// Issue #6: `pgspec gate` with the real migration tools as external commands (--migrate/--down,
// run with DATABASE_URL and PG* pointing at the ephemeral database), and the built-in runner on
// the tools' plain SQL layouts (--migrations). For each: a correct migration passes, a broken one
// fails. The post checks read the history each tool wrote.
//
// The gates share one embedded server of this file's own (`--db URL`), as the gate scenarios do.

interface Result {
  phase: string;
  state: 'passed' | 'failed' | 'errored';
  message: string;
}

let server: EmbeddedCluster | undefined;
beforeAll(async () => {
  server = await startEmbedded();
});
afterAll(async () => {
  await server?.stop();
});

/** Runs `pgspec gate SPEC ARGS` on the file's server and reads its JSON report. */
async function gate(spec: string, args: string[]): Promise<{ code: number; results: string[]; failures: string[]; output: string }> {
  const report = join(tempFiles({}), 'report.json');
  const run = await runCli(['gate', spec, ...args, '--db', server!.url('postgres'), '--quiet', '--reporter', `json:${report}`]);
  expect(run.stderr).not.toMatch(/internal error/);
  const json = JSON.parse(readFileSync(report, 'utf8')) as { specs: { results: Result[] }[]; commands?: { output: string }[] };
  const results = json.specs[0]!.results;
  return {
    code: run.code,
    results: results.map((r) => `${r.phase} ${r.state}: ${r.message}`),
    failures: results.filter((r) => r.state !== 'passed').map((r) => r.message),
    // What the external commands printed (the report keeps it, passwords masked).
    output: (json.commands ?? []).map((c) => c.output).join('\n'),
  };
}

/** The message of a failed migration command: the command, its exit code, then the last lines it printed. */
const commandFailed = (command: string, code: number) => `migration command failed: "${command}" exited with code ${code}: `;

/** A spec for a notes table made by one migration, and the tool's history after it. */
function notesSpec(history: string): string {
  return [
    'name: notes',
    'pre:',
    '  - { table: public.notes, exists: false }',
    'post:',
    '  - table: public.notes',
    '    columns: { body: { type: text, nullable: true } }',
    `  - ${history}`,
    '',
  ].join('\n');
}

const NOTES = 'create table public.notes (id int primary key, body text);';
const BROKEN = 'alter table public.nope add column body text;';

describe('dbmate, from npm: --migrate "dbmate up", --down "dbmate rollback"', () => {
  const good = tempTree({
    'notes.spec.yaml': notesSpec('{ migrations: dbmate, latest: "20240101000000", pending: 0, failed: 0, folder: db/migrations }'),
    'db/migrations/20240101000000_create_notes.sql': `-- migrate:up\n${NOTES}\n\n-- migrate:down\ndrop table public.notes;\n`,
  });
  const broken = tempTree({ 'db/migrations/20240101000000_create_notes.sql': `-- migrate:up\n${BROKEN}\n\n-- migrate:down\nselect 1;\n` });
  const dbmate = (dir: string, command: string) => `${BIN}/dbmate --no-dump-schema --migrations-dir ${dir}/db/migrations ${command}`;

  it('a correct migration passes, the history dbmate wrote included, and the rollback restores the schema', async () => {
    const run = await gate(join(good, 'notes.spec.yaml'), ['--migrate', dbmate(good, 'up'), '--down', dbmate(good, 'rollback')]);
    expect(run.results).toEqual([
      'pre passed: table public.notes does not exist',
      'post passed: table public.notes as expected',
      'post passed: migrations dbmate as expected',
      'roundtrip passed: the down migrations restore the pre-migration schema',
    ]);
    expect(run.code).toBe(0);
  });

  it('a broken migration fails the gate with dbmate\'s error', async () => {
    const command = dbmate(broken, 'up');
    const run = await gate(join(good, 'notes.spec.yaml'), ['--migrate', command]);
    expect(run.code).toBe(1);
    expect(run.failures).toHaveLength(1);
    expect(run.failures[0]!.startsWith(`${commandFailed(command, 2)}Applying: 20240101000000_create_notes.sql | `)).toBe(true);
    expect(run.failures[0]!.endsWith(' | Error: pq: relation "public.nope" does not exist (42P01)')).toBe(true);
  });
});

describe('node-pg-migrate, from npm: --migrate "node-pg-migrate up", --down "node-pg-migrate down"', () => {
  const good = tempTree({
    'notes.spec.yaml': notesSpec('{ migrations: node-pg-migrate, latest: 1700000000000_create-notes, pending: 0, failed: 0, folder: migrations }'),
    'migrations/1700000000000_create-notes.sql': `-- Up Migration\n${NOTES}\n\n-- Down Migration\ndrop table public.notes;\n`,
  });
  const broken = tempTree({
    'migrations/1700000000000_create-notes.js': "exports.up = (pgm) => { pgm.addColumn({ schema: 'public', name: 'nope' }, { body: { type: 'text' } }); };\nexports.down = () => {};\n",
  });
  const npm = (dir: string, command: string) => `${BIN}/node-pg-migrate ${command} --migrations-dir ${dir}/migrations`;

  it('a correct migration passes, and the down migration restores the schema', async () => {
    const run = await gate(join(good, 'notes.spec.yaml'), ['--migrate', npm(good, 'up'), '--down', npm(good, 'down')]);
    expect(run.results).toEqual([
      'pre passed: table public.notes does not exist',
      'post passed: table public.notes as expected',
      'post passed: migrations node-pg-migrate as expected',
      'roundtrip passed: the down migrations restore the pre-migration schema',
    ]);
    expect(run.code).toBe(0);
  });

  it('a broken migration fails the gate with node-pg-migrate\'s error', async () => {
    const command = npm(broken, 'up');
    const run = await gate(join(good, 'notes.spec.yaml'), ['--migrate', command]);
    expect(run.code).toBe(1);
    expect(run.failures).toHaveLength(1);
    expect(run.failures[0]!.startsWith(commandFailed(command, 1))).toBe(true);
    expect(run.output).toContain('relation "public.nope" does not exist');
  });

  it('a migration that runs but leaves the wrong schema fails the post checks, naming the column', async () => {
    const wrong = tempTree({ 'migrations/1700000000000_create-notes.sql': '-- Up Migration\ncreate table public.notes (id int primary key, body varchar(200));\n' });
    const run = await gate(join(good, 'notes.spec.yaml'), ['--migrate', npm(wrong, 'up')]);
    expect(run.code).toBe(1);
    expect(run.failures).toEqual(['table public.notes: column body type is character varying(200), expected text']);
  });
});

describe('Alembic, from Debian: --migrate "python3 -m alembic upgrade head", --down "... downgrade base"', async () => {
  const alembic = await ensureAlembic();
  if ('reason' in alembic) console.log(`skipping the Alembic gate tests: ${alembic.reason}`);
  const revision = (up: string) => ({
    ...ALEMBIC_PROJECT,
    'alembic/versions/9c0d4e1f2a3b_create_notes.py': alembicRevision('9c0d4e1f2a3b', null, 'create notes', up, 'drop table public.notes'),
  });
  const good = tempTree({ ...revision(NOTES), 'notes.spec.yaml': notesSpec('{ migrations: alembic, latest: 9c0d4e1f2a3b, pending: 0, failed: 0, folder: alembic/versions }') });
  const broken = tempTree(revision(BROKEN));
  const cmd = (dir: string, command: string) => ('command' in alembic ? `${alembic.command} -c ${dir}/alembic.ini ${command}` : '');

  it.skipIf('reason' in alembic)('a correct revision passes, and downgrade base restores the schema', async () => {
    const run = await gate(join(good, 'notes.spec.yaml'), ['--migrate', cmd(good, 'upgrade head'), '--down', cmd(good, 'downgrade base')]);
    expect(run.results).toEqual([
      'pre passed: table public.notes does not exist',
      'post passed: table public.notes as expected',
      'post passed: migrations alembic as expected',
      'roundtrip passed: the down migrations restore the pre-migration schema',
    ]);
    expect(run.code).toBe(0);
  });

  it.skipIf('reason' in alembic)('a broken revision fails the gate with Alembic\'s error', async () => {
    const command = cmd(broken, 'upgrade head');
    const run = await gate(join(good, 'notes.spec.yaml'), ['--migrate', command]);
    expect(run.code).toBe(1);
    expect(run.failures).toHaveLength(1);
    expect(run.failures[0]!.startsWith(`${commandFailed(command, 1)} | [SQL: alter table public.nope add column body text;]`)).toBe(true);
    expect(run.output).toContain('relation "public.nope" does not exist');
  });
});

describe('the Supabase CLI, from npm: --migrate "supabase db push"', () => {
  const good = tempTree({
    'notes.spec.yaml': notesSpec('{ migrations: supabase, latest: "20240101000000", pending: 0, failed: 0, folder: supabase/migrations }'),
    'supabase/migrations/20240101000000_create_notes.sql': `${NOTES}\n`,
  });
  const broken = tempTree({ 'supabase/migrations/20240101000000_create_notes.sql': `${BROKEN}\n` });
  const push = (dir: string) => `cd ${dir} && ${BIN}/supabase db push --db-url "$DATABASE_URL" --yes`;

  it('a correct migration passes, with the history the CLI wrote', async () => {
    const run = await gate(join(good, 'notes.spec.yaml'), ['--migrate', push(good)]);
    expect(run.failures).toEqual([]);
    expect(run.code).toBe(0);
  });

  it('a broken migration fails the gate', async () => {
    const run = await gate(join(good, 'notes.spec.yaml'), ['--migrate', push(broken)]);
    expect(run.code).toBe(1);
    expect(run.failures).toEqual([
      `${commandFailed(push(broken), 1)}At statement: 0 | alter table public.nope add column body text | Try rerunning the command with --debug to troubleshoot the error.`,
    ]);
    expect(run.output).toContain('relation "public.nope" does not exist');
  });
});

describe('privileges in a Supabase gate: anon must not read notes, authenticated may', () => {
  const spec = [
    'name: notes privileges',
    'post:',
    '  - { table: public.notes, rls: enabled }',
    '  - privilege: { role: anon, on: table public.notes, privileges: [select], granted: false }',
    '  - privilege: { role: authenticated, on: table public.notes, privileges: [select, insert] }',
    '',
  ].join('\n');
  const migration = (extra: string) =>
    `create table public.notes (id bigint generated always as identity primary key, owner uuid default auth.uid(), body text);\nalter table public.notes enable row level security;\ncreate policy "owners read" on public.notes for select to authenticated using (owner = auth.uid());\n${extra}`;

  it('passes when the migration revokes what Supabase\'s default privileges gave anon', async () => {
    const dir = tempTree({ 'notes.spec.yaml': spec, 'supabase/migrations/20240101000000_notes.sql': migration('revoke all on public.notes from anon;\n') });
    const run = await gate(join(dir, 'notes.spec.yaml'), ['--preset', 'supabase', '--migrations', `${dir}/supabase/migrations`]);
    expect(run.results).toEqual([
      'post passed: table public.notes as expected',
      'post passed: privilege anon select on table public.notes: not granted, as expected',
      'post passed: privilege authenticated select, insert on table public.notes: granted, as expected',
    ]);
    expect(run.code).toBe(0);
  });

  it('fails when the grant changes: the migration forgets the revoke, or revokes too much', async () => {
    const forgot = tempTree({ 'notes.spec.yaml': spec, 'supabase/migrations/20240101000000_notes.sql': migration('') });
    const run = await gate(join(forgot, 'notes.spec.yaml'), ['--preset', 'supabase', '--migrations', `${forgot}/supabase/migrations`]);
    expect(run.code).toBe(1);
    expect(run.failures).toEqual(['privilege anon select on table public.notes: granted, expected not granted']);

    const tooMuch = tempTree({ 'notes.spec.yaml': spec, 'supabase/migrations/20240101000000_notes.sql': migration('revoke all on public.notes from anon, authenticated;\ngrant select on public.notes to authenticated;\n') });
    const again = await gate(join(tooMuch, 'notes.spec.yaml'), ['--preset', 'supabase', '--migrations', `${tooMuch}/supabase/migrations`]);
    expect(again.code).toBe(1);
    expect(again.failures).toEqual(['privilege authenticated select, insert on table public.notes: insert not granted, expected granted']);
  });
});

describe('the built-in runner on the tools\' plain SQL layouts (--migrations), no tool installed', () => {
  const spec = (dir: string) => join(dir, 'notes.spec.yaml');

  it('dbmate: the -- migrate:up sections run, the -- migrate:down sections do not', async () => {
    const dir = tempTree({
      'notes.spec.yaml': notesSpec('{ table: public.notes, columns: { title: { type: text } } }'),
      'db/migrations/20240101000000_create_notes.sql': `-- migrate:up\n${NOTES}\n\n-- migrate:down\ndrop table public.notes;\n`,
      'db/migrations/20240102000000_add_title.sql': '-- migrate:up\nalter table public.notes add column title text;\n-- migrate:down\nalter table public.notes drop column title;\n',
    });
    const run = await gate(spec(dir), ['--migrations', `${dir}/db/migrations`]);
    expect(run.failures).toEqual([]);
    expect(run.code).toBe(0);

    const broken = tempTree({ 'db/migrations/20240101000000_create_notes.sql': `-- migrate:up\n${NOTES}\n${BROKEN}\n\n-- migrate:down\ndrop table public.notes;\n` });
    const failed = await gate(spec(dir), ['--migrations', `${broken}/db/migrations`]);
    expect(failed.code).toBe(1);
    expect(failed.failures).toEqual([`migration failed: ${broken}/db/migrations/20240101000000_create_notes.sql:3: relation "public.nope" does not exist`]);
  });

  it('Flyway: versioned scripts by version number (V10 after V2), then repeatables; undo scripts are left out', async () => {
    const dir = tempTree({
      'notes.spec.yaml': notesSpec('{ view: public.notes_view }'),
      'sql/V1__create_notes.sql': `${NOTES}\n`,
      'sql/V2__add_title.sql': 'alter table public.notes add column title text;\n',
      'sql/V10__title_not_null.sql': 'alter table public.notes alter column title set not null;\n',
      'sql/U2__drop_title.sql': 'alter table public.notes drop column title;\n',
      'sql/R__notes_view.sql': 'create or replace view public.notes_view as select id, title from public.notes;\n',
    });
    const run = await gate(spec(dir), ['--migrations', `${dir}/sql`]);
    expect(run.failures).toEqual([]);
    expect(run.code).toBe(0);

    const broken = tempTree({ 'sql/V1__create_notes.sql': `${NOTES}\n`, 'sql/V1_1__broken.sql': `${BROKEN}\n`, 'sql/V2__add_title.sql': 'alter table public.notes add column title text;\n' });
    const failed = await gate(spec(dir), ['--migrations', `${broken}/sql`]);
    expect(failed.code).toBe(1);
    expect(failed.failures).toEqual([`migration failed: ${broken}/sql/V1_1__broken.sql:1: relation "public.nope" does not exist`]);
  });

  it('Supabase: supabase/migrations by timestamp', async () => {
    const dir = tempTree({
      'notes.spec.yaml': notesSpec('{ table: public.notes, rls: enabled }'),
      'supabase/migrations/20240101000000_create_notes.sql': `${NOTES}\n`,
      'supabase/migrations/20240102000000_enable_rls.sql': 'alter table public.notes enable row level security;\n',
    });
    const run = await gate(spec(dir), ['--migrations', `${dir}/supabase/migrations`]);
    expect(run.failures).toEqual([]);
    expect(run.code).toBe(0);

    const broken = tempTree({ 'supabase/migrations/20240101000000_create_notes.sql': `${NOTES}\n` });
    const failed = await gate(spec(dir), ['--migrations', `${broken}/supabase/migrations`]);
    expect(failed.code).toBe(1);
    expect(failed.failures).toEqual(['table public.notes: rls is disabled, expected enabled']);
  });
});
