import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScript, ScriptError, splitScript } from '../../src/targets/sql-script.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

const PAGILA = new URL('../../../shared/fixtures/pagila/', import.meta.url);

describe('loading a plain pg_dump file without psql', () => {
  let db: TestDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await db.drop();
  });

  it('restores pagila schema and COPY data with no psql on PATH', async () => {
    const env = { ...process.env };
    process.env.PATH = '/nonexistent';
    try {
      for (const file of ['pagila-schema.sql', 'pagila-data.sql']) {
        const text = readFileSync(new URL(file, PAGILA), 'utf8');
        await runScript(client, splitScript(text), file);
      }
    } finally {
      process.env.PATH = env.PATH;
    }
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM public.actor');
    expect(Number(rows[0]!.n)).toBe(200);
    const rentals = await client.query<{ n: string }>('SELECT count(*) AS n FROM public.rental');
    expect(Number(rentals.rows[0]!.n)).toBe(16044);
    const payments = await client.query<{ n: string }>('SELECT count(*) AS n FROM public.payment');
    expect(Number(payments.rows[0]!.n)).toBeGreaterThan(10000);
  });

  it('reports the file, line and PostgreSQL message of a failing statement', async () => {
    const script = 'CREATE TABLE public.ok_table (id int);\n\nSELECT 1;\nCREATE TABLE public.broken (\n  id intt\n);\n';
    const error = await runScript(client, splitScript(script), 'migration.sql').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScriptError);
    expect((error as ScriptError).message).toMatch(/^migration\.sql:5: type "intt" does not exist$/);
  });
});
