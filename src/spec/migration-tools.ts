// Pure: how each migration tool names its migrations and where it keeps its history, so the
// spec loader (folders), the capture (history tables) and the evaluator agree on one version.

/** The migration tools whose history pgspec reads. */
export const MIGRATION_TOOLS = ['supabase', 'prisma', 'alembic', 'flyway', 'knex', 'node-pg-migrate', 'dbmate'] as const;
export type MigrationTool = (typeof MIGRATION_TOOLS)[number];

/** A FolderMigration is one migration found in a migrations folder, by the tool's own naming rules. */
export interface FolderMigration {
  /** The version the tool records for it: `20240101120000` (Supabase, dbmate), `1.1` (Flyway), the name (Prisma, knex, node-pg-migrate), the revision id (Alembic). */
  version: string;
  /** The file (or Prisma folder) name. */
  file: string;
  /** Alembic: the revisions this one revises (`down_revision`). */
  parents?: string[];
}

/** A MigrationFolder is a migrations folder read when the spec was loaded (evaluation never reads files). */
export interface MigrationFolder {
  /** The folder as shown in messages. */
  path: string;
  migrations: FolderMigration[];
}

/** A ToolInfo says where a tool keeps its history by default and how it lays out its folder. */
export interface ToolInfo {
  schema: string;
  table: string;
  /** The folder the tool uses unless configured otherwise, relative to the project root. */
  defaultFolder: string;
  /** Whether the history can record a failed migration (Prisma, Flyway); the others roll back and record nothing. */
  recordsFailures: boolean;
}

export const TOOLS: Record<MigrationTool, ToolInfo> = {
  supabase: { schema: 'supabase_migrations', table: 'schema_migrations', defaultFolder: 'supabase/migrations', recordsFailures: false },
  prisma: { schema: 'public', table: '_prisma_migrations', defaultFolder: 'prisma/migrations', recordsFailures: true },
  alembic: { schema: 'public', table: 'alembic_version', defaultFolder: 'alembic/versions', recordsFailures: false },
  flyway: { schema: 'public', table: 'flyway_schema_history', defaultFolder: 'sql', recordsFailures: true },
  knex: { schema: 'public', table: 'knex_migrations', defaultFolder: 'migrations', recordsFailures: false },
  'node-pg-migrate': { schema: 'public', table: 'pgmigrations', defaultFolder: 'migrations', recordsFailures: false },
  dbmate: { schema: 'public', table: 'schema_migrations', defaultFolder: 'db/migrations', recordsFailures: false },
};

/** The history table of a tool: its default, or the `schema`/`table` a spec names (single names, folded like SQL). */
export function historyTable(tool: MigrationTool, schema?: string, table?: string): { schema: string; table: string } {
  const fold = (name: string) => (/^".*"$/.test(name) ? name.slice(1, -1).replace(/""/g, '"') : /^[A-Za-z_][A-Za-z0-9_$]*$/.test(name) ? name.toLowerCase() : name);
  return { schema: schema === undefined ? TOOLS[tool].schema : fold(schema), table: table === undefined ? TOOLS[tool].table : fold(table) };
}

/** A history table as messages show it: `public.knex_migrations`, parts quoted only when SQL needs it. */
export function tableName(t: { schema: string; table: string }): string {
  const q = (n: string) => (/^[a-z_][a-z0-9_$]*$/.test(n) ? n : `"${n.replace(/"/g, '""')}"`);
  return `${q(t.schema)}.${q(t.table)}`;
}

/** The key a history is recorded under in a snapshot: `knex public.knex_migrations`. */
export function historyKey(tool: MigrationTool, schema?: string, table?: string): string {
  return `${tool} ${tableName(historyTable(tool, schema, table))}`;
}

/** Script file extensions knex and node-pg-migrate load migrations from. */
const SCRIPT_EXTENSION = /\.(js|cjs|mjs|ts|cts|mts|sql|coffee|litcoffee|iced|eg|ls|co)$/;

/** A file name without the script extension knex and node-pg-migrate strip: `20240101_init.js` -> `20240101_init`. */
export const withoutScriptExtension = (name: string) => name.replace(SCRIPT_EXTENSION, '');

/**
 * The version a tool derives from a file name in its migrations folder, or undefined when the
 * tool would not run that file (a README, Flyway's repeatable `R__` and undo `U` files).
 * Prisma folders and Alembic revision files are handled by the folder reader.
 */
export function versionOfFile(tool: MigrationTool, file: string): string | undefined {
  switch (tool) {
    case 'supabase':
      // The Supabase CLI: `<timestamp>_name.sql`.
      return /^([0-9]+)_.*\.sql$/.exec(file)?.[1];
    case 'dbmate':
      // dbmate: the leading digits of `<version>_description.sql`.
      return /^([0-9]+).*\.sql$/.exec(file)?.[1];
    case 'flyway': {
      // Flyway: `V<version>__<description>.sql`, `_` in the version read as `.` (V1_1__x is 1.1).
      const m = /^V(.+?)__.*\.sql$/.exec(file);
      return m ? m[1]!.replace(/_/g, '.') : undefined;
    }
    case 'knex':
    case 'node-pg-migrate':
      if (file.startsWith('.') || file.endsWith('.d.ts') || !SCRIPT_EXTENSION.test(file)) return undefined;
      if (tool === 'knex' && /\.sql$/.test(file)) return undefined;
      return withoutScriptExtension(file);
    default:
      return undefined;
  }
}

/** Flyway compares versions part by part as numbers: 1.10 is after 1.9, 1.0 equals 1. */
function compareFlyway(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '0';
    const y = pb[i] ?? '0';
    if (/^\d+$/.test(x) && /^\d+$/.test(y)) {
      const d = BigInt(x) - BigInt(y);
      if (d !== 0n) return d < 0n ? -1 : 1;
    } else if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Orders versions as the tool orders its migrations: Flyway by version number, the others by name. */
export function compareVersions(tool: MigrationTool, a: string, b: string): number {
  if (tool === 'flyway') return compareFlyway(a, b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether two versions are the same migration for a tool (Flyway: 1.0 = 1, 01 = 1). */
export function sameVersion(tool: MigrationTool, a: string, b: string): boolean {
  return tool === 'flyway' ? compareFlyway(a, b) === 0 : a === b;
}
