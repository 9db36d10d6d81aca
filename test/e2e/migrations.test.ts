import { createHash, randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpecError } from '../../src/errors.ts';
import { evaluateSpecs } from '../../src/run/check.ts';
import { collectNeeds } from '../../src/run/needs.ts';
import { loadSpecs } from '../../src/spec/load.ts';
import { openTarget } from '../../src/targets/open.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { alembicRevision, ALEMBIC_PROJECT, BIN, ensureAlembic, runTool, tempTree, writeTree } from '../support/tools.ts';

// Issue #6: the `migrations` kind reads each tool's own history table. Where the tool runs here
// (Supabase CLI, dbmate, node-pg-migrate, knex from npm; Alembic from Debian) the tool writes its
// history; Prisma and Flyway cannot be installed here, so their rows are written exactly as they
// write them. Each flavour: applied, latest, pending, failed, passing and failing.

type Outcome = { state: string; message: string };

/**
 * Writes the entries as a spec file in `dir` (so `folder:` is relative to it), loads it the way
 * the CLI does (reading the folders), captures the database and evaluates: one outcome per entry.
 */
async function check(db: TestDatabase, dir: string, entries: string[]): Promise<Outcome[]> {
  const file = join(dir, 'history.spec.yaml');
  writeFileSync(file, `name: history\npost:\n${entries.map((e) => `  ${e}`).join('\n')}\n`);
  const specs = await loadSpecs([file]);
  await using target = await openTarget(db.url, { concurrency: 1 });
  const state = await target.capture(collectNeeds(specs[0]!.post), { counts: 'exact' });
  return evaluateSpecs(specs, 'post', state)[0]!.results.map(({ state: s, message }) => ({ state: s, message }));
}

const one = async (db: TestDatabase, dir: string, entry: string) => (await check(db, dir, [entry]))[0]!;

async function mustRun(command: string, url: string, cwd: string): Promise<string> {
  const r = await runTool(command, url, cwd);
  if (r.exitCode !== 0) throw new Error(`${command} exited with ${r.exitCode}: ${r.output}`);
  return r.output;
}

describe('supabase: the Supabase CLI writes supabase_migrations.schema_migrations', () => {
  let db: TestDatabase;
  let dir: string;
  let pushFailure: string;

  beforeAll(async () => {
    db = await createTestDatabase(undefined, 'mig_supabase');
    dir = tempTree({
      'supabase/migrations/20240101000000_create_notes.sql': 'create table public.notes (id bigint primary key, body text);\n',
      'supabase/migrations/20240102000000_add_tags.sql': 'alter table public.notes add column tags text[];\n',
    });
    await mustRun(`${BIN}/supabase db push --db-url "$DATABASE_URL" --yes`, db.url, dir);
    // A broken migration: the CLI rolls it back and records nothing.
    writeTree(dir, { 'supabase/migrations/20240103000000_broken.sql': 'alter table public.nope add column x int;\n' });
    const r = await runTool(`${BIN}/supabase db push --db-url "$DATABASE_URL" --yes`, db.url, dir);
    pushFailure = r.exitCode === 0 ? 'the push succeeded' : 'the push failed';
  }, 120_000);

  afterAll(async () => {
    await db?.drop();
  });

  it('the CLI wrote the rows pgspec reads (and refused the broken migration)', async () => {
    expect(pushFailure).toBe('the push failed');
    expect(await db.query('SELECT version, name, statements FROM supabase_migrations.schema_migrations ORDER BY version')).toEqual([
      { version: '20240101000000', name: 'create_notes', statements: ['create table public.notes (id bigint primary key, body text)'] },
      { version: '20240102000000', name: 'add_tags', statements: ['alter table public.notes add column tags text[]'] },
    ]);
  });

  it('applied', async () => {
    expect(await one(db, dir, '- { migrations: supabase, applied: [20240101000000, 20240102000000_add_tags] }')).toEqual({ state: 'passed', message: 'migrations supabase as expected' });
    expect(await one(db, dir, '- { migrations: supabase, applied: [20240101000000, 20240103000000] }')).toEqual({
      state: 'failed',
      message: 'migrations supabase: 20240103000000 is not applied',
    });
  });

  it('latest', async () => {
    expect(await one(db, dir, '- { migrations: supabase, latest: 20240102000000 }')).toEqual({ state: 'passed', message: 'migrations supabase as expected' });
    expect(await one(db, dir, '- { migrations: supabase, latest: 20240103000000 }')).toEqual({
      state: 'failed',
      message: 'migrations supabase: latest is 20240102000000, expected 20240103000000',
    });
  });

  it('pending, against the folder', async () => {
    expect(await one(db, dir, '- { migrations: supabase, pending: 1, folder: supabase/migrations }')).toEqual({ state: 'passed', message: 'migrations supabase as expected' });
    expect(await one(db, dir, '- { migrations: supabase, pending: 0, folder: supabase/migrations }')).toEqual({
      state: 'failed',
      message: `migrations supabase: 1 pending in ${dir}/supabase/migrations, expected 0: 20240103000000`,
    });
  });

  it('failed: the CLI records no failure, so the broken migration is pending, not failed', async () => {
    expect(await one(db, dir, '- { migrations: supabase, failed: 0 }')).toEqual({ state: 'passed', message: 'migrations supabase as expected' });
    expect(await one(db, dir, '- { migrations: supabase, failed: 1 }')).toEqual({
      state: 'failed',
      message: 'migrations supabase: 0 failed, expected 1 (supabase records no failed migrations: a failed one is rolled back and stays pending)',
    });
  });

  it('several properties fail in one line', async () => {
    expect(await one(db, dir, '- { migrations: supabase, latest: 20240103000000, pending: 0, folder: supabase/migrations }')).toEqual({
      state: 'failed',
      message: `migrations supabase: latest is 20240102000000, expected 20240103000000; 1 pending in ${dir}/supabase/migrations, expected 0: 20240103000000`,
    });
  });
});

/** Prisma's history table, as its schema engine creates it on PostgreSQL. */
const PRISMA_TABLE = `
CREATE TABLE "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
);`;

const PRISMA_MIGRATIONS: Record<string, string> = {
  '20240101120000_init': 'CREATE TABLE "Note" ("id" SERIAL NOT NULL, "body" TEXT, CONSTRAINT "Note_pkey" PRIMARY KEY ("id"));\n',
  '20240102120000_add_title': 'ALTER TABLE "Note" ADD COLUMN "title" TEXT NOT NULL;\n',
  '20240103120000_add_tags': 'ALTER TABLE "Nope" ADD COLUMN "tags" TEXT[];\n',
  '20240104120000_add_index': 'CREATE INDEX "Note_title_idx" ON "Note"("title");\n',
};

describe('prisma: _prisma_migrations, rows written as `prisma migrate deploy` and `migrate resolve` write them', () => {
  let db: TestDatabase;
  let dir: string;

  /** `migrate deploy` of one migration: a started row, then finished (or its error logged). */
  async function deploy(name: string, outcome: 'finished' | { error: string }): Promise<string> {
    const id = randomUUID();
    const checksum = createHash('sha256').update(PRISMA_MIGRATIONS[name]!).digest('hex');
    await db.query('INSERT INTO "_prisma_migrations" ("id", "checksum", "migration_name", "started_at", "applied_steps_count") VALUES ($1, $2, $3, now(), 0)', [id, checksum, name]);
    if (outcome === 'finished') await db.query('UPDATE "_prisma_migrations" SET "finished_at" = now(), "applied_steps_count" = "applied_steps_count" + 1 WHERE "id" = $1', [id]);
    else await db.query('UPDATE "_prisma_migrations" SET "logs" = $1 WHERE "id" = $2', [outcome.error, id]);
    return id;
  }

  beforeAll(async () => {
    db = await createTestDatabase(PRISMA_TABLE, 'mig_prisma');
    dir = tempTree(Object.fromEntries(Object.entries(PRISMA_MIGRATIONS).map(([name, sql]) => [`prisma/migrations/${name}/migration.sql`, sql])));
    writeTree(dir, { 'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n' });
    await deploy('20240101120000_init', 'finished');
    // add_title failed first (existing rows, NOT NULL), was marked rolled back (`prisma migrate resolve --rolled-back`), then deployed fixed.
    const first = await deploy('20240102120000_add_title', { error: 'Database error code: 23502' });
    await db.query('UPDATE "_prisma_migrations" SET "rolled_back_at" = now() WHERE "id" = $1', [first]);
    await deploy('20240102120000_add_title', 'finished');
    await deploy('20240103120000_add_tags', { error: 'Database error code: 42P01\n\nDatabase error:\nERROR: relation "Nope" does not exist' });
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('applied: a failed migration is named as failed; one re-deployed after a rollback is applied', async () => {
    expect(await one(db, dir, '- { migrations: prisma, applied: [20240101120000_init, 20240102120000_add_title] }')).toEqual({ state: 'passed', message: 'migrations prisma as expected' });
    expect(await one(db, dir, '- { migrations: prisma, applied: [20240103120000_add_tags, 20240104120000_add_index] }')).toEqual({
      state: 'failed',
      message: 'migrations prisma: 20240104120000_add_index is not applied, 20240103120000_add_tags failed',
    });
  });

  it('latest', async () => {
    expect(await one(db, dir, '- { migrations: prisma, latest: 20240102120000_add_title }')).toEqual({ state: 'passed', message: 'migrations prisma as expected' });
    expect(await one(db, dir, '- { migrations: prisma, latest: 20240104120000_add_index }')).toEqual({
      state: 'failed',
      message: 'migrations prisma: latest is 20240102120000_add_title, expected 20240104120000_add_index',
    });
  });

  it('pending: migration folders not applied, the failed one included', async () => {
    expect(await one(db, dir, '- { migrations: prisma, pending: 2, folder: prisma/migrations }')).toEqual({ state: 'passed', message: 'migrations prisma as expected' });
    expect(await one(db, dir, '- { migrations: prisma, pending: 0, folder: prisma/migrations }')).toEqual({
      state: 'failed',
      message: `migrations prisma: 2 pending in ${dir}/prisma/migrations, expected 0: 20240103120000_add_tags, 20240104120000_add_index`,
    });
  });

  it('failed: finished_at and rolled_back_at both empty', async () => {
    expect(await one(db, dir, '- { migrations: prisma, failed: 1 }')).toEqual({ state: 'passed', message: 'migrations prisma as expected' });
    expect(await one(db, dir, '- { migrations: prisma, failed: 0 }')).toEqual({
      state: 'failed',
      message: 'migrations prisma: 1 failed, expected 0: 20240103120000_add_tags',
    });
  });

  it('after `prisma migrate resolve --rolled-back`, the failed migration is rolled back, no longer failed', async () => {
    await db.query('UPDATE "_prisma_migrations" SET "rolled_back_at" = now() WHERE "migration_name" = $1 AND "finished_at" IS NULL AND "rolled_back_at" IS NULL', ['20240103120000_add_tags']);
    expect(await check(db, dir, ['- { migrations: prisma, failed: 0 }', '- { migrations: prisma, applied: [20240103120000_add_tags] }'])).toEqual([
      { state: 'passed', message: 'migrations prisma as expected' },
      { state: 'failed', message: 'migrations prisma: 20240103120000_add_tags was rolled back' },
    ]);
  });
});

/** Flyway's history table on PostgreSQL, as Flyway creates it. */
const FLYWAY_TABLE = (schema: string, table: string) => `
CREATE TABLE "${schema}"."${table}" (
    "installed_rank" INT NOT NULL,
    "version" VARCHAR(50),
    "description" VARCHAR(200) NOT NULL,
    "type" VARCHAR(20) NOT NULL,
    "script" VARCHAR(1000) NOT NULL,
    "checksum" INTEGER,
    "installed_by" VARCHAR(100) NOT NULL,
    "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
    "execution_time" INTEGER NOT NULL,
    "success" BOOLEAN NOT NULL
);
ALTER TABLE "${schema}"."${table}" ADD CONSTRAINT "${table}_pk" PRIMARY KEY ("installed_rank");
CREATE INDEX "${table}_s_idx" ON "${schema}"."${table}" ("success");`;

const FLYWAY_FILES: Record<string, string> = {
  'V1__create_notes.sql': 'create table notes (id int primary key, body text);\n',
  'V1_1__add_title.sql': 'alter table notes add column title text;\n',
  'V2__index_notes.sql': 'create index concurrently notes_title_idx on nope (title);\n',
  'V10__add_tags.sql': 'alter table notes add column tags text[];\n',
  'R__notes_view.sql': 'create or replace view notes_view as select id, title from notes;\n',
};

/** Flyway's checksum: CRC32 of the script's lines without their line endings, as a signed int. */
const flywayChecksum = (text: string) => crc32(text.split(/\r?\n/).filter((_, i, all) => i < all.length - 1 || all[i] !== '').join('')) | 0;

describe('flyway: flyway_schema_history, rows written as Flyway writes them', () => {
  let db: TestDatabase;
  let dir: string;

  /** One history row, as Flyway inserts it after running a script. */
  async function record(schema: string, table: string, rank: number, version: string | null, description: string, type: string, script: string, success: boolean) {
    const checksum = FLYWAY_FILES[script] === undefined ? null : flywayChecksum(FLYWAY_FILES[script]!);
    await db.query(
      `INSERT INTO "${schema}"."${table}" ("installed_rank", "version", "description", "type", "script", "checksum", "installed_by", "execution_time", "success") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [rank, version, description, type, script, checksum, 'postgres', 12, success],
    );
  }

  beforeAll(async () => {
    db = await createTestDatabase(`${FLYWAY_TABLE('public', 'flyway_schema_history')}\nCREATE SCHEMA app;\n${FLYWAY_TABLE('app', 'schema_history')}`, 'mig_flyway');
    dir = tempTree(Object.fromEntries(Object.entries(FLYWAY_FILES).map(([name, sql]) => [`sql/${name}`, sql])));
    await record('public', 'flyway_schema_history', 1, '1', 'create notes', 'SQL', 'V1__create_notes.sql', true);
    await record('public', 'flyway_schema_history', 2, '1.1', 'add title', 'SQL', 'V1_1__add_title.sql', true);
    await record('public', 'flyway_schema_history', 3, null, 'notes view', 'SQL', 'R__notes_view.sql', true);
    // CREATE INDEX CONCURRENTLY runs outside a transaction, so its failure is recorded (success = false).
    await record('public', 'flyway_schema_history', 4, '2', 'index notes', 'SQL', 'V2__index_notes.sql', false);
    // A second history (flyway.table=schema_history, flyway.schemas=app), started from `flyway baseline -baselineVersion=1.1`.
    await db.exec(`INSERT INTO "app"."schema_history" ("installed_rank", "version", "description", "type", "script", "checksum", "installed_by", "execution_time", "success") VALUES (0, NULL, '<< Flyway Schema Creation >>', 'SCHEMA', '"app"', NULL, 'postgres', 0, true)`);
    await record('app', 'schema_history', 1, '1.1', '<< Flyway Baseline >>', 'BASELINE', '<< Flyway Baseline >>', true);
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('applied: versions compare as Flyway compares them (1.0 is 1); a failed one is named', async () => {
    expect(await one(db, dir, '- { migrations: flyway, applied: ["1.0", "1.1"] }')).toEqual({ state: 'passed', message: 'migrations flyway as expected' });
    expect(await one(db, dir, '- { migrations: flyway, applied: ["1", "2", "10"] }')).toEqual({
      state: 'failed',
      message: 'migrations flyway: 10 is not applied, 2 failed',
    });
  });

  it('latest: the highest successful version', async () => {
    expect(await one(db, dir, '- { migrations: flyway, latest: "1.1" }')).toEqual({ state: 'passed', message: 'migrations flyway as expected' });
    expect(await one(db, dir, '- { migrations: flyway, latest: "2" }')).toEqual({ state: 'failed', message: 'migrations flyway: latest is 1.1, expected 2' });
  });

  it('pending: versioned scripts not applied, in version order (repeatables are not counted)', async () => {
    expect(await one(db, dir, '- { migrations: flyway, pending: 2, folder: sql }')).toEqual({ state: 'passed', message: 'migrations flyway as expected' });
    expect(await one(db, dir, '- { migrations: flyway, pending: 0, folder: sql }')).toEqual({
      state: 'failed',
      message: `migrations flyway: 2 pending in ${dir}/sql, expected 0: 2, 10`,
    });
  });

  it('failed: success = false', async () => {
    expect(await one(db, dir, '- { migrations: flyway, failed: 1 }')).toEqual({ state: 'passed', message: 'migrations flyway as expected' });
    expect(await one(db, dir, '- { migrations: flyway, failed: 0 }')).toEqual({ state: 'failed', message: 'migrations flyway: 1 failed, expected 0: 2' });
  });

  it('schema and table name a history kept elsewhere; scripts at or below the baseline are not pending', async () => {
    expect(await one(db, dir, '- { migrations: flyway, schema: app, table: schema_history, latest: "1.1", failed: 0, pending: 2, folder: sql }')).toEqual({
      state: 'passed',
      message: 'migrations flyway as expected',
    });
    expect(await one(db, dir, '- { migrations: flyway, schema: app, table: schema_history, pending: 0, folder: sql }')).toEqual({
      state: 'failed',
      message: `migrations flyway: 2 pending in ${dir}/sql, expected 0: 2, 10`,
    });
  });
});

describe('knex: knex migrate:latest writes knex_migrations', () => {
  let db: TestDatabase;
  let dir: string;
  let failure: string;

  beforeAll(async () => {
    db = await createTestDatabase(undefined, 'mig_knex');
    dir = tempTree({
      'migrations/20240101000000_create_notes.js':
        "exports.up = (knex) => knex.schema.createTable('notes', (t) => { t.increments('id'); t.text('body'); });\nexports.down = (knex) => knex.schema.dropTable('notes');\n",
      'migrations/20240102000000_add_title.js':
        "exports.up = (knex) => knex.schema.alterTable('notes', (t) => { t.text('title'); });\nexports.down = (knex) => knex.schema.alterTable('notes', (t) => { t.dropColumn('title'); });\n",
    });
    // knex runs from the project, where it is installed; the folder is given on the command line.
    const knex = `${BIN}/knex migrate:latest --client pg --connection "$DATABASE_URL" --migrations-directory ${dir}/migrations`;
    await mustRun(knex, db.url, process.cwd());
    writeTree(dir, { 'migrations/20240103000000_broken.js': "exports.up = (knex) => knex.raw('alter table nope add column x int');\nexports.down = () => {};\n" });
    const r = await runTool(knex, db.url, process.cwd());
    failure = r.exitCode === 0 ? 'succeeded' : 'failed';
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
  });

  it('knex wrote the rows pgspec reads', async () => {
    expect(failure).toBe('failed');
    expect(await db.query('SELECT id, name, batch FROM knex_migrations ORDER BY id')).toEqual([
      { id: 1, name: '20240101000000_create_notes.js', batch: 1 },
      { id: 2, name: '20240102000000_add_title.js', batch: 1 },
    ]);
  });

  it('applied: by file name, with or without its extension', async () => {
    expect(await one(db, dir, '- { migrations: knex, applied: [20240101000000_create_notes, 20240102000000_add_title.js] }')).toEqual({ state: 'passed', message: 'migrations knex as expected' });
    expect(await one(db, dir, '- { migrations: knex, applied: [20240103000000_broken.js] }')).toEqual({
      state: 'failed',
      message: 'migrations knex: 20240103000000_broken.js is not applied',
    });
  });

  it('latest', async () => {
    expect(await one(db, dir, '- { migrations: knex, latest: 20240102000000_add_title }')).toEqual({ state: 'passed', message: 'migrations knex as expected' });
    expect(await one(db, dir, '- { migrations: knex, latest: 20240103000000_broken }')).toEqual({
      state: 'failed',
      message: 'migrations knex: latest is 20240102000000_add_title, expected 20240103000000_broken',
    });
  });

  it('pending', async () => {
    expect(await one(db, dir, '- { migrations: knex, pending: 1, folder: migrations }')).toEqual({ state: 'passed', message: 'migrations knex as expected' });
    expect(await one(db, dir, '- { migrations: knex, pending: 0, folder: migrations }')).toEqual({
      state: 'failed',
      message: `migrations knex: 1 pending in ${dir}/migrations, expected 0: 20240103000000_broken`,
    });
  });

  it('failed: knex rolls the batch back and records nothing', async () => {
    expect(await one(db, dir, '- { migrations: knex, failed: 0 }')).toEqual({ state: 'passed', message: 'migrations knex as expected' });
    expect(await one(db, dir, '- { migrations: knex, failed: 2 }')).toEqual({
      state: 'failed',
      message: 'migrations knex: 0 failed, expected 2 (knex records no failed migrations: a failed one is rolled back and stays pending)',
    });
  });

  it('a history table that does not exist fails every property, naming the table', async () => {
    expect(await one(db, dir, '- { migrations: knex, schema: audit, failed: 0 }')).toEqual({
      state: 'failed',
      message: 'migrations knex: no knex history table audit.knex_migrations',
    });
    expect(await one(db, dir, '- { migrations: dbmate }')).toEqual({ state: 'failed', message: 'migrations dbmate: no dbmate history table public.schema_migrations' });
  });
});

describe('node-pg-migrate: node-pg-migrate up writes pgmigrations', () => {
  let db: TestDatabase;
  let dir: string;
  let failure: string;

  beforeAll(async () => {
    db = await createTestDatabase(undefined, 'mig_npm');
    dir = tempTree({
      'migrations/1700000000000_create-notes.sql': '-- Up Migration\ncreate table notes (id serial primary key, body text);\n\n-- Down Migration\ndrop table notes;\n',
      'migrations/1700000000001_add-title.js': "exports.up = (pgm) => { pgm.addColumn('notes', { title: { type: 'text' } }); };\nexports.down = (pgm) => { pgm.dropColumn('notes', 'title'); };\n",
    });
    const up = `${BIN}/node-pg-migrate up --migrations-dir migrations`;
    await mustRun(up, db.url, dir);
    writeTree(dir, { 'migrations/1700000000002_broken.sql': '-- Up Migration\nalter table nope add column x int;\n\n-- Down Migration\n' });
    failure = (await runTool(up, db.url, dir)).exitCode === 0 ? 'succeeded' : 'failed';
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
  });

  it('node-pg-migrate wrote the rows pgspec reads', async () => {
    expect(failure).toBe('failed');
    expect(await db.query('SELECT id, name FROM pgmigrations ORDER BY id')).toEqual([
      { id: 1, name: '1700000000000_create-notes' },
      { id: 2, name: '1700000000001_add-title' },
    ]);
  });

  it('applied', async () => {
    expect(await one(db, dir, '- { migrations: node-pg-migrate, applied: [1700000000000_create-notes, 1700000000001_add-title.js] }')).toEqual({ state: 'passed', message: 'migrations node-pg-migrate as expected' });
    expect(await one(db, dir, '- { migrations: node-pg-migrate, applied: [1700000000002_broken] }')).toEqual({
      state: 'failed',
      message: 'migrations node-pg-migrate: 1700000000002_broken is not applied',
    });
  });

  it('latest', async () => {
    expect(await one(db, dir, '- { migrations: node-pg-migrate, latest: 1700000000001_add-title }')).toEqual({ state: 'passed', message: 'migrations node-pg-migrate as expected' });
    expect(await one(db, dir, '- { migrations: node-pg-migrate, latest: 1700000000000_create-notes }')).toEqual({
      state: 'failed',
      message: 'migrations node-pg-migrate: latest is 1700000000001_add-title, expected 1700000000000_create-notes',
    });
  });

  it('pending', async () => {
    expect(await one(db, dir, '- { migrations: node-pg-migrate, pending: 1, folder: migrations }')).toEqual({ state: 'passed', message: 'migrations node-pg-migrate as expected' });
    expect(await one(db, dir, '- { migrations: node-pg-migrate, pending: 3, folder: migrations }')).toEqual({
      state: 'failed',
      message: `migrations node-pg-migrate: 1 pending in ${dir}/migrations, expected 3: 1700000000002_broken`,
    });
  });

  it('failed', async () => {
    expect(await one(db, dir, '- { migrations: node-pg-migrate, failed: 0 }')).toEqual({ state: 'passed', message: 'migrations node-pg-migrate as expected' });
    expect(await one(db, dir, '- { migrations: node-pg-migrate, failed: 1 }')).toEqual({
      state: 'failed',
      message: 'migrations node-pg-migrate: 0 failed, expected 1 (node-pg-migrate records no failed migrations: a failed one is rolled back and stays pending)',
    });
  });
});

describe('dbmate: dbmate up writes schema_migrations', () => {
  let db: TestDatabase;
  let dir: string;
  let failure: string;

  beforeAll(async () => {
    db = await createTestDatabase(undefined, 'mig_dbmate');
    dir = tempTree({
      'db/migrations/20240101000000_create_notes.sql': '-- migrate:up\ncreate table notes (id int primary key, body text);\n\n-- migrate:down\ndrop table notes;\n',
      'db/migrations/20240102000000_add_title.sql': '-- migrate:up\nalter table notes add column title text;\n\n-- migrate:down\nalter table notes drop column title;\n',
    });
    const up = `${BIN}/dbmate --no-dump-schema up`;
    await mustRun(up, db.url, dir);
    writeTree(dir, { 'db/migrations/20240103000000_broken.sql': '-- migrate:up\nalter table nope add column x int;\n\n-- migrate:down\n' });
    failure = (await runTool(up, db.url, dir)).exitCode === 0 ? 'succeeded' : 'failed';
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
  });

  it('dbmate wrote the rows pgspec reads', async () => {
    expect(failure).toBe('failed');
    expect(await db.query('SELECT version FROM schema_migrations ORDER BY version')).toEqual([{ version: '20240101000000' }, { version: '20240102000000' }]);
  });

  it('applied', async () => {
    expect(await one(db, dir, '- { migrations: dbmate, applied: [20240101000000, 20240102000000] }')).toEqual({ state: 'passed', message: 'migrations dbmate as expected' });
    expect(await one(db, dir, '- { migrations: dbmate, applied: [20240102000000, 20240103000000, 20240104000000] }')).toEqual({
      state: 'failed',
      message: 'migrations dbmate: 20240103000000, 20240104000000 are not applied',
    });
  });

  it('latest', async () => {
    expect(await one(db, dir, '- { migrations: dbmate, latest: 20240102000000 }')).toEqual({ state: 'passed', message: 'migrations dbmate as expected' });
    expect(await one(db, dir, '- { migrations: dbmate, latest: 20240101000000 }')).toEqual({ state: 'failed', message: 'migrations dbmate: latest is 20240102000000, expected 20240101000000' });
  });

  it('pending: the default folder db/migrations is read from the working directory when no folder is given', async () => {
    expect(await one(db, dir, '- { migrations: dbmate, pending: 1, folder: db/migrations }')).toEqual({ state: 'passed', message: 'migrations dbmate as expected' });
    expect(await one(db, dir, '- { migrations: dbmate, pending: 0, folder: db/migrations }')).toEqual({
      state: 'failed',
      message: `migrations dbmate: 1 pending in ${dir}/db/migrations, expected 0: 20240103000000`,
    });
    await expect(check(db, dir, ['- { migrations: dbmate, pending: 0 }'])).rejects.toThrow(
      new SpecError(join(dir, 'history.spec.yaml'), 3, undefined, 'post[0].pending', `pending needs the dbmate migrations folder: give folder: (relative to this spec file); the default db/migrations does not exist in ${process.cwd()}`),
    );
    await expect(check(db, dir, ['- { migrations: dbmate, pending: 0, folder: db/nowhere }'])).rejects.toThrow(
      new SpecError(join(dir, 'history.spec.yaml'), 3, undefined, 'post[0].folder', `cannot read the migrations folder ${dir}/db/nowhere: it does not exist`),
    );
  });

  it('failed', async () => {
    expect(await one(db, dir, '- { migrations: dbmate, failed: 0 }')).toEqual({ state: 'passed', message: 'migrations dbmate as expected' });
    expect(await one(db, dir, '- { migrations: dbmate, failed: 1 }')).toEqual({
      state: 'failed',
      message: 'migrations dbmate: 0 failed, expected 1 (dbmate records no failed migrations: a failed one is rolled back and stays pending)',
    });
  });
});

describe('alembic: alembic upgrade writes alembic_version (its current heads)', async () => {
  const alembic = await ensureAlembic();
  if ('reason' in alembic) console.log(`skipping the Alembic history tests: ${alembic.reason}`);
  let db: TestDatabase;
  let dir: string;
  let failure: string;

  beforeAll(async () => {
    if ('reason' in alembic) return;
    db = await createTestDatabase(undefined, 'mig_alembic');
    // a1 creates notes; b1 and b2 branch from it (two heads); c1 (on b1) is written but never applied.
    dir = tempTree({
      ...ALEMBIC_PROJECT,
      'alembic/versions/a1f0c2d3e4b5_create_notes.py': alembicRevision('a1f0c2d3e4b5', null, 'create notes', 'create table notes (id int primary key)', 'drop table notes'),
      'alembic/versions/b1e2d3c4f5a6_add_title.py': alembicRevision('b1e2d3c4f5a6', 'a1f0c2d3e4b5', 'add title', 'alter table notes add column title text', 'alter table notes drop column title'),
      'alembic/versions/b2c3d4e5f6a7_add_tags.py': alembicRevision('b2c3d4e5f6a7', 'a1f0c2d3e4b5', 'add tags', 'alter table notes add column tags text[]', 'alter table notes drop column tags'),
    });
    await mustRun(`${alembic.command} upgrade heads`, db.url, dir);
    writeTree(dir, { 'alembic/versions/c1d2e3f4a5b6_broken.py': alembicRevision('c1d2e3f4a5b6', 'b1e2d3c4f5a6', 'broken', 'alter table nope add column x int', 'select 1') });
    failure = (await runTool(`${alembic.command} upgrade heads`, db.url, dir)).exitCode === 0 ? 'succeeded' : 'failed';
  }, 600_000);

  afterAll(async () => {
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf('reason' in alembic)('Alembic wrote its two heads, and rolled the broken revision back', async () => {
    expect(failure).toBe('failed');
    expect(await db.query('SELECT version_num FROM alembic_version ORDER BY version_num')).toEqual([{ version_num: 'b1e2d3c4f5a6' }, { version_num: 'b2c3d4e5f6a7' }]);
  });

  it.skipIf('reason' in alembic)('applied: with the folder, ancestors of the heads are applied; without it, only the heads are known', async () => {
    expect(await one(db, dir, '- { migrations: alembic, applied: [a1f0c2d3e4b5, b2c3d4e5f6a7], folder: alembic/versions }')).toEqual({ state: 'passed', message: 'migrations alembic as expected' });
    expect(await one(db, dir, '- { migrations: alembic, applied: [c1d2e3f4a5b6], folder: alembic }')).toEqual({
      state: 'failed',
      message: 'migrations alembic: c1d2e3f4a5b6 is not applied',
    });
    expect(await one(db, dir, '- { migrations: alembic, applied: [b1e2d3c4f5a6] }')).toEqual({ state: 'passed', message: 'migrations alembic as expected' });
    expect(await one(db, dir, '- { migrations: alembic, applied: [a1f0c2d3e4b5] }')).toEqual({
      state: 'failed',
      message: 'migrations alembic: a1f0c2d3e4b5 is not applied (alembic records only its current heads; give folder: to count their ancestors)',
    });
  });

  it.skipIf('reason' in alembic)('latest: the current heads, one or several', async () => {
    expect(await one(db, dir, '- { migrations: alembic, latest: [b2c3d4e5f6a7, b1e2d3c4f5a6] }')).toEqual({ state: 'passed', message: 'migrations alembic as expected' });
    expect(await one(db, dir, '- { migrations: alembic, latest: c1d2e3f4a5b6 }')).toEqual({
      state: 'failed',
      message: 'migrations alembic: latest is [b1e2d3c4f5a6, b2c3d4e5f6a7], expected c1d2e3f4a5b6',
    });
  });

  it.skipIf('reason' in alembic)('pending: revisions in versions/ that no head descends from', async () => {
    expect(await one(db, dir, '- { migrations: alembic, pending: 1, folder: alembic/versions }')).toEqual({ state: 'passed', message: 'migrations alembic as expected' });
    expect(await one(db, dir, '- { migrations: alembic, pending: 0, folder: alembic/versions }')).toEqual({
      state: 'failed',
      message: `migrations alembic: 1 pending in ${dir}/alembic/versions, expected 0: c1d2e3f4a5b6`,
    });
  });

  it.skipIf('reason' in alembic)('failed', async () => {
    expect(await one(db, dir, '- { migrations: alembic, failed: 0 }')).toEqual({ state: 'passed', message: 'migrations alembic as expected' });
    expect(await one(db, dir, '- { migrations: alembic, failed: 1 }')).toEqual({
      state: 'failed',
      message: 'migrations alembic: 0 failed, expected 1 (alembic records no failed migrations: a failed one is rolled back and stays pending)',
    });
  });
});
