import { readFileSync, statSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';

/** The connection a password is looked up for, as libpq matches .pgpass lines. */
export interface PgpassKey {
  host: string;
  port: string;
  database: string;
  user: string;
}

/** Splits a .pgpass line at unescaped colons; `\:` and `\\` are a literal colon and backslash. */
function fields(line: string): string[] {
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '\\' && i + 1 < line.length) current += line[++i]!;
    else if (ch === ':') {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out;
}

/**
 * The password the password file (PGPASSFILE, else ~/.pgpass) gives for a connection, as libpq
 * reads it: the first line whose host, port, database and user match (`*` matches anything).
 * A file that others may read is ignored, as libpq ignores it.
 */
export function pgpassPassword(key: PgpassKey, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = env.PGPASSFILE || join(homedir(), '.pgpass');
  let text: string;
  try {
    if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) return undefined;
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const f = fields(line);
    if (f.length < 5) continue;
    const [host, port, database, user] = f;
    const password = f.slice(4).join(':');
    const match = (pattern: string | undefined, value: string) => pattern === '*' || pattern === value;
    if (match(host, key.host) && match(port, key.port) && match(database, key.database) && match(user, key.user)) return password;
  }
  return undefined;
}

/** The connection a URL names, with libpq's defaults from PG* variables and the OS user. */
export function connectionKey(url: URL, env: NodeJS.ProcessEnv = process.env): PgpassKey {
  const user = decodeURIComponent(url.username) || env.PGUSER || env.USER || userInfo().username;
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || env.PGDATABASE || user;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1') || env.PGHOST || 'localhost';
  return { host, port: url.port || env.PGPORT || '5432', database, user };
}
