import type pg from 'pg';
import type { MigrationEntry, MigrationHistory, Snapshot } from '../snapshot/types.ts';
import { historyKey, historyTable, tableName, withoutScriptExtension, type MigrationTool } from '../spec/migration-tools.ts';
import { redact } from './redact.ts';

// Each tool's history table is read whole, read-only, as JSON rows (so a tool version that adds a
// column does not break the read), then normalised to one entry list per tool.

type Row = Record<string, unknown>;

const text = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));
const byNumber = (key: string) => (a: Row, b: Row) => Number(a[key]) - Number(b[key]);
const byText = (key: string) => (a: Row, b: Row) => {
  const x = String(a[key] ?? '');
  const y = String(b[key] ?? '');
  return x < y ? -1 : x > y ? 1 : 0;
};

function entry(version: string, state: MigrationEntry['state'], name?: string, appliedAt?: unknown): MigrationEntry {
  const at = text(appliedAt);
  return { version, ...(name ? { name } : {}), ...(at ? { appliedAt: at } : {}), state };
}

/** A tool's rows as MigrationEntries, in the tool's order. */
export function normalizeHistory(tool: MigrationTool, rows: Row[]): MigrationEntry[] {
  switch (tool) {
    case 'supabase':
      // supabase_migrations.schema_migrations(version, statements, name): one row per applied migration.
      return [...rows].sort(byText('version')).map((r) => entry(String(r.version), 'applied', text(r.name)));
    case 'dbmate':
      // schema_migrations(version): one row per applied migration.
      return [...rows].sort(byText('version')).map((r) => entry(String(r.version), 'applied'));
    case 'alembic':
      // alembic_version(version_num): the current head revisions, nothing else.
      return [...rows].sort(byText('version_num')).map((r) => entry(String(r.version_num), 'applied'));
    case 'prisma':
      // _prisma_migrations: finished_at set = applied; rolled_back_at set (`migrate resolve --rolled-back`) = rolled back; neither = failed.
      return [...rows]
        .sort((a, b) => byText('started_at')(a, b) || byText('id')(a, b))
        .map((r) => {
          const state = r.rolled_back_at != null ? 'rolled back' : r.finished_at != null ? 'applied' : 'failed';
          return entry(String(r.migration_name), state, undefined, r.finished_at ?? r.started_at);
        });
    case 'flyway':
      // flyway_schema_history: versioned rows (repeatable and schema-creation rows have no version), success false = failed;
      // an undo (UNDO_SQL, ...) or a DELETE marker takes the version back out.
      return [...rows]
        .sort(byNumber('installed_rank'))
        .filter((r) => r.version !== null && r.version !== undefined)
        .map((r) => {
          const type = String(r.type ?? '');
          const state = r.success !== true ? 'failed' : /^UNDO/.test(type) || type === 'DELETE' ? 'rolled back' : 'applied';
          return entry(String(r.version), state, text(r.description), r.installed_on);
        });
    case 'knex':
      // knex_migrations(id, name, batch, migration_time): name is the file name, extension included.
      return [...rows].sort(byNumber('id')).map((r) => entry(withoutScriptExtension(String(r.name)), 'applied', String(r.name), r.migration_time));
    case 'node-pg-migrate':
      // pgmigrations(id, name, run_on): name is the file name without its extension.
      return [...rows].sort(byNumber('id')).map((r) => entry(String(r.name), 'applied', undefined, r.run_on));
  }
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Reads one tool's history table: missing, unreadable, or its entries. */
async function readHistory(client: pg.ClientBase, tool: MigrationTool, schema: string, table: string): Promise<MigrationHistory> {
  const where = tableName({ schema, table });
  await client.query('BEGIN TRANSACTION READ ONLY');
  try {
    // Timestamps print in UTC, so equal histories give equal snapshots wherever pgspec runs.
    await client.query("SET LOCAL TimeZone = 'UTC'");
    const found = await client.query(
      `SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')`,
      [schema, table],
    );
    if (found.rowCount === 0) return { table: where, missing: true };
    const r = await client.query<{ row: Row }>(`SELECT to_jsonb(t) AS row FROM ${quoteIdent(schema)}.${quoteIdent(table)} AS t`);
    return { table: where, entries: normalizeHistory(tool, r.rows.map((x) => x.row)) };
  } catch (error) {
    return { table: where, error: redact(error instanceof Error ? error.message : String(error)) };
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
  }
}

/** Reads the migration histories the expectations ask about into `snapshot.migrations`. */
export async function readMigrationHistories(
  client: pg.ClientBase,
  snapshot: Snapshot,
  needs: { tool: MigrationTool; schema?: string; table?: string }[],
): Promise<void> {
  const wanted = new Map(needs.map((n) => [historyKey(n.tool, n.schema, n.table), n]));
  for (const key of [...wanted.keys()].sort()) {
    const n = wanted.get(key)!;
    const { schema, table } = historyTable(n.tool, n.schema, n.table);
    snapshot.migrations[key] = await readHistory(client, n.tool, schema, table);
  }
}
