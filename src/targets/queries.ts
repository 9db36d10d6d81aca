import { parseSync } from 'libpg-query';
import type pg from 'pg';
import { initSqlParser } from '../check/sql-text.ts';
import { withClient } from './client.ts';
import { describeFailure, isConnectionLoss, type LiveOptions } from './live.ts';
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

// Statements PostgreSQL's read-only mode lets through although they reach beyond the
// transaction that is rolled back afterwards: they write server files (COPY TO), load code
// (LOAD), make the server work or wait (CHECKPOINT, ANALYZE, LOCK), or leave session state
// behind (LISTEN, PREPARE, DECLARE). A spec query never needs them; pgspec refuses them.
const REFUSED_STATEMENTS: Record<string, string> = {
  CopyStmt: 'COPY',
  VacuumStmt: 'VACUUM/ANALYZE',
  CheckPointStmt: 'CHECKPOINT',
  LoadStmt: 'LOAD',
  LockStmt: 'LOCK',
  NotifyStmt: 'NOTIFY',
  ListenStmt: 'LISTEN',
  UnlistenStmt: 'UNLISTEN',
  PrepareStmt: 'PREPARE',
  ExecuteStmt: 'EXECUTE',
  DeallocateStmt: 'DEALLOCATE',
  DeclareCursorStmt: 'DECLARE',
  FetchStmt: 'FETCH',
  ClosePortalStmt: 'CLOSE',
  DiscardStmt: 'DISCARD',
  ClusterStmt: 'CLUSTER',
  ReindexStmt: 'REINDEX',
  AlterSystemStmt: 'ALTER SYSTEM',
  CallStmt: 'CALL',
};

/** The statement kind pgspec refuses before sending, if the text parses as one of those. */
async function refusedStatement(sql: string): Promise<string | undefined> {
  try {
    await initSqlParser();
    const tree = parseSync(sql) as { stmts?: { stmt?: Record<string, unknown> }[] };
    for (const { stmt } of tree.stmts ?? []) {
      const kind = Object.keys(stmt ?? {})[0];
      if (kind && REFUSED_STATEMENTS[kind]) return REFUSED_STATEMENTS[kind];
    }
  } catch {
    // Text the parser cannot read goes to the server, which reports the error (read-only still applies).
  }
  return undefined;
}

/**
 * Runs one spec query in a read-only transaction that is always rolled back. With `as`, the
 * transaction first switches role and sets the JWT claims the way Supabase's auth.uid() reads them.
 * Never throws: a failure (a refused write, a timeout, a lost connection) is the result.
 */
export async function runSpecQuery(
  client: pg.ClientBase,
  sql: string,
  as?: { role: string; claims?: Record<string, unknown> },
  live: LiveOptions = {},
): Promise<QueryResult> {
  return (await runSpecQueryOutcome(client, sql, as, live)).result;
}

/** runSpecQuery's result, and the error when the connection was lost on the way (the client is then unusable). */
export async function runSpecQueryOutcome(
  client: pg.ClientBase,
  sql: string,
  as?: { role: string; claims?: Record<string, unknown> },
  live: LiveOptions = {},
): Promise<{ result: QueryResult; lost?: Error }> {
  const refused = await refusedStatement(sql);
  if (refused) {
    return { result: { ok: false, error: `refused: ${refused} is not allowed in a spec query (it acts beyond a read-only transaction); write a SELECT` } };
  }
  try {
    await client.query('BEGIN TRANSACTION READ ONLY');
    // pgspec sessions turn row security off so that counts never silently miss rows; a spec
    // query sees what its role is allowed to see, as in any other session.
    await client.query('SET LOCAL row_security = on');
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
    return { result: { ok: true, columns: result.fields.map((f) => f.name), rows: result.rows as unknown[][] } };
  } catch (error) {
    const e = error as { message?: string; code?: string };
    const message =
      e.code === '25006'
        ? `refused: the query tried to write (${redact(e.message ?? '')}); pgspec runs queries read-only`
        : e.code === '42601' && /multiple commands/.test(e.message ?? '')
          ? 'refused: a spec query must be a single statement'
          : e.code === '57014' || e.code === '55P03' || isConnectionLoss(error)
            ? describeFailure(error, live)
            : redact(e.message ?? String(error));
    const lost = isConnectionLoss(error) ? (error instanceof Error ? error : new Error(message)) : undefined;
    return { result: { ok: false, error: message }, ...(lost ? { lost } : {}) };
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    // Session state a query can leave behind past its transaction (an advisory lock taken by
    // pg_advisory_lock(), a prepared statement) goes too: the next query starts clean.
    await client.query('DISCARD ALL').catch(() => undefined);
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
    // Only settings the role may see (pg_settings hides superuser-only ones such as
    // data_directory, whose current_setting() would fail): the others stay unrecorded.
    const r = await client.query<{ name: string; v: string | null }>(
      `SELECT name, CASE WHEN EXISTS (SELECT FROM pg_catalog.pg_settings s WHERE lower(s.name) = lower(w.name)) OR w.name LIKE '%.%'
                         THEN pg_catalog.current_setting(w.name, true) END AS v
         FROM unnest($1::text[]) AS w(name)`,
      [wanted],
    );
    for (const row of r.rows) if (row.v !== null) out[row.name] = row.v;
  });
  return out;
}
