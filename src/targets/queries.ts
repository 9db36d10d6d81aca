import type pg from 'pg';
import { withClient } from './client.ts';
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
    // A statement first, so that `SET TRANSACTION READ WRITE` can no longer change the mode.
    await client.query('SELECT 1');
    // The extended protocol takes exactly one statement: `commit; begin read
    // write; delete ...` cannot leave the read-only transaction.
    const query: pg.QueryArrayConfig & { queryMode: 'extended' } = { text: sql, queryMode: 'extended', rowMode: 'array', types };
    const result = await client.query(query);
    return { ok: true, columns: result.fields.map((f) => f.name), rows: result.rows as unknown[][] };
  } catch (error) {
    const e = error as { message?: string; code?: string };
    const message =
      e.code === '25006'
        ? `refused: the query tried to write (${e.message}); pgspec runs queries read-only`
        : e.code === '42601' && /multiple commands/.test(e.message ?? '')
          ? 'refused: a spec query must be a single statement'
          : redact(e.message ?? String(error));
    return { ok: false, error: message };
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
  }
}

/**
 * Reads the named settings as a new session of the server sees them. pgspec's own sessions
 * override some (statement_timeout, default_transaction_read_only, ...), so this uses a
 * connection of its own without those overrides; it runs one read-only SELECT and closes.
 */
export async function readSettings(url: string, names: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const wanted = [...new Set(names)].sort();
  if (wanted.length === 0) return out;
  await withClient(url, async (client) => {
    const r = await client.query<{ name: string; v: string | null }>(
      'SELECT name, current_setting(name, true) AS v FROM unnest($1::text[]) AS name',
      [wanted],
    );
    for (const row of r.rows) if (row.v !== null) out[row.name] = row.v;
  });
  return out;
}
