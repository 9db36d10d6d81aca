import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { unqualify } from '../spec/names.ts';

/** How row counts are taken: `count(*)` per table, or the planner's estimate (reltuples). */
export type CountMode = 'exact' | 'estimate';

const ESTIMATES_SQL = readFileSync(new URL('./sql/row-estimates.sql', import.meta.url), 'utf8');

/** Tables counted per statement in exact mode: one round trip per batch, not per table. */
const EXACT_BATCH = 100;

/** CountOptions say how countRows may use the client's session. */
export interface CountOptions {
  /**
   * The client is inside a transaction block. Each exact batch then runs in a savepoint that is
   * rolled back afterwards: the counts stay, and so does the transaction's snapshot, but the
   * locks count(*) took (on each table and, while planning, its indexes) are released, so
   * counting thousands of tables cannot exhaust the server's lock table
   * (max_locks_per_transaction), which a single transaction holding them all would.
   */
  inTransaction?: boolean;
}

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * Counts the rows of the given tables (snapshot keys, `schema.table`) on the client's session,
 * inside its transaction if it has one. Exact mode runs `count(*)`, which for a partitioned
 * table counts all its partitions; it fails if a table does not exist or may not be read, so
 * callers pass keys they found in the catalog. Estimate mode reads pg_class.reltuples (see
 * row-estimates.sql); unknown keys are skipped.
 */
export async function countRows(
  client: pg.ClientBase,
  tableKeys: readonly string[],
  mode: CountMode,
  options: CountOptions = {},
): Promise<Record<string, number>> {
  const keys = [...new Set(tableKeys)];
  const counts = new Map<string, number>();
  if (keys.length === 0) return {};
  const names = keys.map((key) => unqualify(key));
  if (mode === 'estimate') {
    const { rows } = await client.query<{ ord: number; estimate: number }>(ESTIMATES_SQL, [
      names.map((n) => n.schema),
      names.map((n) => n.name),
    ]);
    for (const row of rows) {
      const key = keys[row.ord - 1];
      if (key !== undefined) counts.set(key, Math.round(Number(row.estimate)));
    }
  } else {
    for (let start = 0; start < keys.length; start += EXACT_BATCH) {
      const batch = names.slice(start, start + EXACT_BATCH);
      const sql = batch
        .map((n, i) => `SELECT ${start + i} AS ord, count(*) AS n FROM ${quoteIdent(n.schema)}.${quoteIdent(n.name)}`)
        .join('\nUNION ALL\n');
      if (options.inTransaction) await client.query('SAVEPOINT pgspec_count');
      const { rows } = await client.query<{ ord: number; n: string }>(sql);
      if (options.inTransaction) await client.query('ROLLBACK TO SAVEPOINT pgspec_count');
      for (const row of rows) {
        const key = keys[row.ord];
        if (key !== undefined) counts.set(key, Number(row.n));
      }
    }
  }
  return Object.fromEntries([...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
