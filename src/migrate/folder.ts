import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import { UsageError } from '../errors.ts';
import { compareVersions } from '../spec/migration-tools.ts';
import { runScript, ScriptError, splitScript, type ScriptPart } from '../targets/sql-script.ts';

/** A MigrationFile is one SQL file of a migrations folder, with the statements to run for one direction. */
export interface MigrationFile {
  /** Path as shown in messages: the folder as given joined with the file name. */
  file: string;
  parts: ScriptPart[];
  /** Whether the runner wraps the file in a transaction. */
  transaction: boolean;
}

/** A MigrationError is a migration PostgreSQL rejected: file, line and PostgreSQL's message. */
export class MigrationError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly detail: string,
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${detail}`);
    this.name = 'MigrationError';
  }
}

// Statements PostgreSQL refuses inside a transaction block.
const NO_TRANSACTION = [
  /^create\s+(unique\s+)?index\s+concurrently\b/i,
  /^drop\s+index\s+concurrently\b/i,
  /^reindex\b.*\bconcurrently\b/is,
  /^vacuum\b/i,
  /^(create|drop)\s+database\b/i,
  /^alter\s+system\b/i,
  /^(create|drop)\s+tablespace\b/i,
  /^alter\s+type\b[\s\S]*\badd\s+value\b/i, // allowed in a transaction, but the new label cannot be used there
];
const MANAGES_TRANSACTION = /^(begin|start\s+transaction|commit|end|rollback)\b/i;

/**
 * dbmate keeps both directions in one file: `-- migrate:up` and `-- migrate:down` sections
 * (`-- migrate:up transaction:false` opts out of the transaction). Other files are all "up".
 */
function section(text: string, direction: 'up' | 'down'): { sql: string; offsetLines: number; noTransaction: boolean } {
  const marker = /^--\s*migrate:(up|down)\b(.*)$/gm;
  const marks = [...text.matchAll(marker)];
  if (marks.length === 0) return { sql: direction === 'up' ? text : '', offsetLines: 0, noTransaction: false };
  const mine = marks.find((m) => m[1] === direction);
  if (!mine) return { sql: '', offsetLines: 0, noTransaction: false };
  const start = mine.index! + mine[0].length;
  const next = marks.find((m) => m.index! > mine.index!);
  const sql = text.slice(start, next ? next.index : text.length);
  return {
    sql,
    offsetLines: text.slice(0, start).split('\n').length - 1,
    noTransaction: /transaction\s*:\s*false/i.test(mine[2] ?? ''),
  };
}

const FLYWAY_FILE = /^(V|U|R)(.*?)__(.*)\.sql$/;

/**
 * Flyway's order, when every SQL file is named the Flyway way (`V1__init.sql`, `V1_1__x.sql`,
 * `R__views.sql`, `U1__undo.sql`) and one is versioned: versioned files by version number (V10
 * after V9, which lexical order gets wrong), then repeatables by description; undo files are
 * left out (they are `flyway undo`'s).
 */
function flywayOrder(names: string[]): string[] | undefined {
  const parsed = names.map((n) => ({ name: n, m: FLYWAY_FILE.exec(n) }));
  if (parsed.some((p) => p.m === null) || !parsed.some((p) => p.m?.[1] === 'V' && p.m[2] !== '')) return undefined;
  const version = (p: (typeof parsed)[number]) => p.m![2]!.replace(/_/g, '.');
  const versioned = parsed.filter((p) => p.m![1] === 'V').sort((a, b) => compareVersions('flyway', version(a), version(b)));
  const repeatable = parsed.filter((p) => p.m![1] === 'R').sort((a, b) => (a.m![3]! < b.m![3]! ? -1 : a.m![3]! > b.m![3]! ? 1 : 0));
  return [...versioned, ...repeatable].map((p) => p.name);
}

/**
 * Reads a migrations folder: `.sql` files in lexical order (Supabase timestamps, dbmate
 * versions, 001_x; Flyway's V1__x by version number), and Prisma's layout, one folder per migration holding `migration.sql`
 * (`20250301090000_add_unit_cost/migration.sql`), ordered by folder name.
 */
export async function readMigrations(dir: string, direction: 'up' | 'down' = 'up'): Promise<MigrationFile[]> {
  let names: string[];
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    names = entries.filter((e) => e.isFile() && e.name.endsWith('.sql')).map((e) => e.name);
    for (const e of entries.filter((x) => x.isDirectory())) {
      const inner = await readdir(join(dir, e.name), { withFileTypes: true }).catch(() => []);
      if (inner.some((f) => f.isFile() && f.name === 'migration.sql')) names.push(`${e.name}/migration.sql`);
    }
  } catch {
    throw new UsageError(`cannot read the migrations folder ${dir}`);
  }
  if (names.length === 0) throw new UsageError(`no migrations in ${dir}: expected .sql files (or <folder>/migration.sql, Prisma's layout)`);
  // Lexical by code unit, as the tools sort: timestamps in order, Prisma folders by name.
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  names = flywayOrder(names) ?? names;
  const files: MigrationFile[] = [];
  for (const name of names) {
    const text = await readFile(join(dir, name), 'utf8');
    const { sql, offsetLines, noTransaction } = section(text, direction);
    const parts = splitScript(sql).map((p) => ({ ...p, line: p.line + offsetLines }));
    if (parts.length === 0) continue;
    const statements = parts.filter((p) => p.type !== 'meta').map((p) => p.text);
    const transaction =
      !noTransaction &&
      !/^--\s*pgspec:no-transaction\b/m.test(text) &&
      !statements.some((s) => MANAGES_TRANSACTION.test(s) || NO_TRANSACTION.some((re) => re.test(s)));
    files.push({ file: join(dir, name), parts, transaction });
  }
  return files;
}

/** Applies migration files in order, each in its own transaction unless it cannot be; stops at the first error. */
export async function applyMigrations(
  client: pg.ClientBase,
  files: MigrationFile[],
  onFile?: (file: MigrationFile, index: number) => void,
): Promise<void> {
  for (const [index, m] of files.entries()) {
    onFile?.(m, index);
    try {
      if (m.transaction) await client.query('BEGIN');
      await runScript(client, m.parts, m.file);
      if (m.transaction) await client.query('COMMIT');
    } catch (error) {
      if (m.transaction) await client.query('ROLLBACK').catch(() => undefined);
      if (error instanceof ScriptError) throw new MigrationError(error.file, error.line, error.pgMessage);
      throw new MigrationError(m.file, undefined, error instanceof Error ? error.message : String(error));
    }
    // A migration may leave session state (search_path, role) behind: reset it for the next file.
    await client.query('RESET ALL; RESET ROLE; RESET SESSION AUTHORIZATION').catch(() => undefined);
  }
}
