import { Command, CommanderError, Option } from 'commander';
import { initSqlParser } from '../check/sql-text.ts';
import { PgspecError, UsageError } from '../errors.ts';
import { environmentUrl, loadConfig, type Config } from './config.ts';
import { init } from './init.ts';
import { createProgress } from './progress.ts';
import { parseReporter, readRunResult, writeReports, type ReporterChoice } from '../reporters/index.ts';
import { runCheck } from '../run/check.ts';
import { readTargets, runFleet } from '../run/fleet.ts';
import { runGate } from '../run/gate.ts';
import { wasInterrupted } from '../run/teardown.ts';
import { collectNeeds } from '../run/needs.ts';
import { exitCodeOf } from '../run/result.ts';
import { diffSnapshots, formatChange } from '../snapshot/diff.ts';
import { loadSpecs } from '../spec/load.ts';
import type { LiveOptions } from '../targets/live.ts';
import { clusterCacheDir, startEmbedded } from '../targets/embedded.ts';
import { openTarget } from '../targets/open.ts';
import { redact } from '../targets/redact.ts';
import { writeSnapshotFile } from '../targets/snapshot-file.ts';
import { PGSPEC_VERSION } from '../version.ts';

/** Streams the CLI writes to; tests pass their own. */
export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

interface CommonOptions {
  reporter: string[];
  counts?: 'exact' | 'estimate';
  config?: string;
  env?: string;
  statementTimeout?: string;
  concurrency?: string;
  quiet?: boolean;
}

interface GateFlags {
  baseline?: string;
  seed?: string;
  preset?: string;
  migrations?: string;
  migrate?: string;
  down?: string;
  downMigrations?: string;
  db?: string;
}

/** Spec inputs from the command line, else from the config. */
function specInputs(fromArgs: string[], config: Config): string[] {
  if (fromArgs.length > 0) return fromArgs;
  if (config.specs && config.specs.length > 0) return config.specs;
  throw new UsageError('no spec files: name them (pgspec check specs/) or list them under specs: in pgspec.config');
}

const collect = (value: string, previous: string[]) => [...previous, value];

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} takes a positive whole number, got ${value}`);
  return n;
}

/** `--statement-timeout` accepts milliseconds or a unit: 500ms, 30s, 2min. */
function durationMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)\s*(ms|s|min)?$/.exec(value.trim());
  if (!m) throw new UsageError(`--statement-timeout takes a duration like 30s, 500ms or 2min, got ${value}`);
  return Number(m[1]) * (m[2] === 's' ? 1000 : m[2] === 'min' ? 60_000 : 1);
}

function liveOptions(o: CommonOptions, config: Config): LiveOptions {
  const concurrency = positiveInt(o.concurrency, '--concurrency') ?? config.concurrency;
  const statementTimeoutMs = durationMs(o.statementTimeout ?? (config.statementTimeout === undefined ? undefined : String(config.statementTimeout)));
  return { ...(concurrency ? { concurrency } : {}), ...(statementTimeoutMs ? { statementTimeoutMs } : {}) };
}

function addCommon(cmd: Command): Command {
  return cmd
    .option('--reporter <name[:path]>', 'console (default), json, junit; repeatable', collect, [])
    .addOption(new Option('--counts <mode>', 'row counts: exact (default) or from planner statistics').choices(['exact', 'estimate']))
    .option('--config <file>', 'config file (default: pgspec.config.{ts,js,json,yaml,yml} in the working directory)')
    .option('--env <name>', 'named environment from the config: its URL comes from the variable the config names')
    .option('--statement-timeout <duration>', 'statement_timeout on live targets (default 60s)')
    .option('--concurrency <n>', 'connections to a live target (default 4)')
    .option('--quiet', 'no console report (files named by --reporter are still written)');
}

function reportersOf(o: CommonOptions, config: Config): ReporterChoice[] {
  const choices = (o.reporter.length > 0 ? o.reporter : (config.reporters ?? [])).map(parseReporter);
  if (!choices.some((c) => !c.path) && !o.quiet) choices.unshift({ name: 'console' });
  return o.quiet ? choices.filter((c) => c.path) : choices;
}

/** The target from --target, else --env (or the config's defaultEnv), else DATABASE_URL. */
function targetOf(o: { target?: string; env?: string }, config: Config, env: NodeJS.ProcessEnv): string {
  const named = o.env ?? (o.target ? undefined : config.defaultEnv);
  if (o.target && o.env) throw new UsageError('give either --target or --env, not both');
  const target = o.target ?? (named ? environmentUrl(config, named, env) : env.DATABASE_URL);
  if (!target) throw new UsageError('no target: pass --target URL|FILE.snapshot.json|FILE.sql, or set DATABASE_URL');
  return target;
}

/** The exit code main() returns after SIGINT/SIGTERM: the exit hook then ends the process after teardown. */
export const INTERRUPTED = 130;

/** Runs the pgspec CLI and returns its exit code; never throws. */
export async function main(argv: string[], io: CliIO = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  let exitCode = 0;
  const color = !!io.stdout.isTTY && !io.env.NO_COLOR && io.env.CI !== 'true';
  const program = new Command('pgspec')
    .description('Declarative tests for PostgreSQL deployments')
    .version(PGSPEC_VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  program
    .command('setup')
    .description('prepare what a first run would: the CLI bundle and an initialised embedded PostgreSQL cluster (npm install runs it)')
    .action(async () => {
      const started = Date.now();
      // A start initialises the cached cluster when there is none; the stop removes this copy.
      const cluster = await startEmbedded();
      await cluster.stop();
      const cache = clusterCacheDir();
      io.stdout.write(`ready: embedded PostgreSQL ${cache ? `cluster cached in ${cache}` : 'started (cluster cache off)'}, ${Date.now() - started} ms\n`);
    });

  program
    .command('init')
    .description('scaffold pgspec.config.yaml, specs/example.spec.yaml and a GitHub Actions workflow')
    .option('--dir <dir>', 'project folder', '.')
    .action(async (o: { dir: string }) => {
      for (const r of await init(o.dir)) {
        io.stdout.write(r.action === 'created' ? `created ${r.path}\n` : `kept ${r.path} (exists; not overwritten)\n`);
      }
      io.stdout.write('next: edit specs/example.spec.yaml, then run `npx pgspec check --target "$DATABASE_URL"`\n');
    });

  addCommon(
    program
      .command('check')
      .description('evaluate specs against one state: a live URL, a snapshot file or a plain SQL dump')
      .argument('[spec...]', 'spec files or folders (default: the config\'s specs)')
      .option('--target <target>', 'postgres:// URL, *.snapshot.json or *.sql (default: DATABASE_URL)')
      .option('--targets <file>', 'check many databases: a file with one URL or environment name per line')
      .option('--parallel <n>', 'with --targets: how many targets at a time (default 4)')
      .addOption(new Option('--phase <phase>', 'which expectations').choices(['pre', 'post']).default('post'))
      .option('--baseline <file>', 'snapshot of the pre state, for preserved and unchanged'),
  ).action(async (specPaths: string[], o: CommonOptions & { target?: string; targets?: string; parallel?: string; phase: 'pre' | 'post'; baseline?: string }) => {
    // PostgreSQL's parser (WASM) compiles in the background while specs load and the catalog is
    // read; runCheck awaits it before evaluating.
    initSqlParser().catch(() => undefined);
    const config = await loadConfig(o.config);
    const reporters = reportersOf(o, config);
    const live = liveOptions(o, config);
    const specs = await loadSpecs(specInputs(specPaths, config));
    if (o.targets && (o.target || o.env)) throw new UsageError('give either --targets FILE or --target/--env, not both');
    const parallel = positiveInt(o.parallel, '--parallel') ?? 4;
    const targets = o.targets ? await readTargets(o.targets, (name) => environmentUrl(config, name, io.env)) : undefined;
    const target = targets ? undefined : targetOf(o, config, io.env);
    const progress = targets ? undefined : createProgress(io.stderr, io.env, !!o.quiet);
    const options = {
      phase: o.phase,
      counts: o.counts ?? config.counts ?? 'exact',
      live,
      ...(o.baseline ? { baseline: o.baseline } : {}),
      ...(progress ? { onProgress: progress } : {}),
    };
    const run = targets ? await runFleet(specs, targets, options, parallel) : await runCheck(specs, { ...options, target: target! });
    progress?.done();
    await writeReports(run, reporters, io.stdout, color);
    if (run.error) io.stderr.write(`pgspec: ${run.error.message}\n`);
    exitCode = exitCodeOf(run);
  });

  addCommon(
    program
      .command('snapshot')
      .description('capture the schema and row counts of a target into a *.snapshot.json file')
      .option('--target <target>', 'postgres:// URL or *.sql dump (default: DATABASE_URL)')
      .requiredOption('-o, --output <file>', 'where to write the snapshot')
      .option('--spec <spec...>', 'also record the results of these specs\' queries and settings, so they can be checked offline'),
  ).action(async (o: CommonOptions & { target?: string; output: string; spec?: string[] }) => {
    const config = await loadConfig(o.config);
    const target = targetOf(o, config, io.env);
    const specs = o.spec ? await loadSpecs(o.spec) : [];
    const needs = collectNeeds(specs.flatMap((s) => [...s.pre, ...s.post, ...s.always]));
    await using t = await openTarget(target, liveOptions(o, config));
    const snapshot = await t.capture(needs, { counts: o.counts ?? config.counts ?? 'exact', countAll: true });
    await writeSnapshotFile(o.output, snapshot);
    if (!o.quiet) {
      io.stdout.write(`wrote ${o.output}: ${Object.keys(snapshot.tables).length} tables, ${Object.keys(snapshot.views).length} views, ${Object.keys(snapshot.routines).length} routines from ${t.description}\n`);
    }
  });

  addCommon(
    program
      .command('gate')
      .description('full pre -> migrate -> post (-> down) run on an ephemeral database')
      .argument('[spec...]', 'spec files or folders (default: the config\'s specs)')
      .option('--baseline <file.sql>', 'schema (and data) to start from: a plain SQL dump')
      .option('--seed <file.sql>', 'data for the pre state')
      .option('--preset <name>', 'platform objects the migrations expect: supabase')
      .option('--migrations <dir>', 'folder of SQL migrations, applied in lexical order')
      .option('--migrate <command>', 'external migration command, run with DATABASE_URL and PG* set')
      .option('--down <command>', 'external down-migration command, then the round-trip check')
      .option('--down-migrations <dir>', 'folder of SQL down migrations, then the round-trip check')
      .option('--db <provider>', 'embedded (default), docker[:IMAGE] or a postgres:// URL'),
  ).action(async (specPaths: string[], flags: CommonOptions & GateFlags) => {
    const config = await loadConfig(flags.config);
    // Flags override the config's gate section.
    const o = { ...config.gate, ...Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)) } as CommonOptions & GateFlags;
    const reporters = reportersOf(o, config);
    const specs = await loadSpecs(specInputs(specPaths, config));
    const progress = createProgress(io.stderr, io.env, !!o.quiet);
    const run = await runGate(specs, {
      db: o.db ?? 'embedded',
      counts: o.counts ?? config.counts ?? 'exact',
      ...(o.baseline ? { baseline: o.baseline } : {}),
      ...(o.seed ? { seed: o.seed } : {}),
      ...(o.preset ? { preset: o.preset } : {}),
      ...(o.migrations ? { migrations: o.migrations } : {}),
      ...(o.migrate ? { migrate: o.migrate } : {}),
      ...(o.down ? { down: o.down } : {}),
      ...(o.downMigrations ? { downMigrations: o.downMigrations } : {}),
      ...(progress ? { onProgress: progress } : {}),
    });
    progress?.done();
    if (wasInterrupted()) {
      io.stderr.write('pgspec: interrupted; the ephemeral database and its files are being removed\n');
      exitCode = INTERRUPTED;
      return;
    }
    await writeReports(run, reporters, io.stdout, color);
    if (run.error) io.stderr.write(`pgspec: ${run.error.message}\n`);
    exitCode = exitCodeOf(run);
  });

  program
    .command('diff')
    .description('human-readable difference between two states (URLs, snapshot files or SQL dumps)')
    .argument('<a>', 'the before state')
    .argument('<b>', 'the after state')
    .option('--rows', 'also list changed row counts')
    .action(async (a: string, b: string, o: { rows?: boolean }) => {
      const capture = async (t: string) => {
        await using target = await openTarget(t);
        return await target.capture({ rowPatterns: [], settings: [], queries: [] }, { counts: 'exact', countAll: !!o.rows });
      };
      const [before, after] = [await capture(a), await capture(b)];
      const changes = diffSnapshots(before, after, { rows: !!o.rows });
      io.stdout.write(changes.length === 0 ? 'no differences\n' : `${changes.map(formatChange).join('\n')}\n`);
      exitCode = changes.length === 0 ? 0 : 1;
    });

  program
    .command('report')
    .description('re-render a saved json result (--reporter json:FILE) in other formats')
    .argument('<results>', 'a result file written by --reporter json:FILE')
    .option('--reporter <name[:path]>', 'console (default), json, junit, markdown, html, github, tap; repeatable', collect, [])
    .action(async (file: string, o: { reporter: string[] }) => {
      const choices = o.reporter.map(parseReporter);
      const run = await readRunResult(file);
      await writeReports(run, choices.length > 0 ? choices : [{ name: 'console' }], io.stdout, color);
      // A saved failing run still fails: the exit code is the run's, as when it was made.
      exitCode = exitCodeOf(run);
    });

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    // After SIGINT/SIGTERM a step may fail because its server was stopped: that is the interruption.
    if (wasInterrupted()) {
      io.stderr.write('pgspec: interrupted; the ephemeral database and its files are being removed\n');
      return INTERRUPTED;
    }
    if (error instanceof CommanderError) {
      // --help and --version exit 0; every other parse problem is a usage error.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof PgspecError) {
      io.stderr.write(`pgspec: ${redact(error.message)}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`pgspec: internal error: ${redact(message)}\n`);
    if (io.env.PGSPEC_DEBUG && error instanceof Error && error.stack) io.stderr.write(`${redact(error.stack)}\n`);
    return 3;
  }
}
