import type pg from 'pg';
import { findPrivilegeObjects, parseObjectRef, privilegeKey, type PrivilegeNeed } from '../check/privileges.ts';
import { initSqlParser } from '../check/sql-text.ts';
import type { PrivilegeRecord, Snapshot } from '../snapshot/types.ts';
import { resolvePart, splitName, unqualify } from '../spec/names.ts';
import { redact } from './redact.ts';

// Privileges are read with PostgreSQL's own has_*_privilege functions, so grants through PUBLIC
// and inherited roles count as they do for real. Objects are resolved against the snapshot just
// taken (the spec's naming rules), then passed by name as bound parameters, never interpolated.

/** The has_*_privilege call for one kind of reference: $1 role, $2 object, $3 the privilege names. */
const CHECKS: Record<string, string> = {
  table: 'has_table_privilege($1::name, $2::text, p)',
  view: 'has_table_privilege($1::name, $2::text, p)',
  'materialized view': 'has_table_privilege($1::name, $2::text, p)',
  sequence: 'has_sequence_privilege($1::name, $2::text, p)',
  schema: 'has_schema_privilege($1::name, $2::text, p)',
  function: 'has_function_privilege($1::name, $2::text::regprocedure, p)',
  procedure: 'has_function_privilege($1::name, $2::text::regprocedure, p)',
  column: 'has_column_privilege($1::name, $2::text, $4::text, p)',
};

/** The parameters naming one resolved object: its snapshot key is already valid SQL (quoted where needed). */
function objectParams(ref: string): { kind: string; params: string[] } {
  const { kind, name } = parseObjectRef(ref)!;
  if (kind === 'schema') return { kind, params: [resolvePart(name, false).text] };
  if (kind === 'column') {
    const parts = splitName(name);
    // The column's name is taken as stored (has_column_privilege does not fold it).
    return { kind, params: [parts.slice(0, 2).join('.'), resolvePart(parts[2]!, false).text] };
  }
  if (kind === 'function' || kind === 'procedure') return { kind, params: [name] };
  // Keys are `schema.name` quoted as SQL needs, so regclass reads them exactly.
  const { schema, name: rel } = unqualify(name);
  const q = (n: string) => `"${n.replace(/"/g, '""')}"`;
  return { kind, params: [`${q(schema)}.${q(rel)}`] };
}

/**
 * Reads the privileges the expectations ask about into `snapshot.privileges`: for each role and
 * each object its reference matches, whether the role holds each privilege. A role that does not
 * exist is recorded as an error on each object; objects that do not exist are not recorded (the
 * evaluator sees that in the catalog).
 */
export async function readPrivileges(client: pg.ClientBase, snapshot: Snapshot, needs: PrivilegeNeed[]): Promise<void> {
  if (needs.length === 0) return;
  if (needs.some((n) => /^\s*(function|procedure)\s/i.test(n.on))) await initSqlParser();
  const roles = [...new Set(needs.map((n) => n.role))];
  const existing = new Set(
    (await client.query<{ rolname: string }>('SELECT rolname::text AS rolname FROM pg_roles WHERE rolname = ANY($1::text[])', [roles])).rows.map((r) => r.rolname),
  );
  // Every privilege asked of one role on one object, merged across expectations.
  const wanted = new Map<string, { role: string; ref: string; privileges: Set<string> }>();
  for (const need of needs) {
    for (const ref of findPrivilegeObjects(snapshot, need.on, false)) {
      const key = privilegeKey(need.role, ref);
      const item = wanted.get(key) ?? { role: need.role, ref, privileges: new Set<string>() };
      for (const p of need.privileges) item.privileges.add(p);
      wanted.set(key, item);
    }
  }
  const out: Record<string, PrivilegeRecord> = {};
  for (const key of [...wanted.keys()].sort()) {
    const { role, ref, privileges } = wanted.get(key)!;
    // `public` is the PUBLIC pseudo-role: the has_*_privilege functions take it by that name.
    if (role !== 'public' && !existing.has(role)) {
      out[key] = { error: `role ${role} does not exist` };
      continue;
    }
    const { kind, params } = objectParams(ref);
    const list = [...privileges].sort();
    try {
      const sql = `SELECT p, ${CHECKS[kind]!} AS held FROM unnest($3::text[]) AS p`;
      const values = kind === 'column' ? [role, params[0], list, params[1]] : [role, params[0], list];
      const r = await client.query<{ p: string; held: boolean }>(sql, values);
      out[key] = Object.fromEntries(r.rows.map((row) => [row.p, row.held]));
    } catch (error) {
      // e.g. `unrecognized privilege type: "maintain"` on PostgreSQL before 17.
      out[key] = { error: redact(error instanceof Error ? error.message : String(error)) };
    }
  }
  snapshot.privileges = { ...snapshot.privileges, ...out };
}
