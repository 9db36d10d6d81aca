import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.ts';
import type { Spec } from '../spec/model.ts';
import { registerUrlSecret, safeUrl } from '../targets/redact.ts';
import { PGSPEC_VERSION } from '../version.ts';
import { runCheck, type CheckOptions } from './check.ts';
import { summarize, type RunResult, type SpecResult } from './result.ts';

/**
 * Reads a targets file: one target per line (a postgres:// URL, a *.snapshot.json or *.sql file,
 * or the name of an environment from the config); blank lines and `#` comments are skipped.
 */
export async function readTargets(path: string, resolveName: (name: string) => string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read the targets file ${path}`);
  }
  const targets = text
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
    .filter(Boolean)
    .map((line) => (/^postgres(ql)?:\/\//i.test(line) || /\.(json|sql)$/i.test(line) ? line : resolveName(line)));
  if (targets.length === 0) throw new UsageError(`the targets file ${path} names no targets`);
  targets.forEach(registerUrlSecret);
  return targets;
}

/** Runs async work over items with at most `limit` in flight, keeping the input order in the output. */
async function bounded<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/**
 * `pgspec check --targets FILE`: the same specs against many databases (tenants, shards),
 * `parallel` targets at a time, one aggregated result. A target that cannot be reached becomes
 * one errored result of its own, so the rest of the fleet is still checked; only when no
 * target could be checked at all is the run an infrastructure failure (exit 3).
 */
export async function runFleet(specs: Spec[], targets: string[], options: Omit<CheckOptions, 'target'>, parallel: number): Promise<RunResult> {
  const started = Date.now();
  // Each target gets its own pool; keep the total number of connections bounded.
  const perTarget = { ...options, live: { ...options.live, concurrency: Math.max(1, Math.floor((options.live?.concurrency ?? 4) / Math.min(parallel, 4)) || 1) } };
  const runs = await bounded(targets, parallel, (target) => runCheck(specs, { ...perTarget, target }));
  const specResults: SpecResult[] = runs.flatMap((run, i) => {
    if (run.error) {
      return [{
        name: `target ${safeUrl(targets[i]!)}`,
        file: '',
        target: run.target,
        results: [{ phase: 'setup' as const, kind: 'setup' as const, object: `target ${run.target}`, state: 'errored' as const, message: run.error.message }],
      }];
    }
    return run.specs.map((s) => ({ ...s, target: run.target }));
  });
  const unreachable = runs.filter((r) => r.error);
  return {
    version: 1,
    command: 'check',
    target: `${targets.length} targets`,
    pgspecVersion: PGSPEC_VERSION,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    summary: summarize(specResults),
    specs: specResults,
    targets: runs.map((r) => ({ target: r.target, summary: r.summary, durationMs: r.durationMs, ...(r.error ? { error: r.error } : {}) })),
    ...(unreachable.length === runs.length
      ? { error: { code: 'TARGETS_UNREACHABLE', message: `none of the ${runs.length} targets could be checked: ${unreachable[0]!.error!.message}` } }
      : {}),
  };
}
