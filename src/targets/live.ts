import pg from 'pg';
import { TargetError } from '../errors.ts';
import { redact, safeUrl } from './redact.ts';

/** LiveOptions are the session rules pgspec applies to every live target (product.md §7). */
export interface LiveOptions {
  /** Pool size, default 4. */
  concurrency?: number;
  /** statement_timeout in milliseconds, default 60 s. */
  statementTimeoutMs?: number;
  /** lock_timeout in milliseconds, default 5 s. */
  lockTimeoutMs?: number;
}

/** A read-only pool on a live database: read-only transactions, timeouts, application_name=pgspec. */
export function openLive(url: string, options: LiveOptions = {}): pg.Pool {
  const statementTimeout = options.statementTimeoutMs ?? 60_000;
  const lockTimeout = options.lockTimeoutMs ?? 5_000;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.concurrency ?? 4,
    idleTimeoutMillis: 1_000,
    connectionTimeoutMillis: 10_000,
    application_name: 'pgspec',
    options: `-c default_transaction_read_only=on -c statement_timeout=${statementTimeout} -c lock_timeout=${lockTimeout} -c idle_in_transaction_session_timeout=${statementTimeout + 5_000}`,
  });
  // An idle client that dies (server restart) must not crash the process: the next query reports it.
  pool.on('error', () => undefined);
  return pool;
}

/** Turns a connection failure into a TargetError (exit 3) whose message says what to fix, password masked. */
export function connectionError(url: string, error: unknown): TargetError {
  const e = error as { code?: string; message?: string };
  const where = safeUrl(url);
  const detail = redact(e.message ?? String(error));
  switch (e.code) {
    case 'ECONNREFUSED':
      return new TargetError(`cannot connect to ${where}: connection refused (is the server running and listening there?)`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new TargetError(`cannot connect to ${where}: unknown host`);
    case 'ETIMEDOUT':
      return new TargetError(`cannot connect to ${where}: connection timed out`);
    case '28P01':
      return new TargetError(`cannot connect to ${where}: password authentication failed`, 'TARGET_AUTH');
    case '28000':
      return new TargetError(`cannot connect to ${where}: ${detail}`, 'TARGET_AUTH');
    case '3D000':
      return new TargetError(`cannot connect to ${where}: ${detail}`);
    default:
      return new TargetError(`cannot connect to ${where}: ${detail}`);
  }
}

/** Connects one client of the pool, or throws a TargetError. */
export async function connectLive(pool: pg.Pool, url: string): Promise<pg.PoolClient> {
  try {
    return await pool.connect();
  } catch (error) {
    throw connectionError(url, error);
  }
}
