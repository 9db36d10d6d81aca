import { initSqlParser } from '../check/sql-text.ts';
import { catalogScope } from '../catalog/scope.ts';
import { evaluate } from '../check/evaluate.ts';
import { PgspecError, UsageError } from '../errors.ts';
import { diffSnapshots, formatChange } from '../snapshot/diff.ts';
import type { Snapshot } from '../snapshot/types.ts';
import type { Expectation, Spec } from '../spec/model.ts';
import { isUrl, openTarget, type CaptureOptions } from '../targets/open.ts';
import type { LiveOptions } from '../targets/live.ts';
import { safeUrl } from '../targets/redact.ts';
import { readSnapshotFile } from '../targets/snapshot-file.ts';
import { PGSPEC_VERSION } from '../version.ts';
import { collectNeeds, needsPre } from './needs.ts';
import { summarize, type RunResult, type SpecResult } from './result.ts';

/** CheckOptions are the inputs of `pgspec check` beyond the loaded specs. */
export interface CheckOptions {
  target: string;
  phase: 'pre' | 'post';
  /** A *.snapshot.json of the pre state, for `preserved` and `unchanged`. */
  baseline?: string;
  counts: CaptureOptions['counts'];
  live?: LiveOptions;
  /** Called when a step starts, for progress output. */
  onProgress?: (message: string) => void;
}

/** The expectations a phase evaluates: `post` (or `pre`) then `always`, in spec order. */
export function expectationsFor(spec: Spec, phase: 'pre' | 'post'): Expectation[] {
  return [...(phase === 'pre' ? spec.pre : spec.post), ...spec.always];
}

/** Fails before any connection when an expectation compares with a pre state nobody gave. */
export function requireBaseline(specs: Spec[], phase: 'pre' | 'post', baseline: string | undefined) {
  if (baseline) return;
  for (const spec of specs) {
    const exp = expectationsFor(spec, phase).find(needsPre);
    if (exp) {
      throw new UsageError(
        `${spec.file}${exp.line ? `:${exp.line}` : ''}: this ${exp.kind} expectation compares with the pre-migration state (preserved/unchanged); pass --baseline FILE.snapshot.json (taken with \`pgspec snapshot\` before the migration), or run it in \`pgspec gate\``,
      );
    }
  }
}

/** Evaluates every spec's expectations for one phase against captured states: pure. */
export function evaluateSpecs(specs: Spec[], phase: 'pre' | 'post', post: Snapshot, pre?: Snapshot): SpecResult[] {
  // One context for every expectation: evaluation only reads it.
  const ctx = { post, ...(pre ? { pre } : {}) };
  return specs.map((spec) => ({
    name: spec.name,
    file: spec.file,
    results: expectationsFor(spec, phase).map((exp) => evaluate(exp, ctx)),
  }));
}

/** Runs `pgspec check`: never throws for a verdict; a target that cannot be used becomes `error` (exit 3). */
export async function runCheck(specs: Spec[], options: CheckOptions): Promise<RunResult> {
  const started = Date.now();
  requireBaseline(specs, options.phase, options.baseline);
  const pre = options.baseline ? await readSnapshotFile(options.baseline) : undefined;
  // With the inputs known to be good, a live database starts connecting (see liveTarget) while
  // the expectations and the part of the catalog they read are worked out. Other targets (a
  // snapshot file, a dump to restore) open below, where their failure becomes the report's.
  await using early = isUrl(options.target) ? await openTarget(options.target, options.live) : undefined;
  const base = {
    version: 1 as const,
    command: 'check' as const,
    target: options.target,
    pgspecVersion: PGSPEC_VERSION,
    startedAt: new Date(started).toISOString(),
  };
  const expectations = specs.flatMap((s) => expectationsFor(s, options.phase));
  let post: Snapshot;
  let description = options.target;
  try {
    options.onProgress?.(
      /\.sql$/i.test(options.target)
        ? `restoring ${options.target} into an embedded PostgreSQL`
        : /\.json$/i.test(options.target)
          ? `reading ${options.target}`
          : `connecting to ${safeUrl(options.target)}`,
    );
    await using opened = early ? undefined : await openTarget(options.target, options.live);
    const target = (early ?? opened)!;
    description = target.description;
    // Without a pre state there is no diff: only the objects the specs name are read.
    const needs = { ...collectNeeds(expectations), ...(pre ? {} : { catalog: catalogScope(expectations) }) };
    post = await target.capture(needs, {
      counts: options.counts,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
  } catch (error) {
    if (!(error instanceof PgspecError) || error.exitCode !== 3) throw error;
    return {
      ...base,
      target: description,
      durationMs: Date.now() - started,
      summary: { passed: 0, failed: 0, errored: 0 },
      specs: specs.map((s) => ({ name: s.name, file: s.file, results: [] })),
      error: { code: error.code, message: error.message },
    };
  }
  await initSqlParser();
  const results = evaluateSpecs(specs, options.phase, post, pre);
  return {
    ...base,
    target: description,
    durationMs: Date.now() - started,
    summary: summarize(results),
    specs: results,
    rowCounts: { ...(pre ? { pre: pre.rowCounts } : {}), post: post.rowCounts },
    ...(pre ? { diff: diffSnapshots(pre, post).map(formatChange) } : {}),
  };
}
