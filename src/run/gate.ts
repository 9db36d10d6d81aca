import { readFile } from 'node:fs/promises';
import { evaluateChanges, withoutIgnored } from '../check/changes.ts';
import type { CheckResult } from '../check/result.ts';
import { initSqlParser } from '../check/sql-text.ts';
import { PgspecError, TargetError, UsageError } from '../errors.ts';
import { runCommand, type CommandResult } from '../migrate/command.ts';
import { applyMigrations, MigrationError, readMigrations, type MigrationFile } from '../migrate/folder.ts';
import { presetSql } from '../presets/index.ts';
import { changeText, diffSnapshots } from '../snapshot/diff.ts';
import type { Snapshot } from '../snapshot/types.ts';
import type { ChangeDecl, Spec } from '../spec/model.ts';
import { startEphemeral, type EphemeralServer } from '../targets/ephemeral.ts';
import { withClient } from '../targets/client.ts';
import { captureUrl } from '../targets/open.ts';
import { runScript, ScriptError, splitScript, type ScriptPart } from '../targets/sql-script.ts';
import { PGSPEC_VERSION } from '../version.ts';
import { evaluateSpecs } from './check.ts';
import { collectNeeds } from './needs.ts';
import { summarize, type RunResult, type SpecResult, type StepTiming } from './result.ts';
import { onAbort } from './teardown.ts';

/** GateOptions are the inputs of `pgspec gate` beyond the loaded specs. */
export interface GateOptions {
  /** `embedded` (default), `docker[:IMAGE]` or a postgres:// URL. */
  db: string;
  baseline?: string;
  seed?: string;
  preset?: string;
  migrations?: string;
  migrate?: string;
  down?: string;
  downMigrations?: string;
  counts: 'exact' | 'estimate';
  /** Called when a step starts, for progress output. */
  onProgress?: (message: string) => void;
}

/** The history tables of known migration tools: never part of the round-trip comparison. */
const HISTORY_TABLES: ChangeDecl[] = [
  'supabase_migrations.*',
  '*._prisma_migrations',
  '*.alembic_version',
  '*.flyway_schema_history',
  '*.knex_migrations',
  '*.knex_migrations_lock',
  '*.pgmigrations',
  '*.schema_migrations',
].map((name) => ({ verb: 'any', kind: 'table', name, text: `table ${name}` }));

interface Setup {
  name: string;
  file: string;
  parts: ScriptPart[];
}

async function readScript(name: string, file: string): Promise<Setup> {
  try {
    return { name, file, parts: splitScript(await readFile(file, 'utf8')) };
  } catch {
    throw new UsageError(`cannot read the ${name} file ${file}`);
  }
}

/** Checks the flags: a bad combination is exit 2 before anything starts. */
function checkFlags(options: GateOptions): void {
  if (!options.migrations && !options.migrate) throw new UsageError('gate needs the migrations to apply: --migrations DIR or --migrate "CMD"');
  if (options.migrations && options.migrate) throw new UsageError('give either --migrations DIR or --migrate "CMD", not both');
  if (options.down && options.downMigrations) throw new UsageError('give either --down "CMD" or --down-migrations DIR, not both');
  if (options.baseline && /\.json$/i.test(options.baseline)) {
    throw new UsageError(`--baseline ${options.baseline}: a snapshot holds no DDL to build a database from; give the schema as SQL (pg_dump --schema-only, or a full plain dump)`);
  }
}

/** Reads and splits every input file: a missing or unreadable one is exit 2, and nothing is loaded. */
async function prepare(options: GateOptions) {
  const setup: Setup[] = [];
  if (options.preset) setup.push({ name: 'preset', file: options.preset, parts: splitScript(presetSql(options.preset)) });
  if (options.baseline) setup.push(await readScript('baseline', options.baseline));
  if (options.seed) setup.push(await readScript('seed', options.seed));
  const up: MigrationFile[] | undefined = options.migrations ? await readMigrations(options.migrations, 'up') : undefined;
  const down: MigrationFile[] | undefined = options.downMigrations ? await readMigrations(options.downMigrations, 'up') : undefined;
  return { setup, up, down };
}

/** A Stopwatch records how long each step of a gate took. */
class Stopwatch {
  readonly steps: StepTiming[] = [];
  constructor(private readonly progress?: (message: string) => void) {}
  async time<T>(step: string, what: string, fn: () => Promise<T>, spec?: string): Promise<T> {
    this.progress?.(what);
    const started = Date.now();
    try {
      return await fn();
    } finally {
      this.steps.push({ step, ...(spec ? { spec } : {}), durationMs: Date.now() - started });
    }
  }
}

const failure = (phase: CheckResult['phase'], kind: CheckResult['kind'], object: string, message: string): CheckResult => ({ phase, kind, object, state: 'failed', message });

/** Applies the migrations one way; returns the failure as a result instead of throwing. */
async function migrate(
  url: string,
  files: MigrationFile[] | undefined,
  command: string | undefined,
  phase: 'migrate' | 'roundtrip',
  outputs: CommandResult[],
  progress?: (message: string) => void,
): Promise<CheckResult | undefined> {
  if (files) {
    try {
      await withClient(url, (client) => applyMigrations(client, files, (m, i) => progress?.(`  ${m.file} (${i + 1}/${files.length})`)));
    } catch (error) {
      if (error instanceof MigrationError) return failure(phase, 'migration', `migration ${error.file}`, `migration failed: ${error.message}`);
      throw error;
    }
    return undefined;
  }
  const result = await runCommand(command!, url);
  outputs.push(result);
  if (result.exitCode === 0) return undefined;
  const tail = result.output.trim().split('\n').slice(-3).join(' | ');
  const how = result.signal ? `was stopped by ${result.signal}` : `exited with code ${result.exitCode}`;
  return failure(phase, 'migration', `command ${command}`, `migration command failed: "${command}" ${how}${tail ? `: ${tail}` : ''}`);
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function roleNames(server: EphemeralServer): Promise<string[]> {
  return (await server.query<{ rolname: string }>('SELECT rolname FROM pg_roles')).map((r) => r.rolname);
}

/** Drops the roles created since `before` (best effort: a role still owning objects elsewhere stays). */
async function dropRolesExcept(server: EphemeralServer, before: Set<string>): Promise<void> {
  // Best effort, like the rest of teardown: the server may already be gone (SIGINT).
  const created = (await roleNames(server).catch(() => [])).filter((r) => !before.has(r));
  for (const role of created) await server.query(`DROP ROLE IF EXISTS ${quoteIdent(role)}`).catch(() => undefined);
}

/** The round trip: after the down migrations the schema equals the pre state (rows aside). */
function roundTrip(pre: Snapshot, after: Snapshot, ignore: ChangeDecl[]): CheckResult {
  const differences = withoutIgnored(diffSnapshots(pre, after), [...ignore, ...HISTORY_TABLES], pre, after);
  const base = { phase: 'roundtrip' as const, kind: 'roundtrip' as const, object: 'schema after the down migrations' };
  return differences.length === 0
    ? { ...base, state: 'passed', message: 'the down migrations restore the pre-migration schema' }
    : {
        ...base,
        state: 'failed',
        message: `the down migrations do not restore the pre-migration schema: ${differences.map(changeText).join('; ')}`,
        expected: 'the pre-migration schema',
        actual: differences.map(changeText),
        failures: differences.map((c) => ({ object: changeText(c), message: 'differs from the pre state' })),
      };
}

/** Runs `pgspec gate`: preset, baseline, seed, pre checks, migrations, post checks and changes, down migrations. */
export async function runGate(specs: Spec[], options: GateOptions): Promise<RunResult> {
  const started = Date.now();
  checkFlags(options);
  // An embedded server is the gate's own: it starts while the input files are read and split,
  // and is stopped unused if one of them is bad. A server given by URL is touched only once
  // every input is known to be good.
  const starting = options.db === 'embedded' ? startEphemeral(options.db) : undefined;
  starting?.catch(() => undefined); // its failure is provision's to report
  let prepared: Awaited<ReturnType<typeof prepare>>;
  try {
    prepared = await prepare(options);
  } catch (error) {
    await starting?.then((s) => s.stop(), () => undefined);
    throw error;
  }
  const { setup, up, down } = prepared;
  // PostgreSQL's parser (WASM) compiles while the server starts; evaluation waits for it.
  const parser = initSqlParser();
  parser.catch(() => undefined);
  const watch = new Stopwatch(options.onProgress);
  const outputs: CommandResult[] = [];
  const results: SpecResult[] = specs.map((s) => ({ name: s.name, file: s.file, results: [] }));
  const rowCounts: NonNullable<RunResult['rowCounts']> = {};
  const diff: string[] = [];
  let server: EphemeralServer | undefined;
  let description = options.db;
  let error: RunResult['error'];
  const release = onAbort(async () => {
    await server?.stop();
  });

  /** One spec on its own database: pre checks, migrations, post checks and changes, round trip. */
  const runSpec = async (spec: Spec, db: string, out: CheckResult[]) => {
    const allNeeds = collectNeeds([...spec.pre, ...spec.post, ...spec.always]);
    const capture = (countAll: boolean) => captureUrl(db, allNeeds, { counts: options.counts, countAll });

    const pre = await watch.time('pre', `pre checks: ${spec.name}`, async () => {
      const state = await capture(true);
      await parser;
      out.push(...evaluateSpecs([spec], 'pre', state)[0]!.results);
      return state;
    }, spec.name);
    rowCounts.pre = { ...rowCounts.pre, ...pre.rowCounts };

    const migrationFailure = await watch.time('migrate', `applying migrations: ${spec.name}`, () =>
      migrate(db, up, options.migrate, 'migrate', outputs, options.onProgress), spec.name);
    if (migrationFailure) {
      out.push(migrationFailure);
      return;
    }

    const post = await watch.time('post', `post checks: ${spec.name}`, async () => {
      const state = await capture(true);
      out.push(...evaluateSpecs([spec], 'post', state, pre)[0]!.results);
      const changes = diffSnapshots(pre, state, { rows: true });
      diff.push(...changes.map(changeText));
      if (spec.changes.length > 0 || spec.ignore.length > 0) out.push(...evaluateChanges(spec.changes, spec.ignore, changes, pre, state));
      return state;
    }, spec.name);
    rowCounts.post = { ...rowCounts.post, ...post.rowCounts };

    if (down || options.down) {
      await watch.time('down', `applying down migrations: ${spec.name}`, async () => {
        const downFailure = await migrate(db, down, options.down, 'roundtrip', outputs, options.onProgress);
        if (downFailure) return out.push(downFailure);
        const after = await captureUrl(db, { rowPatterns: [], settings: [], queries: [] }, { counts: options.counts });
        return out.push(roundTrip(pre, after, spec.ignore));
      }, spec.name);
    }
  };

  try {
    server = await watch.time('provision', `starting ${options.db} PostgreSQL`, () => starting ?? startEphemeral(options.db));
    description = server.description;
    // One spec runs on the database the setup was loaded into; several get a copy each.
    const single = specs.length === 1;
    const template = await server.createDatabase(single ? 'pgspec_spec_1' : 'pgspec_template');
    for (const s of setup) {
      await watch.time(s.name, `loading ${s.name} ${s.file}`, () =>
        withClient(template, async (client) => {
          try {
            await runScript(client, s.parts, s.file);
          } catch (e) {
            if (e instanceof ScriptError) throw new TargetError(`the ${s.name} failed to load: ${e.message}`, 'GATE_SETUP');
            throw e;
          }
        }),
      );
    }

    for (const [i, spec] of specs.entries()) {
      const dbName = `pgspec_spec_${i + 1}`;
      // Nothing is left to clean after the last spec when stopping removes the whole server.
      const last = i === specs.length - 1 && server.disposable;
      // Roles are the server's, not the database's: drop the ones a spec's migrations created,
      // so the next spec starts from the same state (and `CREATE ROLE` migrations work twice).
      const rolesBefore = last ? undefined : new Set(await roleNames(server));
      const db = single ? template : await server.createDatabase(dbName, 'pgspec_template');
      try {
        await runSpec(spec, db, results[i]!.results);
      } finally {
        if (!last) await server.dropDatabase(dbName).catch(() => undefined);
        if (rolesBefore) await dropRolesExcept(server, rolesBefore);
      }
    }
  } catch (e) {
    if (!(e instanceof PgspecError) || e.exitCode !== 3) throw e;
    error = { code: e.code, message: e.message };
  } finally {
    await watch.time('teardown', 'stopping PostgreSQL', async () => {
      await server?.stop();
    });
    release();
  }

  return {
    version: 1,
    command: 'gate',
    target: description,
    pgspecVersion: PGSPEC_VERSION,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    summary: summarize(results),
    specs: results,
    rowCounts,
    diff,
    steps: watch.steps,
    ...(outputs.length ? { commands: outputs } : {}),
    ...(error ? { error } : {}),
  };
}
