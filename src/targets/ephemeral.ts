import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { UsageError } from '../errors.ts';
import { startEmbedded } from './embedded.ts';
import { connectionError } from './live.ts';
import { registerUrlSecret, safeUrl } from './redact.ts';

/** An EphemeralServer is a PostgreSQL server pgspec may create and drop databases on, as a superuser. */
export interface EphemeralServer extends AsyncDisposable {
  /** What it is, safe to print. */
  readonly description: string;
  /** Creates a database (optionally a copy of a template) and returns a superuser URL for it. */
  createDatabase(name: string, template?: string): Promise<string>;
  dropDatabase(name: string): Promise<void>;
  /** Drops what it created and stops what it started. */
  stop(): Promise<void>;
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** A URL for another database on the same server. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

/** Runs one statement on a server's maintenance connection. */
async function onServer(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, application_name: 'pgspec' });
  try {
    await client.connect();
  } catch (error) {
    throw connectionError(url, error);
  }
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Wraps a server URL as an EphemeralServer: databases are created there and dropped again;
 * `stopServer` (for servers pgspec started) runs last.
 */
export function serverAt(adminUrl: string, description: string, stopServer?: () => Promise<void>): EphemeralServer {
  const created = new Set<string>();
  let stopped = false;
  const dropDatabase = async (name: string) => {
    await onServer(adminUrl, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    created.delete(name);
  };
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try {
      if (!stopServer) for (const name of [...created]) await dropDatabase(name).catch(() => undefined);
    } finally {
      await stopServer?.();
    }
  };
  return {
    description,
    async createDatabase(name, template) {
      await onServer(adminUrl, `CREATE DATABASE ${quoteIdent(name)}${template ? ` TEMPLATE ${quoteIdent(template)}` : ''}`);
      created.add(name);
      return withDatabase(adminUrl, name);
    },
    dropDatabase,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** A database name no one else uses. */
export function throwawayName(prefix = 'pgspec'): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

/** Starts (or attaches to) an ephemeral server: `embedded` (default), `docker[:IMAGE]`, or a postgres:// URL. */
export async function startEphemeral(db = 'embedded', onLog?: (line: string) => void): Promise<EphemeralServer> {
  if (db === 'embedded') {
    const cluster = await startEmbedded(onLog ? { onLog } : {});
    return serverAt(cluster.url('postgres'), `embedded PostgreSQL on 127.0.0.1:${cluster.port}`, () => cluster.stop());
  }
  if (db === 'docker' || db.startsWith('docker:')) {
    const { startDocker } = await import('./docker.ts');
    return startDocker(db === 'docker' ? undefined : db.slice('docker:'.length));
  }
  if (/^postgres(ql)?:\/\//i.test(db)) {
    registerUrlSecret(db);
    return serverAt(db, `throwaway databases on ${safeUrl(db)}`);
  }
  throw new UsageError(`--db takes embedded, docker[:IMAGE] or a postgres:// URL, got ${db}`);
}
