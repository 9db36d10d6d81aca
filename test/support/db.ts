import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { runScript, splitScript } from '../../src/targets/sql-script.ts';

/** A TestDatabase is a fresh database on the shared test cluster, dropped on dispose. */
export interface TestDatabase extends AsyncDisposable {
  name: string;
  url: string;
  /** Runs a SQL script (several statements, COPY blocks) as the superuser. */
  exec(sql: string): Promise<void>;
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

const quote = (n: string) => `"${n.replace(/"/g, '""')}"`;

function urlFor(database: string): string {
  const u = new URL(inject('pgAdminUrl'));
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Creates a new empty database (optionally from SQL) on the test cluster. */
export async function createTestDatabase(setupSql?: string, prefix = 't'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  await admin(`CREATE DATABASE ${quote(name)} TEMPLATE template0`);
  const url = urlFor(name);
  const run = async <T extends pg.QueryResultRow>(sql: string, params?: unknown[]) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  };
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await admin(`DROP DATABASE IF EXISTS ${quote(name)} WITH (FORCE)`);
  };
  const db: TestDatabase = {
    name,
    url,
    exec: async (sql) => {
      // Statement by statement, COPY data included, the way pgspec loads dumps.
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await runScript(client, splitScript(sql), 'test-setup.sql');
      } finally {
        await client.end();
      }
    },
    query: run,
    drop,
    [Symbol.asyncDispose]: drop,
  };
  if (setupSql) await db.exec(setupSql);
  return db;
}
