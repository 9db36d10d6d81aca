import { beforeAll, describe, it } from 'vitest';
import { evaluate, type EvalContext } from './check/evaluate.ts';
import { describeExpectation } from './check/label.ts';
import { initSqlParser } from './check/sql-text.ts';
import { UsageError } from './errors.ts';
import { expectationsFor, requireBaseline } from './run/check.ts';
import { collectNeeds } from './run/needs.ts';
import { loadSpecs } from './spec/load.ts';
import { openTarget } from './targets/open.ts';
import type { LiveOptions } from './targets/live.ts';
import { readSnapshotFile } from './targets/snapshot-file.ts';

/** Options of pgspecTests(): which state to check, as `pgspec check` takes them. */
export interface PgspecTestsOptions {
  /** A postgres:// URL, *.snapshot.json or *.sql dump (default: DATABASE_URL). */
  target?: string;
  phase?: 'pre' | 'post';
  /** Snapshot of the pre state, for `preserved` and `unchanged`. */
  baseline?: string;
  counts?: 'exact' | 'estimate';
  live?: LiveOptions;
  /** Timeout of the one capture of the target, in ms (default 120 s). */
  timeout?: number;
}

/**
 * Turns spec files into vitest test cases: one `describe` per spec, one `it` per expectation,
 * named after the object. The target is read once (one catalog capture), then every
 * expectation is evaluated in memory. Use with top-level await in a test file:
 *
 *   await pgspecTests('specs/', { target: process.env.DATABASE_URL });
 */
export async function pgspecTests(inputs: string | string[], options: PgspecTestsOptions = {}): Promise<void> {
  const phase = options.phase ?? 'post';
  const specs = await loadSpecs(Array.isArray(inputs) ? inputs : [inputs]);
  const target = options.target ?? process.env.DATABASE_URL;
  if (!target) throw new UsageError('pgspecTests: no target: pass { target } or set DATABASE_URL');
  requireBaseline(specs, phase, options.baseline);

  let state: Promise<EvalContext> | undefined;
  const capture = () =>
    (state ??= (async () => {
      await initSqlParser();
      const pre = options.baseline ? await readSnapshotFile(options.baseline) : undefined;
      await using t = await openTarget(target, options.live);
      const needs = collectNeeds(specs.flatMap((s) => expectationsFor(s, phase)));
      const post = await t.capture(needs, { counts: options.counts ?? 'exact' });
      return { post, ...(pre ? { pre } : {}) };
    })());

  for (const spec of specs) {
    describe(spec.name, () => {
      let ctx: EvalContext;
      beforeAll(async () => {
        ctx = await capture();
      }, options.timeout ?? 120_000);
      for (const exp of expectationsFor(spec, phase)) {
        const where = exp.line ? ` (${spec.file}:${exp.line})` : '';
        it(`${exp.phase} ${describeExpectation(exp)}`, () => {
          const result = evaluate(exp, ctx);
          if (result.state !== 'passed') throw new Error(`${result.state === 'errored' ? 'errored: ' : ''}${result.message}${where}`);
        });
      }
    });
  }
}
