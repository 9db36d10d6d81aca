import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initSqlParser } from '../../../src/check/sql-text.ts';
import { emptySnapshot, type Snapshot } from '../../../src/snapshot/types.ts';
import { createTestDatabase, type TestDatabase } from '../../support/db.ts';
import { captureState, ensureRole, outcome, verdict } from '../../support/evaluate.ts';

// Acceptance matrix (issue #2) for enum, extension, role and server, plus privilege and
// migrations against a state captured without them: they must be `errored`, never passed.

const FIXTURE = `
CREATE SCHEMA app;
CREATE SCHEMA extensions;
CREATE EXTENSION pgcrypto SCHEMA extensions;
CREATE EXTENSION citext;

CREATE TYPE app.order_status AS ENUM ('new', 'paid', 'shipped');
ALTER TYPE app.order_status ADD VALUE 'cancelled';
ALTER TYPE app.order_status ADD VALUE 'on hold' BEFORE 'paid';
CREATE TYPE public."Mood" AS ENUM ('Happy', 'sad');
`;

/** Roles are global to the cluster: created (when missing) before the database. */
async function createRoles() {
  await ensureRole('pgspec_eval_readers', 'NOLOGIN');
  await ensureRole('pgspec_eval_writers', 'NOLOGIN');
  await ensureRole('pgspec_eval_app', 'LOGIN IN ROLE pgspec_eval_readers, pgspec_eval_writers');
  await ensureRole('Pgspec Eval Auditor', 'NOLOGIN');
}

/** The server expectations name settings: the capture reads those. */
const SERVER_SETTINGS = [
  `- server: { settings: { server_encoding: UTF8, standard_conforming_strings: on, TimeZone: UTC, max_connections: 0 } }`,
];

let db: TestDatabase;
let post: Snapshot;
/** The server version as PostgreSQL reports it, e.g. 17.5. */
let version: string;

beforeAll(async () => {
  await initSqlParser();
  await createRoles();
  db = await createTestDatabase(FIXTURE, 'eval_misc');
  await db.exec(`ALTER DATABASE ${db.name} SET TimeZone = 'UTC'`);
  post = await captureState(db.url, SERVER_SETTINGS);
  const [row] = await db.query<{ v: string }>(`SELECT split_part(current_setting('server_version'), ' ', 1) AS v`);
  version = row!.v;
});

afterAll(async () => {
  await db?.drop();
});

describe('enum', () => {
  it('exists, and exists: false', () => {
    expect(outcome('- enum: app.order_status', post)).toEqual({ state: 'passed', message: 'enum app.order_status as expected' });
    expect(outcome('- enum: public.order_status', post)).toEqual({ state: 'failed', message: 'enum public.order_status does not exist' });
    expect(outcome('- { enum: app.priority, exists: false }', post)).toEqual({ state: 'passed', message: 'enum app.priority does not exist' });
    expect(outcome('- { enum: app.order_status, exists: false }', post)).toEqual({
      state: 'failed',
      message: 'enum app.order_status exists, expected it to be absent',
    });
  });

  it('a mixed-case enum name: quoted is exact, unquoted folds and the failure suggests it', () => {
    expect(outcome('- enum: \'"Mood"\'', post)).toEqual({ state: 'passed', message: 'enum "Mood" as expected' });
    expect(outcome('- enum: Mood', post)).toEqual({ state: 'failed', message: 'enum Mood does not exist (did you mean public."Mood"?)' });
  });

  it('labels: exact and ordered, as ALTER TYPE ... ADD VALUE left them', () => {
    expect(outcome("- { enum: app.order_status, labels: [new, on hold, paid, shipped, cancelled] }", post)).toEqual({
      state: 'passed',
      message: 'enum app.order_status as expected',
    });
    expect(outcome("- { enum: app.order_status, labels: [new, paid, shipped, cancelled, on hold] }", post)).toEqual({
      state: 'failed',
      message: 'enum app.order_status: labels is [new, on hold, paid, shipped, cancelled], expected [new, paid, shipped, cancelled, on hold]',
    });
    expect(outcome("- { enum: app.order_status, labels: [new, on hold, paid, shipped] }", post)).toEqual({
      state: 'failed',
      message: 'enum app.order_status: labels is [new, on hold, paid, shipped, cancelled], expected [new, on hold, paid, shipped]',
    });
  });

  it('labels are literal strings: case matters', () => {
    expect(outcome('- { enum: \'"Mood"\', labels: [Happy, sad] }', post)).toEqual({ state: 'passed', message: 'enum "Mood" as expected' });
    expect(outcome('- { enum: \'"Mood"\', labels: [happy, sad] }', post)).toEqual({
      state: 'failed',
      message: 'enum "Mood": labels is [Happy, sad], expected [happy, sad]',
    });
  });
});

describe('extension', () => {
  it('exists, and exists: false', () => {
    expect(outcome('- extension: pgcrypto', post)).toEqual({ state: 'passed', message: 'extension pgcrypto as expected' });
    expect(outcome('- extension: postgis', post)).toEqual({ state: 'failed', message: 'extension postgis does not exist' });
    expect(outcome('- { extension: postgis, exists: false }', post)).toEqual({ state: 'passed', message: 'extension postgis does not exist' });
    expect(outcome('- { extension: citext, exists: false }', post)).toEqual({
      state: 'failed',
      message: 'extension citext exists, expected it to be absent',
    });
  });

  it('version', () => {
    const actual = post.extensions.pgcrypto!.version;
    expect(actual).toMatch(/^\d+\.\d+$/);
    expect(outcome(`- { extension: pgcrypto, version: "${actual}" }`, post)).toEqual({ state: 'passed', message: 'extension pgcrypto as expected' });
    expect(outcome('- { extension: pgcrypto, version: "0.9" }', post)).toEqual({
      state: 'failed',
      message: `extension pgcrypto: version is ${actual}, expected 0.9`,
    });
  });

  it('schema', () => {
    expect(outcome('- { extension: pgcrypto, schema: extensions }', post)).toEqual({ state: 'passed', message: 'extension pgcrypto as expected' });
    expect(outcome('- { extension: citext, schema: extensions }', post)).toEqual({
      state: 'failed',
      message: 'extension citext: schema is public, expected extensions',
    });
  });
});

describe('role', () => {
  it('exists, and exists: false', () => {
    expect(outcome('- role: pgspec_eval_app', post)).toEqual({ state: 'passed', message: 'role pgspec_eval_app as expected' });
    expect(outcome('- role: pgspec_eval_ghost', post)).toEqual({ state: 'failed', message: 'role pgspec_eval_ghost does not exist' });
    expect(outcome('- { role: pgspec_eval_ghost, exists: false }', post)).toEqual({
      state: 'passed',
      message: 'role pgspec_eval_ghost does not exist',
    });
    expect(outcome('- { role: pgspec_eval_readers, exists: false }', post)).toEqual({
      state: 'failed',
      message: 'role pgspec_eval_readers exists, expected it to be absent',
    });
  });

  it('a name with spaces and capitals is taken as written; a case-only difference is suggested, quoted', () => {
    expect(outcome('- role: Pgspec Eval Auditor', post)).toEqual({ state: 'passed', message: 'role Pgspec Eval Auditor as expected' });
    expect(outcome('- role: pgspec eval auditor', post)).toEqual({
      state: 'failed',
      message: 'role pgspec eval auditor does not exist (did you mean "Pgspec Eval Auditor"?)',
    });
  });

  it('login', () => {
    expect(outcome('- { role: pgspec_eval_app, login: true }', post)).toEqual({ state: 'passed', message: 'role pgspec_eval_app as expected' });
    expect(outcome('- { role: pgspec_eval_readers, login: false }', post)).toEqual({ state: 'passed', message: 'role pgspec_eval_readers as expected' });
    expect(outcome('- { role: pgspec_eval_readers, login: true }', post)).toEqual({
      state: 'failed',
      message: 'role pgspec_eval_readers: login is false, expected true',
    });
  });

  it('memberOf: the roles it must belong to, others allowed', () => {
    expect(outcome('- { role: pgspec_eval_app, memberOf: [pgspec_eval_readers] }', post)).toEqual({
      state: 'passed',
      message: 'role pgspec_eval_app as expected',
    });
    expect(outcome('- { role: pgspec_eval_app, memberOf: [pgspec_eval_writers, pgspec_eval_readers] }', post)).toEqual({
      state: 'passed',
      message: 'role pgspec_eval_app as expected',
    });
    expect(outcome('- { role: pgspec_eval_app, memberOf: [pgspec_eval_readers, pg_read_all_data] }', post)).toEqual({
      state: 'failed',
      message: 'role pgspec_eval_app: is not a member of pg_read_all_data',
    });
  });
});

describe('server', () => {
  it('version: a semver range', () => {
    expect(version).toMatch(/^17\.\d+$/);
    expect(outcome('- server: { version: ">=15" }', post)).toEqual({ state: 'passed', message: `server ${version} as expected` });
    expect(outcome('- server: { version: "^17" }', post)).toEqual({ state: 'passed', message: `server ${version} as expected` });
    expect(outcome('- server: { version: "15 - 16" }', post)).toEqual({
      state: 'failed',
      message: `server: version ${version}, expected 15 - 16`,
    });
    expect(outcome('- server: { version: "<17" }', post)).toEqual({ state: 'failed', message: `server: version ${version}, expected <17` });
  });

  it('version: a range that is not semver is errored', () => {
    expect(outcome('- server: { version: "seventeen" }', post)).toEqual({
      state: 'errored',
      message: 'server: version range seventeen is not a valid semver range',
    });
  });

  it('settings: values as PostgreSQL reads them (on = true), names case-insensitive', () => {
    expect(outcome('- server: { settings: { server_encoding: UTF8, standard_conforming_strings: true, TimeZone: UTC } }', post)).toEqual({
      state: 'passed',
      message: `server ${version} as expected`,
    });
    expect(outcome('- server: { version: ">=17", settings: { standard_conforming_strings: off, TimeZone: Europe/Paris } }', post)).toEqual({
      state: 'failed',
      message: 'server: setting standard_conforming_strings is on, expected off; setting TimeZone is UTC, expected Europe/Paris',
    });
    expect(outcome('- server: { settings: { max_connections: 0 } }', post)).toEqual({
      state: 'failed',
      message: `server: setting max_connections is ${post.server.settings.max_connections}, expected 0`,
    });
  });

  it('settings: one the state did not record is errored', () => {
    expect(outcome('- server: { settings: { work_mem: 4MB } }', post)).toEqual({
      state: 'errored',
      message: 'server: setting work_mem was not recorded in this state',
    });
  });

  it('a state without server information (a bare snapshot) is errored', () => {
    expect(outcome('- server: { version: ">=15" }', emptySnapshot())).toEqual({
      state: 'errored',
      message: 'server: this state records no server information',
    });
  });
});

describe('privilege and migrations against a state that did not record them', () => {
  // Evaluated in test/e2e/privileges.test.ts and test/e2e/migrations.test.ts; here the state
  // was captured without asking for them, so they must be errored, never passed.
  it('privilege is errored, never passed', () => {
    const r = verdict('- privilege: { role: pgspec_eval_app, on: schema app, privileges: [usage] }', post);
    expect({ state: r.state, message: r.message, object: r.object }).toEqual({
      state: 'errored',
      message: 'privilege pgspec_eval_app usage on schema app: not recorded in this state (a snapshot holds privileges only when taken with pgspec snapshot --spec)',
      object: 'privilege pgspec_eval_app usage on schema app',
    });
  });

  it('migrations is errored, never passed', () => {
    expect(outcome('- { migrations: supabase, pending: 0 }', post)).toEqual({
      state: 'errored',
      message: 'migrations supabase: the supabase history was not recorded in this state (a snapshot holds migration histories only when taken with pgspec snapshot --spec)',
    });
  });
});
