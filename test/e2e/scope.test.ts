import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogScope } from '../../src/catalog/scope.ts';
import { initSqlParser } from '../../src/check/sql-text.ts';
import { collectNeeds } from '../../src/run/needs.ts';
import type { Snapshot } from '../../src/snapshot/types.ts';
import { openTarget } from '../../src/targets/open.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { inlineSpec, verdicts } from '../support/evaluate.ts';

// `pgspec check` without a baseline reads only the part of the catalog its specs name
// (src/catalog/scope.ts). Every verdict and message must be the one the whole catalog gives:
// suggestions for a name in the wrong case, hints that a view of that name exists, globs.

const FIXTURE = `
CREATE SCHEMA app;
CREATE SCHEMA other;
CREATE TABLE app.clients (id integer PRIMARY KEY, email text NOT NULL);
CREATE TABLE app."Orders" (id integer PRIMARY KEY, client_id integer REFERENCES app.clients (id) ON DELETE CASCADE);
CREATE INDEX orders_client ON app."Orders" (client_id);
CREATE VIEW app.recent AS SELECT id FROM app."Orders";
CREATE TYPE app.mood AS ENUM ('sad', 'happy');
CREATE FUNCTION app.f(integer) RETURNS integer LANGUAGE sql AS 'SELECT 1';
CREATE FUNCTION app.unrelated() RETURNS integer LANGUAGE sql AS 'SELECT 1';
CREATE SEQUENCE app.counter;
CREATE TABLE other.t1 (id integer);
CREATE TABLE other.t2 (id integer);
ALTER TABLE app.clients ENABLE ROW LEVEL SECURITY;
CREATE POLICY clients_read ON app.clients FOR SELECT USING (true);
CREATE TRIGGER clients_touch BEFORE UPDATE ON app.clients FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();
`;

const ENTRIES = `
- table: app.clients
  columns: { email: { type: text, nullable: false } }
  policies: [clients_read]
  primaryKey: [id]
- table: app.orders
- table: app.recent
- table: app.nope
  exists: false
- table: "other.*"
- table: "oth?r.t*"
- column: app.clients.EMAIL
- column: app.Clients.email
- view: app.clients
- view: app.recent
- index: app.orders_client
- index: app.ORDERS_CLIENT
- index: orders_client
  table: 'app."Orders"'
  columns: [client_id]
- foreignKey:
    table: 'app."Orders"'
    columns: [client_id]
    references: app.clients(id)
  onDelete: cascade
- constraint: clients_pkey
  table: app.clients
- trigger: clients_touch
  table: app.clients
- policy: clients_read
  table: app.CLIENTS
- function: app.f(integer)
- function: app.F
- function: app.g
- enum: app.mood
  labels: [sad, happy]
- enum: app.Mood
- sequence: app.counter
- schema: other
- extension: plpgsql
`;

describe('a scoped capture', () => {
  let db: TestDatabase;
  let full: Snapshot;
  let scoped: Snapshot;

  beforeAll(async () => {
    await initSqlParser();
    db = await createTestDatabase(FIXTURE, 'scope');
    const expectations = inlineSpec(ENTRIES).post;
    await using target = await openTarget(db.url, { concurrency: 2 });
    full = await target.capture(collectNeeds(expectations), { counts: 'exact' });
    scoped = await target.capture({ ...collectNeeds(expectations), catalog: catalogScope(expectations) }, { counts: 'exact' });
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('reads only what the expectations name', () => {
    expect(Object.keys(full.routines)).toEqual(['app.f(integer)', 'app.unrelated()']);
    expect(Object.keys(scoped.routines)).toEqual(['app.f(integer)']);
    // other.* is named by table globs, which read no columns.
    expect(full.tables['other.t1']?.columns).not.toEqual({});
    expect(scoped.tables['other.t1']?.columns).toEqual({});
  });

  it('gives every expectation the verdict and message the whole catalog gives', () => {
    const expected = verdicts(ENTRIES, full);
    expect(expected.some((r) => r.state === 'failed' && /did you mean/.test(r.message))).toBe(true);
    expect(expected.some((r) => r.state === 'failed' && /is a view/.test(r.message))).toBe(true);
    expect(verdicts(ENTRIES, scoped)).toEqual(expected);
  });
});

describe('catalogScope', () => {
  it('reads a relation for every kind some expectation naming it needs, however often and however it is written', () => {
    const scope = catalogScope(
      inlineSpec(`
- table: app.clients
- table: app.clients
  primaryKey: [id]
- column: app.clients.email
- column: clients.email
  type: text
- trigger: clients_touch
  table: APP.Clients
- table: app.clients
`).post,
    );
    const clients = { schemas: [], names: [['app', 'clients']] };
    expect(scope.tables).toEqual({ schemas: [], names: [['app', 'clients'], ['public', 'clients']] });
    expect(scope.views).toEqual({ schemas: [], names: [['app', 'clients'], ['public', 'clients']] });
    expect(scope.constraints).toEqual(clients);
    expect(scope.triggers).toEqual(clients);
    expect(scope.columns).toEqual({ schemas: [], names: [['app', 'clients'], ['public', 'clients']] });
    expect(scope.policies).toBeUndefined();
    expect(scope.indexes).toBeUndefined();
  });
});
