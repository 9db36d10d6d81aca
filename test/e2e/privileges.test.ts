import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initSqlParser } from '../../src/check/sql-text.ts';
import { SpecError } from '../../src/errors.ts';
import type { Snapshot } from '../../src/snapshot/types.ts';
import { parseYamlSpec } from '../../src/spec/load.ts';
import { runCli, tempFiles } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { adminSql, captureState, ensureRole, outcome } from '../support/evaluate.ts';

// Issue #6: `privilege` (the has_*_privilege family) and `role`, on a real database. The
// Supabase scenario: anon must not read a table protected by RLS that it was never granted;
// authenticated may. Every privilege is read at capture time; evaluation reads the snapshot.

const FIXTURE = `
CREATE TABLE public.notes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, owner uuid, body text, secret text);
ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY "owners read their notes" ON public.notes FOR SELECT TO authenticated USING (owner IS NOT NULL);
GRANT SELECT, INSERT ON public.notes TO authenticated;
GRANT SELECT (id, body), UPDATE (body) ON public.notes TO pgspec_priv_support;

CREATE TABLE public.news (id int, title text);
GRANT SELECT ON public.news TO PUBLIC;
CREATE VIEW public.headlines AS SELECT title FROM public.news;
GRANT SELECT ON public.headlines TO anon;

CREATE SEQUENCE public.ticket_seq;
GRANT USAGE ON SEQUENCE public.ticket_seq TO authenticated;

CREATE SCHEMA app;
GRANT USAGE ON SCHEMA app TO authenticated;
CREATE FUNCTION app.secret_count() RETURNS integer LANGUAGE sql AS 'SELECT 1';
REVOKE EXECUTE ON FUNCTION app.secret_count() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.secret_count() TO authenticated;
CREATE FUNCTION public.hello(who text) RETURNS text LANGUAGE sql AS $$ SELECT 'hello ' || who $$;
`;

/** Roles are global to the cluster: created (when missing) before the databases, with Supabase's attributes. */
async function createRoles() {
  await ensureRole('anon', 'NOLOGIN NOINHERIT');
  await ensureRole('authenticated', 'NOLOGIN NOINHERIT');
  await ensureRole('pgspec_priv_support', 'NOLOGIN');
  await ensureRole('pgspec_priv_authenticator', 'LOGIN NOINHERIT');
  await adminSql('GRANT anon, authenticated TO pgspec_priv_authenticator').catch(() => undefined);
}

/** Every entry the tests evaluate: the capture reads the privileges these ask about. */
const ENTRIES = [
  '- privilege: { role: anon, on: table public.notes, privileges: [select] }',
  '- privilege: { role: authenticated, on: table public.notes, privileges: [select, insert, update] }',
  '- privilege: { role: anon, on: table public.notes, privileges: [select, insert, update, delete] }',
  '- privilege: { role: anon, on: table public.*, privileges: select }',
  '- privilege: { role: public, on: table public.*, privileges: select }',
  '- privilege: { role: anon, on: view public.headlines, privileges: select }',
  '- privilege: { role: pgspec_priv_support, on: table public.notes, privileges: [select, update] }',
  '- privilege: { role: pgspec_priv_support, on: column public.notes.body, privileges: [select, update] }',
  '- privilege: { role: pgspec_priv_support, on: column public.notes.secret, privileges: [select] }',
  '- privilege: { role: authenticated, on: column public.notes.secret, privileges: [select] }',
  '- privilege: { role: authenticated, on: sequence public.ticket_seq, privileges: [usage, select] }',
  '- privilege: { role: anon, on: sequence public.ticket_seq, privileges: usage }',
  '- privilege: { role: authenticated, on: schema app, privileges: [usage, create] }',
  '- privilege: { role: anon, on: schema app, privileges: usage }',
  '- privilege: { role: authenticated, on: function app.secret_count(), privileges: execute }',
  '- privilege: { role: anon, on: function app.secret_count(), privileges: execute }',
  '- privilege: { role: anon, on: function public.hello(text), privileges: execute }',
  '- privilege: { role: pgspec_priv_ghost, on: table public.notes, privileges: select }',
];

let db: TestDatabase;
let post: Snapshot;

beforeAll(async () => {
  await initSqlParser();
  await createRoles();
  db = await createTestDatabase(FIXTURE, 'privileges');
  post = await captureState(db.url, ENTRIES);
});

afterAll(async () => {
  await db?.drop();
});

describe('the Supabase scenario: a table with RLS, granted to authenticated only', () => {
  it('anon cannot select: granted: false passes, and the default (granted) fails', () => {
    expect(outcome('- privilege: { role: anon, on: table public.notes, privileges: [select], granted: false }', post)).toEqual({
      state: 'passed',
      message: 'privilege anon select on table public.notes: not granted, as expected',
    });
    expect(outcome('- privilege: { role: anon, on: table public.notes, privileges: [select] }', post)).toEqual({
      state: 'failed',
      message: 'privilege anon select on table public.notes: not granted, expected granted',
    });
  });

  it('authenticated can select: passes, and granted: false fails', () => {
    expect(outcome('- privilege: { role: authenticated, on: table public.notes, privileges: select }', post)).toEqual({
      state: 'passed',
      message: 'privilege authenticated select on table public.notes: granted, as expected',
    });
    expect(outcome('- { privilege: { role: authenticated, on: table public.notes, privileges: select }, granted: false }', post)).toEqual({
      state: 'failed',
      message: 'privilege authenticated select on table public.notes: granted, expected not granted',
    });
  });

  it('several privileges: every one must hold (granted) or none (granted: false); the message names those that differ', () => {
    expect(outcome('- privilege: { role: authenticated, on: table public.notes, privileges: [select, insert] }', post)).toEqual({
      state: 'passed',
      message: 'privilege authenticated select, insert on table public.notes: granted, as expected',
    });
    expect(outcome('- privilege: { role: authenticated, on: table public.notes, privileges: [select, insert, update] }', post)).toEqual({
      state: 'failed',
      message: 'privilege authenticated select, insert, update on table public.notes: update not granted, expected granted',
    });
    expect(outcome('- privilege: { role: anon, on: table public.notes, privileges: "SELECT, Insert, update, delete", granted: false }', post)).toEqual({
      state: 'passed',
      message: 'privilege anon select, insert, update, delete on table public.notes: not granted, as expected',
    });
    expect(outcome('- privilege: { role: authenticated, on: table public.notes, privileges: [select, insert, update], granted: false }', post)).toEqual({
      state: 'failed',
      message: 'privilege authenticated select, insert, update on table public.notes: select, insert granted, expected not granted',
    });
  });

  it('fails when the grant changes: anon granted select, authenticated revoked', async () => {
    await using changed = await createTestDatabase(FIXTURE, 'privileges_changed');
    const spec = [
      '- privilege: { role: anon, on: table public.notes, privileges: [select], granted: false }',
      '- privilege: { role: authenticated, on: table public.notes, privileges: [select] }',
    ];
    const before = await captureState(changed.url, spec);
    expect(outcome(spec[0]!, before).state).toBe('passed');
    expect(outcome(spec[1]!, before).state).toBe('passed');

    await changed.exec('GRANT SELECT ON public.notes TO anon; REVOKE SELECT ON public.notes FROM authenticated;');
    const after = await captureState(changed.url, spec);
    expect(outcome(spec[0]!, after)).toEqual({ state: 'failed', message: 'privilege anon select on table public.notes: granted, expected not granted' });
    expect(outcome(spec[1]!, after)).toEqual({ state: 'failed', message: 'privilege authenticated select on table public.notes: not granted, expected granted' });

    // A grant to PUBLIC reaches anon too.
    await changed.exec('REVOKE SELECT ON public.notes FROM anon; GRANT SELECT ON public.notes TO PUBLIC;');
    const viaPublic = await captureState(changed.url, spec);
    expect(outcome(spec[0]!, viaPublic)).toEqual({ state: 'failed', message: 'privilege anon select on table public.notes: granted, expected not granted' });
  });
});

describe('globs, views and the PUBLIC pseudo-role', () => {
  it('a glob checks every matching table and names the ones that fail', () => {
    expect(outcome('- privilege: { role: anon, on: table public.*, privileges: select, granted: false }', post)).toEqual({
      state: 'failed',
      message: 'privilege anon select on table public.*: public.news granted, expected not granted',
    });
    expect(outcome('- privilege: { role: public, on: table public.*, privileges: select }', post)).toEqual({
      state: 'failed',
      message: 'privilege public select on table public.*: public.notes not granted, expected granted',
    });
    expect(outcome('- privilege: { role: public, on: table public.n*s, privileges: select }', post)).toEqual({
      state: 'failed',
      message: 'privilege public select on table public.n*s: public.notes not granted, expected granted',
    });
  });

  it('a view is its own kind of object', () => {
    expect(outcome('- privilege: { role: anon, on: view public.headlines, privileges: select }', post)).toEqual({
      state: 'passed',
      message: 'privilege anon select on view public.headlines: granted, as expected',
    });
    expect(outcome('- privilege: { role: anon, on: table public.headlines, privileges: select }', post)).toEqual({
      state: 'errored',
      message: 'privilege anon select on table public.headlines: table public.headlines does not exist',
    });
  });
});

describe('columns, sequences, schemas and functions', () => {
  it('column privileges: a column grant, and a table grant that covers every column', () => {
    expect(outcome('- privilege: { role: pgspec_priv_support, on: column public.notes.body, privileges: [select, update] }', post)).toEqual({
      state: 'passed',
      message: 'privilege pgspec_priv_support select, update on column public.notes.body: granted, as expected',
    });
    expect(outcome('- privilege: { role: pgspec_priv_support, on: column public.notes.secret, privileges: [select] }', post)).toEqual({
      state: 'failed',
      message: 'privilege pgspec_priv_support select on column public.notes.secret: not granted, expected granted',
    });
    expect(outcome('- privilege: { role: pgspec_priv_support, on: table public.notes, privileges: [select, update], granted: false }', post)).toEqual({
      state: 'passed',
      message: 'privilege pgspec_priv_support select, update on table public.notes: not granted, as expected',
    });
    expect(outcome('- privilege: { role: authenticated, on: column public.notes.secret, privileges: [select] }', post)).toEqual({
      state: 'passed',
      message: 'privilege authenticated select on column public.notes.secret: granted, as expected',
    });
  });

  it('sequence privileges', () => {
    expect(outcome('- privilege: { role: authenticated, on: sequence public.ticket_seq, privileges: usage }', post)).toEqual({
      state: 'passed',
      message: 'privilege authenticated usage on sequence public.ticket_seq: granted, as expected',
    });
    expect(outcome('- privilege: { role: authenticated, on: sequence public.ticket_seq, privileges: [usage, select] }', post)).toEqual({
      state: 'failed',
      message: 'privilege authenticated usage, select on sequence public.ticket_seq: select not granted, expected granted',
    });
    expect(outcome('- privilege: { role: anon, on: sequence public.ticket_seq, privileges: usage, granted: false }', post)).toEqual({
      state: 'passed',
      message: 'privilege anon usage on sequence public.ticket_seq: not granted, as expected',
    });
  });

  it('schema privileges', () => {
    expect(outcome('- privilege: { role: authenticated, on: schema app, privileges: usage }', post)).toEqual({
      state: 'passed',
      message: 'privilege authenticated usage on schema app: granted, as expected',
    });
    expect(outcome('- privilege: { role: authenticated, on: schema app, privileges: [usage, create] }', post)).toEqual({
      state: 'failed',
      message: 'privilege authenticated usage, create on schema app: create not granted, expected granted',
    });
    expect(outcome('- privilege: { role: anon, on: schema app, privileges: usage }', post)).toEqual({
      state: 'failed',
      message: 'privilege anon usage on schema app: not granted, expected granted',
    });
  });

  it('function privileges: EXECUTE revoked from PUBLIC, and the PUBLIC default', () => {
    expect(outcome('- privilege: { role: authenticated, on: function app.secret_count(), privileges: execute }', post)).toEqual({
      state: 'passed',
      message: 'privilege authenticated execute on function app.secret_count(): granted, as expected',
    });
    expect(outcome('- privilege: { role: anon, on: function app.secret_count(), privileges: execute, granted: false }', post)).toEqual({
      state: 'passed',
      message: 'privilege anon execute on function app.secret_count(): not granted, as expected',
    });
    // hello(text) keeps PostgreSQL's default: EXECUTE for PUBLIC, so anon has it.
    expect(outcome('- privilege: { role: anon, on: function public.hello(text), privileges: execute }', post)).toEqual({
      state: 'passed',
      message: 'privilege anon execute on function public.hello(text): granted, as expected',
    });
    expect(outcome('- privilege: { role: anon, on: function public.hello(text), privileges: execute, granted: false }', post)).toEqual({
      state: 'failed',
      message: 'privilege anon execute on function public.hello(text): granted, expected not granted',
    });
  });
});

describe('what cannot be evaluated is errored, with a clear message', () => {
  it('a role that does not exist', () => {
    expect(outcome('- privilege: { role: pgspec_priv_ghost, on: table public.notes, privileges: select, granted: false }', post)).toEqual({
      state: 'errored',
      message: 'privilege pgspec_priv_ghost select on table public.notes: role pgspec_priv_ghost does not exist',
    });
  });

  it('an object that does not exist, with a suggestion when only case differs', () => {
    expect(outcome('- privilege: { role: anon, on: table public.nope, privileges: select, granted: false }', post)).toEqual({
      state: 'errored',
      message: 'privilege anon select on table public.nope: table public.nope does not exist',
    });
    expect(outcome('- privilege: { role: anon, on: \'table public."Notes"\', privileges: select, granted: false }', post)).toEqual({
      state: 'errored',
      message: 'privilege anon select on table public."Notes": table public."Notes" does not exist (did you mean table public.notes?)',
    });
  });

  it('a privilege the state did not record (asked of a state captured without it)', () => {
    expect(outcome('- privilege: { role: anon, on: table public.news, privileges: insert }', post)).toEqual({
      state: 'errored',
      message: 'privilege anon insert on table public.news: insert not recorded in this state',
    });
  });

  it('a privilege the object kind does not have is a spec error', () => {
    expect(() => parseYamlSpec('name: x\npost:\n  - privilege: { role: anon, on: table public.notes, privileges: [select, execute] }\n', 'x.spec.yaml')).toThrow(
      new SpecError('x.spec.yaml', 3, 66, 'post[0].privilege.privileges', '"execute" is not a privilege of a table; expected "select", "insert", "update", "delete", "truncate", "references", "trigger" or "maintain"'),
    );
  });
});

describe('role', () => {
  it('existence, login and membership of the API roles', () => {
    expect(outcome('- { role: pgspec_priv_authenticator, login: true, memberOf: [anon, authenticated] }', post)).toEqual({
      state: 'passed',
      message: 'role pgspec_priv_authenticator as expected',
    });
    expect(outcome('- { role: anon, login: true }', post)).toEqual({ state: 'failed', message: 'role anon: login is false, expected true' });
    expect(outcome('- { role: pgspec_priv_authenticator, memberOf: [anon, pgspec_priv_support] }', post)).toEqual({
      state: 'failed',
      message: 'role pgspec_priv_authenticator: is not a member of pgspec_priv_support',
    });
  });
});

describe('offline: a snapshot taken with --spec records the privileges', () => {
  it('pgspec snapshot --spec, then pgspec check against the file', async () => {
    const dir = tempFiles({
      'rls.spec.yaml': [
        'name: rls',
        'post:',
        '  - privilege: { role: anon, on: table public.notes, privileges: [select], granted: false }',
        '  - privilege: { role: authenticated, on: table public.notes, privileges: [select] }',
        '',
      ].join('\n'),
    });
    const spec = join(dir, 'rls.spec.yaml');
    const withSpec = join(dir, 'with.snapshot.json');
    const bare = join(dir, 'bare.snapshot.json');
    expect((await runCli(['snapshot', '--target', db.url, '--spec', spec, '-o', withSpec, '--quiet'])).code).toBe(0);
    expect((await runCli(['snapshot', '--target', db.url, '-o', bare, '--quiet'])).code).toBe(0);

    const ok = await runCli(['check', spec, '--target', withSpec]);
    expect({ code: ok.code, last: ok.stdout.trimEnd().split('\n').at(-1) }).toEqual({ code: 0, last: '2 passed, 0 failed' });

    const offline = await runCli(['check', spec, '--target', bare]);
    expect(offline.code).toBe(1);
    expect(offline.stdout).toContain('privilege anon select on table public.notes: not recorded in this state (a snapshot holds privileges only when taken with pgspec snapshot --spec)');
  });
});
