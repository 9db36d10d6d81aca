import type { CatalogScope } from '../catalog/scope.ts';
import type { Snapshot } from '../snapshot/types.ts';
import type { Expectation } from '../spec/model.ts';
import { privilegeNeed, type PrivilegeNeed } from '../check/privileges.ts';
import type { MigrationTool } from '../spec/migration-tools.ts';
import { matchesQualified, parseQualified } from '../spec/names.ts';

/** Needs are what a set of expectations asks of a live state beyond the catalog. */
export interface Needs {
  /** Table patterns whose row counts are needed (`rows`). */
  rowPatterns: string[];
  /** Server settings named by `server.settings`. */
  settings: string[];
  /** Queries to run, with the role and claims to run them as. */
  queries: { sql: string; as?: { role: string; claims?: Record<string, unknown> } }[];
  /** Privileges to read: a role, an object reference (`table public.notes`, globs allowed) and privilege names. */
  privileges?: PrivilegeNeed[];
  /** Migration tool histories to read, with the spec's `schema`/`table` when the history is not in the tool's default place. */
  migrations?: { tool: MigrationTool; schema?: string; table?: string }[];
  /**
   * The part of the catalog to read (catalogScope of the expectations); absent: all of it, as a
   * snapshot, a diff or a gate (whose changes compare everything) need.
   */
  catalog?: CatalogScope;
}

/** Collects what the expectations need: only tables a spec names get counted. */
export function collectNeeds(expectations: Expectation[]): Needs {
  const needs: Needs = { rowPatterns: [], settings: [], queries: [] };
  for (const exp of expectations) {
    if (exp.kind === 'table' && exp.entry.rows !== undefined) needs.rowPatterns.push(exp.entry.table);
    if (exp.kind === 'server') needs.settings.push(...Object.keys(exp.entry.server.settings ?? {}).map((s) => s.toLowerCase()));
    if (exp.kind === 'query') needs.queries.push({ sql: exp.entry.query, ...(exp.entry.as ? { as: exp.entry.as } : {}) });
    if (exp.kind === 'privilege') (needs.privileges ??= []).push(privilegeNeed(exp.entry.privilege));
    if (exp.kind === 'migrations') {
      const { migrations: tool, schema, table } = exp.entry;
      (needs.migrations ??= []).push({ tool, ...(schema === undefined ? {} : { schema }), ...(table === undefined ? {} : { table }) });
    }
  }
  return needs;
}

/** The snapshot keys of the tables whose rows are needed. */
export function tablesToCount(snapshot: Snapshot, patterns: string[]): string[] {
  const parsed = patterns.map((p) => parseQualified(p)).filter((p) => p !== undefined);
  return Object.keys(snapshot.tables).filter((key) => parsed.some((p) => matchesQualified(p, key)));
}

/** Whether an expectation compares with the pre state (`rows: preserved`, `unchanged`, `preserved`). */
export function needsPre(exp: Expectation): boolean {
  const e = exp.entry as Record<string, unknown>;
  if (exp.kind === 'table' && e.rows === 'preserved') return true;
  if (exp.kind === 'query' && e.preserved === true) return true;
  if (e.unchanged === true) return true;
  if (exp.kind === 'table' && e.columns) return Object.values(e.columns as Record<string, { unchanged?: boolean }>).some((c) => c.unchanged);
  return false;
}
