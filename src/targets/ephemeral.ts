import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { withClient } from './client.ts';
import { UsageError } from '../errors.ts';
import { startEmbedded } from './embedded.ts';
import { connectionError } from './live.ts';
import { registerUrlSecret, safeUrl } from './redact.ts';

/** An EphemeralServer is a PostgreSQL server pgspec may create and drop databases on, as a superuser. */
export interface EphemeralServer extends AsyncDisposable {
  /** What it is, safe to print. */
  readonly description: string;
  /** True when stop() removes the whole server (embedded, docker): nothing on it needs cleaning up. */
  readonly disposable: boolean;
  /** Creates a database (optionally a copy of a template) and returns a superuser URL for it. */
  createDatabase(name: string, template?: string): Promise<string>;
  dropDatabase(name: string): Promise<void>;
  /** Runs one statement on the server's maintenance connection and returns its rows. */
  query<R extends pg.QueryResultRow>(sql: string): Promise<R[]>;
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

/**
 * CREATE DATABASE ... TEMPLATE copies the objects, not the `ALTER DATABASE ... SET` settings
 * (a preset's search_path): copy those too. Each value is set in the clone's session as
 * stored, then saved with `SET ... FROM CURRENT`, so list values need no re-quoting.
 */
async function copyDatabaseSettings(admin: pg.Client, cloneUrl: string, template: string, clone: string): Promise<void> {
  const settings = (
    await admin.query<{ role: string | null; setting: string }>(
      `SELECT r.rolname::text AS role, unnest(s.setconfig) AS setting
       FROM pg_db_role_setting s
       JOIN pg_database d ON d.oid = s.setdatabase
       LEFT JOIN pg_roles r ON r.oid = s.setrole
       WHERE d.datname = $1`,
      [template],
    )
  ).rows;
  if (settings.length === 0) return;
  await withClient(cloneUrl, async (client) => {
    for (const { role, setting } of settings) {
      const eq = setting.indexOf('=');
      const name = setting.slice(0, eq);
      await client.query('SELECT set_config($1, $2, false)', [name, setting.slice(eq + 1)]);
      const target = role ? `ROLE ${quoteIdent(role)} IN DATABASE ${quoteIdent(clone)}` : `DATABASE ${quoteIdent(clone)}`;
      await client.query(`ALTER ${target} SET ${name.split('.').map(quoteIdent).join('.')} FROM CURRENT`);
    }
  });
}

/**
 * Wraps a server URL as an EphemeralServer: databases are created there and dropped again;
 * `stopServer` (for servers pgspec started) runs last. Creating and dropping databases goes
 * through one maintenance connection, opened on first use (each new connection costs a backend
 * start and a SCRAM exchange).
 */
export function serverAt(adminUrl: string, description: string, stopServer?: () => Promise<void>): EphemeralServer {
  const created = new Set<string>();
  let stopped = false;
  let admin: Promise<pg.Client> | undefined;
  const connect = () =>
    (admin ??= (async () => {
      const client = new pg.Client({ connectionString: adminUrl, application_name: 'pgspec' });
      // A connection that breaks is opened again on next use, never an unhandled 'error' event.
      client.on('error', () => {
        admin = undefined;
      });
      try {
        await client.connect();
      } catch (error) {
        admin = undefined;
        throw connectionError(adminUrl, error);
      }
      return client;
    })());
  const query = async <R extends pg.QueryResultRow>(sql: string, params?: unknown[]) => (await (await connect()).query<R>(sql, params)).rows;
  const dropDatabase = async (name: string) => {
    await query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    created.delete(name);
  };
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try {
      if (!stopServer) for (const name of [...created]) await dropDatabase(name).catch(() => undefined);
      const client = await admin?.catch(() => undefined);
      admin = undefined;
      await client?.end().catch(() => undefined);
    } finally {
      await stopServer?.();
    }
  };
  return {
    description,
    disposable: stopServer !== undefined,
    async createDatabase(name, template) {
      await query(`CREATE DATABASE ${quoteIdent(name)}${template ? ` TEMPLATE ${quoteIdent(template)}` : ''}`);
      created.add(name);
      const url = withDatabase(adminUrl, name);
      if (template) await copyDatabaseSettings(await connect(), url, template, name);
      return url;
    },
    dropDatabase,
    query: (sql) => query(sql),
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
