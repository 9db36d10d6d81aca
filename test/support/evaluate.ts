import pg from 'pg';
import { inject } from 'vitest';
import type { CheckResult } from '../../src/check/result.ts';
import { evaluateSpecs } from '../../src/run/check.ts';
import { collectNeeds } from '../../src/run/needs.ts';
import type { Snapshot } from '../../src/snapshot/types.ts';
import { parseYamlSpec } from '../../src/spec/load.ts';
import type { Spec } from '../../src/spec/model.ts';
import { openTarget } from '../../src/targets/open.ts';

// Helpers of the evaluator acceptance tests (test/e2e/evaluate): a state is captured from a real
// database once, then many YAML expectations are evaluated against it in memory.

/** Removes the common leading indentation of a template literal, so YAML can be written indented in a test. */
export function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').replace(/\n[ \t]*$/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

/** Parses a YAML list of `post` entries (`- table: x` ...) as one inline spec file. */
export function inlineSpec(entries: string): Spec {
  return parseYamlSpec(`name: inline\npost:\n${dedent(entries)}\n`, 'inline.spec.yaml');
}

/**
 * Captures the state of a live database the way `pgspec check` does: the catalog, plus the row
 * counts, settings and query results the given YAML entry lists need.
 */
export async function captureState(url: string, specs: string[] = [], options: { countAll?: boolean } = {}): Promise<Snapshot> {
  const expectations = specs.flatMap((text) => inlineSpec(text).post);
  await using target = await openTarget(url, { concurrency: 2 });
  // Awaited here: the target (its pool) is disposed when this block ends.
  return await target.capture(collectNeeds(expectations), { counts: 'exact', ...options });
}

/** Evaluates a YAML list of `post` entries against a captured state (and a pre state): one result per entry. */
export function verdicts(entries: string, post: Snapshot, pre?: Snapshot): CheckResult[] {
  const [result] = evaluateSpecs([inlineSpec(entries)], 'post', post, pre);
  return result!.results;
}

/** Evaluates a YAML list holding exactly one entry and returns its result. */
export function verdict(entry: string, post: Snapshot, pre?: Snapshot): CheckResult {
  const results = verdicts(entry, post, pre);
  if (results.length !== 1) throw new Error(`expected one entry, got ${results.length}`);
  return results[0]!;
}

/** Runs SQL on the cluster's maintenance database as the superuser (roles are global to the cluster). */
export async function adminSql(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Creates a cluster-wide role unless it exists. Test files run in parallel on one cluster, so two
 * may race to create the same role: either loser's error means "it exists now".
 */
export async function ensureRole(name: string, options = 'NOLOGIN'): Promise<void> {
  const ident = `"${name.replace(/"/g, '""')}"`;
  await adminSql(
    `DO $$ BEGIN CREATE ROLE ${ident} ${options}; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`,
  );
}

/** The verdict and message of one entry: what the acceptance tests assert, in one comparable value. */
export function outcome(entry: string, post: Snapshot, pre?: Snapshot): { state: CheckResult['state']; message: string } {
  const { state, message } = verdict(entry, post, pre);
  return { state, message };
}
