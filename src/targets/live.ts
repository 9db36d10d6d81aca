import pg from 'pg';
import { TargetError } from '../errors.ts';
import { connectionKey, pgpassPassword } from './pgpass.ts';
import { redact, registerSecret, safeUrl } from './redact.ts';

/** LiveOptions are the session rules pgspec applies to every live target (product.md §7). */
export interface LiveOptions {
  /** Pool size, default 4. */
  concurrency?: number;
  /** statement_timeout in milliseconds, default 60 s. */
  statementTimeoutMs?: number;
  /** lock_timeout in milliseconds, default 5 s. */
  lockTimeoutMs?: number;
  /** How long to wait for a connection (TCP, TLS and authentication), default 10 s. */
  connectTimeoutMs?: number;
}

/** The session rules actually in force for a set of options, for messages and docs. */
export function sessionRules(options: LiveOptions = {}) {
  return {
    concurrency: options.concurrency ?? 4,
    statementTimeoutMs: options.statementTimeoutMs ?? 60_000,
    lockTimeoutMs: options.lockTimeoutMs ?? 5_000,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
  };
}

// URL parameters that pg would send as startup settings of their own, after (and so over)
// pgspec's `-c` options: they could turn the session rules off, so they are taken out.
const LOOSENING_PARAMS = ['application_name', 'fallback_application_name', 'statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout', 'replication'];

/** A ResolvedUrl is what pg connects with: the URL made explicit, and the `options` the URL carried. */
export interface ResolvedUrl {
  url: string;
  /** The URL's own `options` parameter (e.g. `-c search_path=app`), applied before pgspec's rules. */
  userOptions?: string;
}

/**
 * Makes a connection URL explicit the way libpq reads it: `sslmode` (also from PGSSLMODE) has
 * libpq's meaning (`require` encrypts without checking the certificate, `verify-full` checks
 * it), a password missing from the URL and PGPASSWORD comes from PGPASSFILE or ~/.pgpass (and
 * is registered as a secret), and parameters that would loosen the session rules are removed.
 */
export function resolveUrl(url: string, env: NodeJS.ProcessEnv = process.env): ResolvedUrl {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { url };
  }
  const params = u.searchParams;
  const sslmode = params.get('sslmode') ?? env.PGSSLMODE;
  if (sslmode) {
    params.set('sslmode', sslmode);
    if (!params.has('uselibpqcompat')) params.set('uselibpqcompat', 'true');
  }
  const userOptions = params.get('options') ?? undefined;
  for (const name of ['options', ...LOOSENING_PARAMS]) params.delete(name);
  if (!u.password && !env.PGPASSWORD) {
    const password = pgpassPassword(connectionKey(u, env), env);
    if (password !== undefined) {
      registerSecret(password);
      u.password = encodeURIComponent(password);
    }
  }
  return { url: u.toString(), ...(userOptions ? { userOptions } : {}) };
}

/** The `options` startup string of a pgspec session: the URL's own options first, pgspec's rules last (the last setting wins). */
export function sessionOptions(options: LiveOptions, userOptions?: string): string {
  const rules = sessionRules(options);
  const ours = [
    'default_transaction_read_only=on',
    `statement_timeout=${rules.statementTimeoutMs}`,
    `lock_timeout=${rules.lockTimeoutMs}`,
    `idle_in_transaction_session_timeout=${rules.statementTimeoutMs + 5_000}`,
    // A role without BYPASSRLS would count only the rows its policies show, silently; with
    // row_security off such a count fails instead, and says so (pg_dump does the same).
    'row_security=off',
  ].map((s) => `-c ${s}`);
  // A trailing lone backslash would escape the space before pgspec's first rule.
  const user = userOptions?.trim().replace(/(^|[^\\])(\\\\)*\\$/, (m) => m.slice(0, -1));
  return [...(user ? [user] : []), ...ours].join(' ');
}

/** A read-only pool on a live database: read-only transactions, timeouts, application_name=pgspec. */
export function openLive(url: string, options: LiveOptions = {}): pg.Pool {
  const rules = sessionRules(options);
  const resolved = resolveUrl(url);
  const pool = new pg.Pool({
    connectionString: resolved.url,
    max: rules.concurrency,
    // Idle connections are closed after a second: pgspec holds no connection it does not use.
    idleTimeoutMillis: 1_000,
    connectionTimeoutMillis: rules.connectTimeoutMs,
    application_name: 'pgspec',
    options: sessionOptions(options, resolved.userOptions),
  });
  // A client that dies (server restart, terminated session) must not crash the process with an
  // unhandled 'error' event: the pool listens to idle clients only, so every client gets a
  // listener of its own for the time it is checked out; the failed query reports the error.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

type PgError = { code?: string; message?: string; hostname?: string; cause?: unknown };

/** Whether an error means the connection itself is gone (terminated, server restarted or stopped), not only the statement. */
export function isConnectionLoss(error: unknown): boolean {
  const e = error as PgError;
  // 57P01 admin shutdown/terminate, 57P02 crash shutdown, 57P03 cannot connect now, 08xxx connection exceptions.
  if (e.code && /^(57P0[123]|08)/.test(e.code)) return true;
  if (e.code && /^E[A-Z]+$/.test(e.code)) return true;
  return /Connection terminated|not queryable|connection error|ECONNRESET|EPIPE|socket hang up/i.test(e.message ?? '');
}

const seconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);

/**
 * Why a statement failed, in one line that says what to do: a timeout, a lock, a missing
 * permission, row level security, a lost connection; otherwise PostgreSQL's message. Password masked.
 */
export function describeFailure(error: unknown, options: LiveOptions = {}): string {
  const e = error as PgError;
  const message = redact(e.message ?? String(error));
  const rules = sessionRules(options);
  if (e.code === '57014' && /statement timeout/i.test(message)) {
    return `statement timeout: it ran longer than statement_timeout (${seconds(rules.statementTimeoutMs)}); raise --statement-timeout`;
  }
  if (e.code === '55P03' && /lock timeout/i.test(message)) {
    return `lock timeout: another session held a conflicting lock for longer than lock_timeout (${seconds(rules.lockTimeoutMs)}); pgspec does not wait for locks on a live database`;
  }
  if (e.code === '42501' && /row-level security/i.test(message)) {
    return `${message}: row level security applies to this role, so a count would silently miss rows; connect as the table owner or a role with BYPASSRLS`;
  }
  if (e.code === '42501') return `${message} (grant the role pgspec connects as SELECT on it, or the pg_read_all_data role)`;
  if (isConnectionLoss(error)) return `the connection was lost (${message}): the server was restarted, stopped, or ended the session`;
  return message;
}

/** Turns a connection failure into a TargetError (exit 3) whose message says what to fix, password masked. */
export function connectionError(url: string, error: unknown, options: LiveOptions = {}): TargetError {
  const e = error as PgError;
  const where = safeUrl(url);
  const detail = redact(e.message ?? String(error));
  const cause = e.cause as PgError | undefined;
  const host = (() => {
    try {
      return new URL(url).hostname;
    } catch {
      return '';
    }
  })();
  const sslmode = (() => {
    try {
      return new URL(url).searchParams.get('sslmode') ?? process.env.PGSSLMODE;
    } catch {
      return undefined;
    }
  })();
  const fail = (what: string, code = 'TARGET_UNREACHABLE') => new TargetError(`cannot connect to ${where}: ${what}`, code);
  switch (e.code) {
    case 'ECONNREFUSED':
      return fail('connection refused (is the server running and listening there?)');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return fail(`unknown host ${JSON.stringify(e.hostname ?? host)} (the name does not resolve; check the host in the URL)`);
    case 'ETIMEDOUT':
      return fail('connection timed out');
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return fail(`no route to host ${JSON.stringify(host)}`);
    case '28P01':
      return fail(`${detail} (check the password in the URL, PGPASSWORD or the password file)`, 'TARGET_AUTH');
    case '28000':
      if (/no encryption/i.test(detail)) {
        return fail(
          `the server accepts only encrypted (TLS) connections from here (${detail}); add ?sslmode=require to the URL (or sslmode=verify-full with sslrootcert=CA_FILE to also check the server's certificate)`,
          'TARGET_TLS_REQUIRED',
        );
      }
      return fail(detail, 'TARGET_AUTH');
    case '3D000':
      return fail(detail);
    case '53300':
      return fail(`the server has no free connection slots (${detail}); lower --concurrency or try again later`);
    case '57P03':
      return fail(`the server is not accepting connections right now (${detail}); try again when it is up`);
  }
  if (/client password must be a string|password must be a string|no password/i.test(detail)) {
    return fail(
      'the server asks for a password and none was given: put it in the URL, in PGPASSWORD, or in a password file (PGPASSFILE or ~/.pgpass) that only you may read (chmod 600)',
      'TARGET_AUTH',
    );
  }
  if (/does not support SSL/i.test(detail)) {
    return fail(`the server does not accept TLS connections, but the URL asks for sslmode=${sslmode ?? 'require'}; use sslmode=disable, or turn ssl on in the server`, 'TARGET_TLS');
  }
  const tlsCode = e.code ?? cause?.code ?? '';
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL/.test(tlsCode)) {
    return fail(
      `the server's TLS certificate was not accepted (${detail}); give its CA with sslrootcert=FILE, or use sslmode=require to encrypt without checking the certificate`,
      'TARGET_TLS',
    );
  }
  if (/connection timeout|timeout exceeded when trying to connect/i.test(detail)) {
    return fail(`no answer within ${seconds(sessionRules(options).connectTimeoutMs)} (connection timed out: is this a PostgreSQL server, and is a firewall dropping the traffic?)`);
  }
  if (/Connection terminated unexpectedly|ECONNRESET|socket hang up/i.test(detail)) {
    return fail(`the server closed the connection before it was established (${detail})`);
  }
  return fail(detail);
}

/** Connects one client of the pool, or throws a TargetError. */
export async function connectLive(pool: pg.Pool, url: string, options: LiveOptions = {}): Promise<pg.PoolClient> {
  try {
    return await pool.connect();
  } catch (error) {
    throw connectionError(url, error, options);
  }
}
