import type { MigrationEntry } from '../snapshot/types.ts';
import { compareVersions, historyKey, historyTable, sameVersion, tableName, TOOLS, withoutScriptExtension, type MigrationFolder, type MigrationTool } from '../spec/migration-tools.ts';
import type { Expectation } from '../spec/model.ts';
import type { EvalContext } from './objects.ts';
import type { CheckResult } from './result.ts';
import { show } from './result.ts';

type MigrationsExpectation = Extract<Expectation, { kind: 'migrations' }>;

/** A HistoryState is a history reduced to what the properties ask: each version's last state, in the tool's order. */
interface HistoryState {
  /** Version -> its last recorded state (a rolled-back Prisma row followed by a finished one is applied). */
  states: Map<string, MigrationEntry['state']>;
  /** Applied versions: Alembic's are its heads and, with a folder, everything they descend from. */
  applied: string[];
  /** The newest applied version (Alembic: the current heads). */
  latest: string[];
  failed: string[];
}

/** Every revision an Alembic head descends from (itself included), from the folder's down_revision links. */
function alembicAncestors(heads: string[], folder: MigrationFolder | undefined): string[] {
  const parents = new Map((folder?.migrations ?? []).map((m) => [m.version, m.parents ?? []]));
  const seen = new Set<string>();
  const stack = [...heads];
  while (stack.length > 0) {
    const rev = stack.pop()!;
    if (seen.has(rev)) continue;
    seen.add(rev);
    stack.push(...(parents.get(rev) ?? []));
  }
  return [...seen];
}

function reduce(tool: MigrationTool, entries: MigrationEntry[], folder: MigrationFolder | undefined): HistoryState {
  const states = new Map<string, MigrationEntry['state']>();
  for (const e of entries) states.set(e.version, e.state);
  const byVersion = (a: string, b: string) => compareVersions(tool, a, b);
  const applied = [...states].filter(([, s]) => s === 'applied').map(([v]) => v).sort(byVersion);
  const failed = [...states].filter(([, s]) => s === 'failed').map(([v]) => v).sort(byVersion);
  if (tool === 'alembic') return { states, applied: alembicAncestors(applied, folder).sort(), latest: applied, failed };
  return { states, applied, latest: applied.length > 0 ? [applied.at(-1)!] : [], failed };
}

/** Whether a written version names an entry: its version, `version_name` (a file stem), or knex's recorded file name. */
function names(tool: MigrationTool, written: string, version: string, name: string | undefined): boolean {
  if (sameVersion(tool, written, version)) return true;
  if (name !== undefined && (written === `${version}_${name}` || written === name)) return true;
  return (tool === 'knex' || tool === 'node-pg-migrate') && withoutScriptExtension(written) === version;
}

/** A list for a message: at most five items, then how many more. */
const listed = (items: string[]) => `${items.slice(0, 5).join(', ')}${items.length > 5 ? ` and ${items.length - 5} more` : ''}`;

/**
 * `migrations`: a migration tool's own history, as recorded in its table. `applied` lists
 * versions that must all be applied (others may be too); `latest` is the newest applied version
 * (Alembic: the current heads, one or a set); `pending` counts the folder's migrations the
 * history does not show applied; `failed` counts migrations whose last record is a failure
 * (Prisma, Flyway; the other tools roll a failed migration back and record nothing).
 */
export function evaluateMigrations(exp: MigrationsExpectation, ctx: EvalContext): CheckResult {
  const e = exp.entry;
  const tool = e.migrations;
  const object = `migrations ${tool}`;
  const base = { phase: exp.phase, kind: exp.kind, object, ...(exp.line === undefined ? {} : { line: exp.line }) };
  const { schema, table } = historyTable(tool, e.schema, e.table);
  const where = tableName({ schema, table });
  const history = ctx.post.migrations[historyKey(tool, e.schema, e.table)];
  if (history === undefined) {
    return { ...base, state: 'errored', message: `${object}: the ${tool} history was not recorded in this state (a snapshot holds migration histories only when taken with pgspec snapshot --spec)` };
  }
  if ('error' in history) return { ...base, state: 'errored', message: `${object}: cannot read ${where}: ${history.error}` };
  if ('missing' in history) {
    // Whatever the properties, a missing table means this tool never ran here (or the spec names the wrong place).
    return { ...base, state: 'failed', message: `${object}: no ${tool} history table ${where}`, expected: `${schema}.${table}`, actual: 'absent' };
  }
  if (e.pending !== undefined && exp.folder === undefined) {
    return { ...base, state: 'errored', message: `${object}: pending needs the migrations folder (folder:, read when the spec is loaded)` };
  }

  const h = reduce(tool, history.entries, exp.folder);
  const nameOf = new Map(history.entries.map((x) => [x.version, x.name]));
  const failures: { message: string; expected: unknown; actual: unknown }[] = [];

  if (e.applied !== undefined) {
    const notApplied: string[] = [];
    const otherwise: string[] = [];
    for (const want of e.applied) {
      const hit = [...h.states.keys()].find((v) => names(tool, want, v, nameOf.get(v)));
      const appliedHit = h.applied.some((v) => names(tool, want, v, nameOf.get(v)));
      if (appliedHit) continue;
      const state = hit === undefined ? undefined : h.states.get(hit);
      if (state === 'failed') otherwise.push(`${want} failed`);
      else if (state === 'rolled back') otherwise.push(`${want} was rolled back`);
      else notApplied.push(want);
    }
    // Alembic records only its current heads: without the folder, their ancestors are unknown.
    const hint = tool === 'alembic' && exp.folder === undefined ? ' (alembic records only its current heads; give folder: to count their ancestors)' : '';
    const parts = [...(notApplied.length > 0 ? [`${listed(notApplied)} ${notApplied.length === 1 ? 'is' : 'are'} not applied${hint}`] : []), ...otherwise];
    if (parts.length > 0) failures.push({ message: parts.join(', '), expected: e.applied, actual: h.applied });
  }

  if (e.latest !== undefined) {
    const want = typeof e.latest === 'string' ? [e.latest] : e.latest;
    const same = want.length === h.latest.length && want.every((w) => h.latest.some((v) => names(tool, w, v, nameOf.get(v))));
    const shown = (l: string[]) => (l.length === 0 ? 'none' : l.length === 1 ? l[0]! : show(l));
    if (!same) failures.push({ message: `latest is ${shown(h.latest)}, expected ${shown(want)}`, expected: e.latest, actual: h.latest.length === 1 ? h.latest[0] : h.latest });
  }

  if (e.pending !== undefined && exp.folder !== undefined) {
    const appliedSet = h.applied;
    // Flyway: migrations at or below a baseline are not pending ("Below Baseline").
    const baseline = tool === 'flyway' ? history.entries.find((x) => x.name === '<< Flyway Baseline >>' && x.state === 'applied')?.version : undefined;
    const pending = exp.folder.migrations
      .filter((m) => !appliedSet.some((v) => sameVersion(tool, m.version, v)))
      .filter((m) => baseline === undefined || compareVersions(tool, m.version, baseline) > 0)
      .map((m) => m.version);
    if (pending.length !== e.pending) {
      failures.push({
        message: `${pending.length} pending in ${exp.folder.path}, expected ${e.pending}${pending.length > 0 ? `: ${listed(pending)}` : ''}`,
        expected: e.pending,
        actual: pending,
      });
    }
  }

  if (e.failed !== undefined && h.failed.length !== e.failed) {
    const note = TOOLS[tool].recordsFailures ? '' : ` (${tool} records no failed migrations: a failed one is rolled back and stays pending)`;
    failures.push({ message: `${h.failed.length} failed, expected ${e.failed}${h.failed.length > 0 ? `: ${listed(h.failed)}` : note}`, expected: e.failed, actual: h.failed });
  }

  if (failures.length === 0) return { ...base, state: 'passed', message: `${object} as expected`, actual: { applied: h.applied.length, latest: h.latest } };
  const only = failures.length === 1 ? failures[0]! : undefined;
  return {
    ...base,
    state: 'failed',
    message: `${object}: ${failures.map((f) => f.message).join('; ')}`,
    expected: only ? only.expected : failures.map((f) => f.expected),
    actual: only ? only.actual : failures.map((f) => f.actual),
  };
}
