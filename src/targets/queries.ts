import type pg from 'pg';
import { redact } from './redact.ts';
import type { QueryResult } from '../snapshot/types.ts';

// Values keep a JSON-stable form: booleans, small numbers and JSON parsed; bigint, numeric,
// dates and everything else as PostgreSQL's text, so results compare byte for byte.
const BOOL = 16;
const NUMBERS = new Set([21, 23, 26, 700, 701]);
const JSON_TYPES = new Set([114, 3802]);
const types = {
  getTypeParser: (oid: number) => {
    if (oid === BOOL) return (v: string) => v === 't';
    if (NUMBERS.has(oid)) return (v: string) => Number(v);
    if (JSON_TYPES.has(oid)) return (v: string) => JSON.parse(v) as unknown;
    return (v: string) => v;
  },
};

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Runs one spec query in a read-only transaction that is always rolled back. With `as`, the
 * transaction first switches role and sets the JWT claims the way Supabase's auth.uid() reads them.
 */
export async function runSpecQuery(
  client: pg.ClientBase,
  sql: string,
  as?: { role: string; claims?: Record<string, unknown> },
): Promise<QueryResult> {
  await client.query('BEGIN TRANSACTION READ ONLY');
  try {
    if (as) {
      await client.query(`SET LOCAL ROLE ${quoteIdent(as.role)}`);
      const claims: Record<string, unknown> = { role: as.role, ...(as.claims ?? {}) };
      await client.query(
        `SELECT set_config('request.jwt.claims', $1, true), set_config('request.jwt.claim.sub', $2, true), set_config('request.jwt.claim.role', $3, true)`,
        [JSON.stringify(claims), String(claims.sub ?? ''), String(claims.role)],
      );
    }
    const result = await client.query({ text: sql, rowMode: 'array', types });
    const last = Array.isArray(result) ? (result.at(-1) as pg.QueryResult) : result;
    return { ok: true, columns: last.fields.map((f) => f.name), rows: last.rows as unknown[][] };
  } catch (error) {
    const e = error as { message?: string; code?: string };
    const message = e.code === '25006' ? `refused: the query tried to write (${e.message}); pgspec runs queries read-only` : redact(e.message ?? String(error));
    return { ok: false, error: message };
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
  }
}

/** Reads the named settings with current_setting(); unknown names are left out. */
export async function readSettings(client: pg.ClientBase, names: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of [...new Set(names)].sort()) {
    const r = await client.query<{ v: string | null }>('SELECT current_setting($1, true) AS v', [name]);
    const v = r.rows[0]?.v;
    if (v !== null && v !== undefined) out[name] = v;
  }
  return out;
}
