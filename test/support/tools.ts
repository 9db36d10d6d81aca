import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { runCommand, type CommandResult } from '../../src/migrate/command.ts';

// The migration tools of issue #6, installed the way their users install them: dbmate,
// node-pg-migrate, knex and the Supabase CLI from npm (devDependencies, binaries inside the
// packages), Alembic from Debian (python3-alembic, python3-psycopg2).

const run = promisify(execFile);

/** The project's node_modules/.bin, where npm put the tools' commands. */
export const BIN = resolve('node_modules/.bin');

/** Debian's Python: python3-alembic installs there (a pyenv python3 first on PATH would not see it). */
export const DEBIAN_PYTHON = '/usr/bin/python3';

/** Runs a tool's command line against a database, as `pgspec gate --migrate` does (DATABASE_URL and PG* set). */
export function runTool(command: string, url: string, cwd: string): Promise<CommandResult> {
  return runCommand(command, url, cwd);
}

/** Writes files (paths may contain folders) under a folder and returns it. */
export function writeTree(root: string, files: Record<string, string>): string {
  for (const [name, text] of Object.entries(files)) {
    const path = join(root, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  return root;
}

/**
 * A new temporary folder holding the given files. It has its own package.json, so JavaScript
 * migrations in it (knex, node-pg-migrate) load as CommonJS whatever a package.json further up
 * (in the temp dir itself) says.
 */
export function tempTree(files: Record<string, string> = {}): string {
  return writeTree(mkdtempSync(join(tmpdir(), 'pgspec-tools-')), { 'package.json': '{ "type": "commonjs" }\n', ...files });
}

/** An AlembicCheck says how to run Alembic here, or why it cannot be had on this machine. */
export type AlembicCheck = { command: string } | { reason: string };

async function alembicImports(): Promise<boolean> {
  if (!existsSync(DEBIAN_PYTHON)) return false;
  try {
    await run(DEBIAN_PYTHON, ['-c', 'import alembic, psycopg2']);
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes sure Debian's Alembic is installed: when it is missing and we are root with apt-get,
 * installs python3-alembic and python3-psycopg2 (`apt-get update`, `apt-get install -y`).
 * Never throws: when Alembic cannot be had it returns the reason, for the caller to print and skip.
 */
export async function ensureAlembic(): Promise<AlembicCheck> {
  const command = `${DEBIAN_PYTHON} -m alembic`;
  if (await alembicImports()) return { command };
  if (process.getuid?.() !== 0) return { reason: 'Alembic is missing and we are not root, so it cannot be installed (apt-get install python3-alembic python3-psycopg2)' };
  if (!existsSync('/usr/bin/apt-get')) return { reason: 'Alembic is missing and this machine has no apt-get to install python3-alembic' };
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const options = { env, timeout: 540_000, maxBuffer: 64 * 1024 * 1024 };
    // Test files run in parallel: one apt-get at a time (the second finds the packages installed).
    const install = `${DEBIAN_PYTHON} -c 'import alembic, psycopg2' 2>/dev/null || (apt-get update && apt-get install -y python3-alembic python3-psycopg2)`;
    if (existsSync('/usr/bin/flock')) await run('/usr/bin/flock', ['/tmp/pgspec-apt.lock', '/bin/sh', '-c', install], options);
    else await run('/bin/sh', ['-c', install], options);
  } catch (error) {
    const detail = error instanceof Error ? (((error as { stderr?: string }).stderr ?? '').trim().split('\n').slice(-3).join(' / ') || error.message) : String(error);
    return { reason: `Alembic is missing and apt-get install python3-alembic python3-psycopg2 failed: ${detail}` };
  }
  return (await alembicImports()) ? { command } : { reason: 'apt-get installed python3-alembic but /usr/bin/python3 still cannot import alembic and psycopg2' };
}

/**
 * An Alembic project as `alembic init` makes it, trimmed to what runs: alembic.ini whose
 * sqlalchemy.url is `postgresql://` (psycopg2 then takes host, port, user, password and
 * database from the PG* variables pgspec sets) and the stock online env.py.
 */
export const ALEMBIC_PROJECT: Record<string, string> = {
  'alembic.ini': [
    '[alembic]',
    'script_location = %(here)s/alembic',
    'sqlalchemy.url = postgresql://',
    '',
    '[loggers]',
    'keys = root',
    '[handlers]',
    'keys = console',
    '[formatters]',
    'keys = generic',
    '[logger_root]',
    'level = WARN',
    'handlers = console',
    '[handler_console]',
    'class = StreamHandler',
    'args = (sys.stderr,)',
    'level = NOTSET',
    'formatter = generic',
    '[formatter_generic]',
    'format = %(levelname)-5.5s [%(name)s] %(message)s',
    '',
  ].join('\n'),
  'alembic/env.py': [
    'from logging.config import fileConfig',
    'from sqlalchemy import engine_from_config, pool',
    'from alembic import context',
    '',
    'config = context.config',
    'if config.config_file_name is not None:',
    '    fileConfig(config.config_file_name)',
    '',
    'connectable = engine_from_config(config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool)',
    'with connectable.connect() as connection:',
    '    context.configure(connection=connection, target_metadata=None)',
    '    with context.begin_transaction():',
    '        context.run_migrations()',
    '',
  ].join('\n'),
  'alembic/script.py.mako': '',
};

/** An Alembic revision file as `alembic revision -m MESSAGE --rev-id ID` writes it, with its upgrade and downgrade SQL. */
export function alembicRevision(id: string, down: string | string[] | null, message: string, up: string, downSql: string): string {
  const downText = down === null ? 'None' : typeof down === 'string' ? `'${down}'` : `(${down.map((d) => `'${d}'`).join(', ')})`;
  return [
    `"""${message}`,
    '',
    `Revision ID: ${id}`,
    `Revises: ${down === null ? '' : typeof down === 'string' ? down : down.join(', ')}`,
    'Create Date: 2024-01-01 12:00:00.000000',
    '',
    '"""',
    'from alembic import op',
    'import sqlalchemy as sa',
    '',
    '',
    '# revision identifiers, used by Alembic.',
    `revision = '${id}'`,
    `down_revision = ${downText}`,
    'branch_labels = None',
    'depends_on = None',
    '',
    '',
    'def upgrade() -> None:',
    `    op.execute(${JSON.stringify(up)})`,
    '',
    '',
    'def downgrade() -> None:',
    `    op.execute(${JSON.stringify(downSql)})`,
    '',
  ].join('\n');
}
